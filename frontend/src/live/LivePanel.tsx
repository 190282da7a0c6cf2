/**
 * The live-session UI of the viewer: a bar (status, presenter, follow/free, control) and a drawer
 * with the people present (hand-off), chat and audio/video; plus the others' pointers over the image.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { listParticipants } from '../api/cases';
import { useAsync } from '../cases/useAsync';
import { imageToWorld } from './coords';
import type { RemoteMedia } from './rtc';
import type { LiveViewer, PointerMark } from './useLiveViewer';
import './live.css';

type Drawer = 'people' | 'chat' | 'call' | null;

export function LivePanel({ live: lv }: { live: LiveViewer }) {
  const [drawer, setDrawer] = useState<Drawer>(null);
  const [seenChat, setSeenChat] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  // The chat draft outlives the drawer: text that could not be sent is never lost.
  const draft = useState('');
  if (!lv.sessionId) return null;
  const { live, status, isPresenter, isHost, following } = lv;
  const chatCount = live?.chat.length ?? 0;
  const unread = drawer === 'chat' ? 0 : Math.max(0, chatCount - seenChat);
  const toggle = (d: Drawer) => {
    if (d === 'chat' || drawer === 'chat') setSeenChat(chatCount);
    setDrawer(drawer === d ? null : d);
  };
  const act = (p: Promise<void> | undefined) => {
    setActionError(null);
    p?.catch((e: unknown) => setActionError(e instanceof Error ? e.message : String(e)));
  };
  const error = actionError ?? lv.error;
  return (
    <>
      <div className="live-bar" role="region" aria-label="Live session">
        <span className={`live-dot ${status.startsWith('connected') ? 'on' : ''}`} aria-hidden="true" />
        <strong>Live</strong>
        <span data-testid="live-status">{status || 'connecting'}</span>
        {lv.pending > 0 && <span className="live-pending">· {lv.pending} change(s) waiting to be sent</span>}
        {live && (
          <>
            <span>
              · Presenter: {live.presenter?.name ?? 'nobody'}
              {isPresenter ? ' (you)' : ''}
            </span>
            <span className="live-people">· {[...new Set(live.participants.map((p) => p.user?.name).filter(Boolean))].join(', ')}</span>
          </>
        )}
        {live && !isPresenter && (
          <>
            <button type="button" className={`tool${following ? ' active' : ''}`} aria-pressed={following} onClick={() => lv.setFollowing(!following)}>
              {following ? 'Following' : 'Follow presenter'}
            </button>
            <button type="button" className="tool" onClick={() => act(lv.client?.requestPresenter())}>
              Ask for control
            </button>
          </>
        )}
        <span className="live-drawer-buttons">
          <button type="button" className={`tool${drawer === 'people' ? ' active' : ''}`} aria-pressed={drawer === 'people'} onClick={() => toggle('people')}>
            People{live?.requests.length ? ` (${live.requests.length} asking)` : ''}
          </button>
          <button type="button" className={`tool${drawer === 'chat' ? ' active' : ''}`} aria-pressed={drawer === 'chat'} onClick={() => toggle('chat')}>
            Chat{unread ? ` (${unread})` : ''}
          </button>
          <button type="button" className={`tool${drawer === 'call' ? ' active' : ''}`} aria-pressed={drawer === 'call'} onClick={() => toggle('call')}>
            Call{lv.media.remotes.length ? ` (${lv.media.remotes.length})` : ''}
          </button>
        </span>
        {error && (
          <span className="live-error" role="alert">
            {error}
          </span>
        )}
        {drawer && live && (
          // Typing here is not a viewer shortcut.
          <aside className="live-drawer" onKeyDown={(e) => e.stopPropagation()} aria-label={drawer === 'people' ? 'People in the session' : drawer === 'chat' ? 'Session chat' : 'Audio and video'}>
            {drawer === 'people' && <People lv={lv} canGrant={isPresenter || isHost} onGrant={(id) => act(lv.client?.grantPresenter(id))} />}
            {drawer === 'chat' && <Chat lv={lv} draft={draft} />}
            {drawer === 'call' && <Call lv={lv} />}
          </aside>
        )}
      </div>
      {/* Tiles keep playing while the drawer is closed. */}
      {drawer !== 'call' && lv.media.remotes.length > 0 && (
        <div className="live-mini-tiles">
          {lv.media.remotes.map((r) => (
            <VideoTile key={r.connectionId} media={r} small />
          ))}
        </div>
      )}
      <Pointers lv={lv} />
    </>
  );
}

