/**
 * Audio/video between the participants of a live session: a WebRTC mesh (one RTCPeerConnection per
 * other connection) over the server's rtc:offer/answer/candidate relay, with "perfect negotiation"
 * (MDN): either side may (re)negotiate, the connection with the larger id is the polite one.
 */
import type { RtcSignal } from './client';

/**
 * STUN/TURN servers. None are needed on one network (or loopback); across NATs put a STUN and a
 * TURN server here, e.g. [{ urls: 'stun:stun.example.org' }, { urls: 'turn:turn.example.org', username, credential }].
 * (The server has no configuration endpoint for them yet.)
 */
export const ICE_SERVERS: RTCIceServer[] = [];

export interface RemoteMedia {
  connectionId: string;
  name: string;
  stream: MediaStream;
}

type Send = (type: RtcSignal['type'], to: string, body: { sdp?: string; candidate?: RTCIceCandidateInit }) => void;

interface Peer {
  pc: RTCPeerConnection;
  polite: boolean;
  makingOffer: boolean;
  ignoreOffer: boolean;
  name: string;
}

export class LiveMedia {
  private peers = new Map<string, Peer>();
  private local: MediaStream | null = null;
  private remotes = new Map<string, RemoteMedia>();

  constructor(
    private readonly myId: () => string | undefined,
    private readonly send: Send,
    private readonly onChange: (remotes: RemoteMedia[], local: MediaStream | null) => void,
  ) {}

  get localStream(): MediaStream | null {
    return this.local;
  }

  /** Keeps one peer connection per other connection present; closes those of people who left. */
  setParticipants(others: { connectionId: string; name: string }[]): void {
    const ids = new Set(others.map((o) => o.connectionId));
    for (const id of [...this.peers.keys()]) if (!ids.has(id)) this.drop(id);
    for (const o of others) this.peer(o.connectionId, o.name);
  }

  /** Starts camera and microphone and sends them to everyone. */
  async start(): Promise<void> {
    if (this.local) return;
    this.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    for (const p of this.peers.values()) for (const t of this.local.getTracks()) p.pc.addTrack(t, this.local);
    this.changed();
  }

  stop(): void {
    if (!this.local) return;
    for (const p of this.peers.values()) {
      for (const s of p.pc.getSenders()) if (s.track) p.pc.removeTrack(s);
    }
    for (const t of this.local.getTracks()) t.stop();
    this.local = null;
    this.changed();
  }

  setMuted(muted: boolean): void {
    for (const t of this.local?.getAudioTracks() ?? []) t.enabled = !muted;
  }

  setCameraOff(off: boolean): void {
    for (const t of this.local?.getVideoTracks() ?? []) t.enabled = !off;
  }

  async handle(signal: RtcSignal): Promise<void> {
    const p = this.peer(signal.from, signal.user.name);
    const pc = p.pc;
    try {
      if (signal.type === 'rtc:candidate') {
        if (signal.candidate) {
          try {
            await pc.addIceCandidate(signal.candidate);
          } catch (error) {
            if (!p.ignoreOffer) throw error;
          }
        }
        return;
      }
      const description: RTCSessionDescriptionInit = { type: signal.type === 'rtc:offer' ? 'offer' : 'answer', sdp: signal.sdp };
      const collision = description.type === 'offer' && (p.makingOffer || pc.signalingState !== 'stable');
      p.ignoreOffer = !p.polite && collision;
      if (p.ignoreOffer) return;
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        this.send('rtc:answer', signal.from, { sdp: pc.localDescription?.sdp });
      }
    } catch (error) {
      console.warn('live media: signalling failed', error);
    }
  }

  /** The connection state per peer (for tests and the tile badge). */
  states(): Record<string, RTCPeerConnectionState> {
    return Object.fromEntries([...this.peers].map(([id, p]) => [id, p.pc.connectionState]));
  }

  close(): void {
    this.stop();
    for (const id of [...this.peers.keys()]) this.drop(id);
  }

  private peer(id: string, name: string): Peer {
    const known = this.peers.get(id);
    if (known) return known;
    const pc = new RTCPeerConnection({ iceServers: ICE_SERVERS });
    const p: Peer = { pc, polite: (this.myId() ?? '') > id, makingOffer: false, ignoreOffer: false, name };
    this.peers.set(id, p);
    pc.onnegotiationneeded = async () => {
      try {
        p.makingOffer = true;
        await pc.setLocalDescription();
        this.send('rtc:offer', id, { sdp: pc.localDescription?.sdp });
      } catch (error) {
        console.warn('live media: offer failed', error);
      } finally {
        p.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.send('rtc:candidate', id, { candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] ?? new MediaStream([track]);
      this.remotes.set(id, { connectionId: id, name: p.name, stream });
      track.onended = () => this.changed();
      this.changed();
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') pc.restartIce();
      this.changed();
    };
    if (this.local) for (const t of this.local.getTracks()) pc.addTrack(t, this.local);
    return p;
  }

  private drop(id: string): void {
    this.peers.get(id)?.pc.close();
    this.peers.delete(id);
    this.remotes.delete(id);
    this.changed();
  }

  private changed(): void {
    this.onChange([...this.remotes.values()], this.local);
  }
}