function People({ lv, canGrant, onGrant }: { lv: LiveViewer; canGrant: boolean; onGrant: (userId: string) => void }) {
  const live = lv.live!;
  const asking = new Set(live.requests.map((r) => r.id));
  // Everyone on the case, present ones first (without the roster, only those present are listed).
  const roster = useAsync(() => (live.caseId ? listParticipants(live.caseId).then((r) => r.items) : Promise.resolve([])), [live.caseId]);
  const present = [...new Map(live.participants.map((p) => [p.user.id, p])).values()];
  const here = new Set(present.map((p) => p.user.id));
  const away = (roster.data ?? []).filter((r) => !here.has(r.user.id));
  return (
    <ul className="live-list" aria-label="Participants">
      {present.map((p) => (
        <li key={p.user.id} data-testid="live-participant">
          <span className="live-dot on" aria-hidden="true" style={{ background: colourOf(p.user.id) }} />
          <span>
            <span className="visually-hidden">online: </span>
            {p.user.name}
            {p.user.id === lv.meId ? ' (you)' : ''}
            {p.role ? <span className="muted small"> · {p.role}</span> : null}
            {live.presenter?.id === p.user.id ? <strong> · presenter</strong> : null}
            {p.following === false ? <span className="muted small"> · free</span> : null}
            {asking.has(p.user.id) ? <em> · asks for control</em> : null}
          </span>
          {canGrant && live.presenter?.id !== p.user.id && (
            <button type="button" className="tool" onClick={() => onGrant(p.user.id)}>
              {p.user.id === lv.meId ? 'Take control' : 'Make presenter'}
            </button>
          )}
        </li>
      ))}
      {away.map((r) => (
        <li key={r.user.id} className="live-away">
          <span className="live-dot" aria-hidden="true" />
          <span>
            {r.user.name} <span className="muted small">· {r.role} · offline</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function Chat({ lv, draft: [text, setText] }: { lv: LiveViewer; draft: [string, (text: string) => void] }) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const endRef = useRef<HTMLLIElement>(null);
  const lines = lv.live?.chat ?? [];
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' }); // (it may return a promise: not a cleanup)
  }, [lines.length]);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = text.trim();
    if (!body || !lv.client) return;
    setSending(true);
    setError(null);
    try {
      await lv.client.chat(body);
      setText(''); // kept when sending failed
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setSending(false);
    }
  }
  return (
    <div className="live-chat">
      <ul className="live-chat-lines" aria-label="Messages" aria-live="polite">
        {lines.map((l) => (
          <li key={l.id} data-testid="chat-line">
            <strong style={{ color: colourOf(l.author?.id ?? '') }}>{l.author?.name ?? 'System'}</strong>{' '}
            <span className="muted small">{new Date(l.at).toLocaleTimeString()}</span>
            <div>{l.body}</div>
          </li>
        ))}
        <li ref={endRef} aria-hidden="true" />
      </ul>
      <form onSubmit={submit} className="live-chat-form">
        <label className="visually-hidden" htmlFor="live-chat-text">
          Message
        </label>
        <textarea
          id="live-chat-text"
          value={text}
          maxLength={4000}
          rows={2}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) void submit(e);
          }}
        />
        <button type="submit" className="tool" disabled={sending || !text.trim()}>
          Send
        </button>
        {error && (
          <p className="live-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}

function Call({ lv }: { lv: LiveViewer }) {
  const { local, remotes, muted, cameraOff, error } = lv.media;
  return (
    <div className="live-call">
      <div className="live-call-controls">
        {local ? (
          <>
            <button type="button" className={`tool${muted ? ' active' : ''}`} aria-pressed={muted} onClick={() => lv.setMuted(!muted)}>
              {muted ? 'Unmute' : 'Mute'}
            </button>
            <button type="button" className={`tool${cameraOff ? ' active' : ''}`} aria-pressed={cameraOff} onClick={() => lv.setCameraOff(!cameraOff)}>
              {cameraOff ? 'Camera on' : 'Camera off'}
            </button>
            <button type="button" className="tool" onClick={lv.stopMedia}>
              Leave call
            </button>
          </>
        ) : (
          <button type="button" className="tool" onClick={lv.startMedia}>
            Join with camera and microphone
          </button>
        )}
      </div>
      {error && (
        <p className="live-error" role="alert">
          {error}
        </p>
      )}
      <div className="live-tiles">
        {local && <VideoTile media={{ connectionId: 'me', name: 'You', stream: local }} mutedPlayback />}
        {remotes.map((r) => (
          <VideoTile key={r.connectionId} media={r} />
        ))}
        {!remotes.length && <p className="muted small">Nobody else is sending audio or video.</p>}
      </div>
    </div>
  );
}

function VideoTile({ media, mutedPlayback = false, small = false }: { media: RemoteMedia; mutedPlayback?: boolean; small?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== media.stream) ref.current.srcObject = media.stream;
  }, [media.stream]);
  return (
    <figure className={`live-tile${small ? ' small' : ''}`} data-testid={mutedPlayback ? 'local-video' : 'remote-video'}>
      <video ref={ref} autoPlay playsInline muted={mutedPlayback} />
      <figcaption>{media.name}</figcaption>
    </figure>
  );
}

/** The others' pointers over the active viewport, as named coloured markers. */
function Pointers({ lv }: { lv: LiveViewer }) {
  const element = lv.bridge?.element;
  const host = element?.parentElement;
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000); // fade silent pointers
    return () => clearInterval(t);
  }, []);
  if (!element || !host || !lv.bridge) return null;
  const marks = lv.pointers
    .filter((p) => Date.now() - p.at < 10_000)
    .map((p) => place(lv, p, element))
    .filter((m): m is { p: PointerMark; left: number; top: number } => m !== null);
  return createPortal(
    <div className="live-pointers" aria-hidden="true">
      {marks.map(({ p, left, top }) => (
        <div key={p.connection_id} className="live-pointer" data-testid="live-pointer" style={{ left, top, color: colourOf(p.user.id) }}>
          <span className="live-pointer-dot" />
          <span className="live-pointer-name">{p.user.name}</span>
        </div>
      ))}
    </div>,
    host,
  );
}

function place(lv: LiveViewer, p: PointerMark, element: HTMLElement) {
  if (!p.sop_instance_uid || p.x == null || p.y == null) return null;
  const plane = lv.planeOf(p.sop_instance_uid, p.frame_number ?? 1);
  const shown = lv.bridge?.element && lv.live ? true : false;
  if (!plane || !shown) return null;
  const canvas = lv.bridge!.worldToCanvas(imageToWorld(plane, [p.x, p.y]));
  if (!canvas) return null;
  const [x, y] = canvas;
  if (x < 0 || y < 0 || x > element.clientWidth || y > element.clientHeight) return null;
  return { p, left: element.offsetLeft + x, top: element.offsetTop + y };
}

/** A stable colour per person. */
export function colourOf(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h}, 80%, 60%)`;
}
