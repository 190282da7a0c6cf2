/**
 * The live session as seen from the viewer (?session=<id>): the presenter's view is sent and
 * followers apply it; annotations of every tool go both ways in image pixel coordinates plus UIDs;
 * pointers, chat, control hand-off and audio/video. ViewerPage passes its active viewport and calls
 * `startIndex`/`stackShown` around loading a series; LivePanel renders the rest.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSession } from '../auth/useSession';
import type { StackViewer, ViewerState } from '../viewer/engine';
import { indexOfImage, type StackImage } from '../viewer/imageIds';
import { LiveClient, type RemotePointer } from './client';
import { planeFromMetadata, worldToImage, type ImagePlane } from './coords';
import type { CornerstoneBridge, LocalChange } from './cornerstoneBridge';
import { liveDebug, testHooksEnabled } from './debug';
import { fromShape, samePoints, toShape } from './kinds';
import { LiveMedia, type RemoteMedia } from './rtc';
import { throttleLatest, viewDiffers, type LiveAnnotation, type LiveState, type ViewState } from './sync';

export interface LiveViewerOptions {
  sessionId: string | null;
  /** The viewer's active viewport (live sync applies to it). */
  viewer: StackViewer | null;
  state: ViewerState | null;
  studyUid: string;
  seriesUid: string;
  /** Shows another series (a follower following the presenter there). */
  showSeries: (studyUid: string, seriesUid: string) => void;
}

export interface PointerMark extends RemotePointer {
  at: number;
}

export interface LiveViewer {
  sessionId: string | null;
  live: LiveState | null;
  status: string;
  /** The last refusal or failure, for the panel. */
  error: string | null;
  pending: number;
  meId: string | null;
  isPresenter: boolean;
  isHost: boolean;
  following: boolean;
  setFollowing: (following: boolean) => void;
  client: LiveClient | null;
  bridge: CornerstoneBridge | null;
  pointers: PointerMark[];
  media: { remotes: RemoteMedia[]; local: MediaStream | null; muted: boolean; cameraOff: boolean; error: string | null };
  startMedia: () => void;
  stopMedia: () => void;
  setMuted: (muted: boolean) => void;
  setCameraOff: (off: boolean) => void;
  /** The plane of an image of the active viewport (for the pointer overlay). */
  planeOf: (sopInstanceUid: string, frame: number) => ImagePlane | null;
  /** Where a series being opened should start (the presenter's image), or -1. */
  startIndex: (images: readonly StackImage[]) => number;
  /** Call once a series is shown: applies a pending presenter view and the shared annotations. */
  stackShown: () => void;
}

const POINTER_MS = 50; // at most 20 pointer events a second
const EDIT_SETTLE_MS = 250;

export function useLiveViewer({ sessionId, viewer, state, studyUid, seriesUid, showSeries }: LiveViewerOptions): LiveViewer {
  const session = useSession();
  const meId = session.status === 'authenticated' ? session.user.id : null;
  const [live, setLive] = useState<LiveState | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(0);
  const [following, setFollowingState] = useState(true);
  const [client, setClient] = useState<LiveClient | null>(null);
  const [bridge, setBridge] = useState<CornerstoneBridge | null>(null);
  const [pointers, setPointers] = useState<Map<string, PointerMark>>(new Map());
  const [stackVersion, setStackVersion] = useState(0);
  const [remotes, setRemotes] = useState<RemoteMedia[]>([]);
  const [local, setLocal] = useState<MediaStream | null>(null);
  const [muted, setMutedState] = useState(false);
  const [cameraOff, setCameraOffState] = useState(false);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const clientRef = useRef<LiveClient | null>(null);
  const mediaRef = useRef<LiveMedia | null>(null);
  const pendingView = useRef<ViewState | null>(null);
  const lastSent = useRef<ViewState | null>(null);
  // What this viewport shows of each shared annotation (id -> version), and removals we made.
  const shown = useRef(new Map<string, number>());
  const removingRemote = useRef(new Set<string>());
  const viewerRef = useRef<StackViewer | null>(null);
  viewerRef.current = viewer;
  const uids = useRef({ studyUid, seriesUid });
  uids.current = { studyUid, seriesUid };
  const isPresenter = !!live && !!meId && live.presenter?.id === meId;
  const isHost = !!live && !!meId && live.host?.id === meId;

  useEffect(() => {
    if (!sessionId) return;
    const c = new LiveClient(sessionId, {
      onState: setLive,
      onStatus: (s, message) => setStatus(message ? `${s}: ${message}` : s),
      onError: setError,
      onPending: setPending,
      onRefused: (id) => {
        shown.current.delete(id);
        setStackVersion((n) => n + 1);
      },
      onPointer: (p) =>
        setPointers((prev) => {
          const next = new Map(prev);
          if (p.visible && p.sop_instance_uid) next.set(p.connection_id, { ...p, at: Date.now() });
          else next.delete(p.connection_id);
          return next;
        }),
      onRtc: (signal) => void mediaRef.current?.handle(signal),
    });
    const media = new LiveMedia(
      () => c.connectionId,
      (type, to, body) => c.signal(type, to, body),
      (r, l) => {
        setRemotes(r);
        setLocal(l);
      },
    );
    clientRef.current = c;
    mediaRef.current = media;
    setClient(c);
    return () => {
      media.close();
      c.close();
      clientRef.current = null;
      mediaRef.current = null;
      setClient(null);
      shown.current.clear();
    };
  }, [sessionId]);

  // The Cornerstone side is loaded with the engine (lazily).
  useEffect(() => {
    if (!viewer || !sessionId) return;
    let cancelled = false;
    void import('./cornerstoneBridge').then(({ CornerstoneBridge }) => {
      if (!cancelled) setBridge(new CornerstoneBridge(viewer.viewportId));
    });
    return () => {
      cancelled = true;
      setBridge(null);
    };
  }, [viewer, sessionId]);

  const imageOf = useCallback((sop: string, frame: number | null | undefined) => {
    return viewerRef.current?.getImages().find((img) => img.sopInstanceUid === sop && img.frame === (frame ?? 1)) ?? null;
  }, []);
  const planeOf = useCallback(
    (sop: string, frame: number) => {
      const image = imageOf(sop, frame);
      return image ? planeFromMetadata(image.metadata) : null;
    },
    [imageOf],
  );

  // Shared annotations -> this viewport (added, moved, deleted), skipping ours still being sent.
  useEffect(() => {
    if (!bridge || !live) return;
    const busy = clientRef.current?.pendingIds() ?? new Set<string>();
    for (const a of Object.values(live.annotations)) {
      if (busy.has(a.id) || shown.current.get(a.id) === (a.version ?? 0)) continue;
      if (a.deleted) {
        removingRemote.current.add(a.id);
        bridge.remove(a.id);
        removingRemote.current.delete(a.id);
        shown.current.set(a.id, a.version ?? 0);
        continue;
      }
      const image = imageOf(a.sop_instance_uid, a.frame_number);
      const plane = image && planeFromMetadata(image.metadata);
      const tool = plane && fromShape(a, plane);
      if (!image || !tool) continue; // another series: shown when it is opened
      const here = bridge.get(a.id);
      const showing = here && plane ? toShape(here.toolName, here.world, plane, here.text) : null;
      if (!showing || !samePoints(showing.points, a.points) || (showing.label ?? '') !== (a.label ?? '')) {
        liveDebug('show', a.id, a.kind, a.version);
        bridge.upsert({ annotationUID: a.id, toolName: tool.toolName, imageId: image.imageId, world: tool.world, text: tool.text });
      }
      shown.current.set(a.id, a.version ?? 0);
    }
  }, [bridge, live, stackVersion, imageOf]);

  // This viewport's annotations -> the session: add on completion, update after an edit settles, delete.
  useEffect(() => {
    if (!bridge || !sessionId) return;
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const shapeOf = (a: LocalChange['annotation']) => {
      const image = viewerRef.current?.getImages().find((img) => img.imageId === a.imageId);
      const plane = image && planeFromMetadata(image.metadata);
      const shape = plane ? toShape(a.toolName, a.world, plane, a.text) : null;
      return image && shape ? { image, shape } : null;
    };
    const unsubscribe = bridge.onLocalChange(({ type, annotation }) => {
      const c = clientRef.current;
      if (!c) return;
      const id = annotation.annotationUID;
      const known = c.current?.annotations[id];
      if (type === 'removed') {
        if (removingRemote.current.has(id) || known?.deleted) return;
        if (known || c.pendingIds().has(id)) {
          liveDebug('delete', id);
          c.deleteAnnotation(id);
        }
        return;
      }
      if (type === 'completed') {
        if (known) return; // a shared one shown here
        const found = shapeOf(annotation);
        if (!found) return;
        liveDebug('add', id, found.shape.kind);
        c.addAnnotation({
          id,
          ...found.shape,
          study_instance_uid: uids.current.studyUid,
          series_instance_uid: uids.current.seriesUid,
          sop_instance_uid: found.image.sopInstanceUid,
          frame_number: found.image.frame,
        });
        return;
      }
      if (!known && !c.pendingIds().has(id)) return; // still being drawn
      clearTimeout(timers.get(id));
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          const now = bridge.get(id);
          const found = now && shapeOf(now);
          const base = clientRef.current?.current?.annotations[id];
          if (!found || base?.deleted) return;
          if (base && samePoints(base.points, found.shape.points) && (base.label ?? '') === (found.shape.label ?? '')) return;
          liveDebug('update', id);
          c.updateAnnotation(id, {
            graphic_type: found.shape.graphic_type,
            points: found.shape.points,
            measurements: found.shape.measurements,
            label: found.shape.label,
          });
        }, EDIT_SETTLE_MS),
      );
    });
    return () => {
      unsubscribe();
      for (const t of timers.values()) clearTimeout(t);
    };
  }, [bridge, sessionId]);

  // The pointer: throttled, in image pixels of the image under it.
  useEffect(() => {
    const element = bridge?.element;
    if (!bridge || !element || !client) return;
    const send = throttleLatest((p: Parameters<LiveClient['sendPointer']>[0]) => clientRef.current?.sendPointer(p), POINTER_MS);
    const onMove = (event: PointerEvent) => {
      const v = viewerRef.current;
      const image = v?.getImages()[v.state().index];
      const plane = image && planeFromMetadata(image.metadata);
      if (!image || !plane) return;
      const rect = element.getBoundingClientRect();
      const world = bridge.canvasToWorld(event.clientX - rect.left, event.clientY - rect.top);
      if (!world) return;
      const [x, y] = worldToImage(plane, world).map((v) => Math.round(v * 100) / 100) as [number, number];
      send({ sop_instance_uid: image.sopInstanceUid, frame_number: image.frame, x, y, visible: true });
    };
    const onLeave = () => send({ visible: false });
    element.addEventListener('pointermove', onMove);
    element.addEventListener('pointerleave', onLeave);
    return () => {
      element.removeEventListener('pointermove', onMove);
      element.removeEventListener('pointerleave', onLeave);
    };
  }, [bridge, client]);

  // Pointers of people who left disappear; silent ones fade after a while.
  useEffect(() => {
    const present = new Set((live?.participants ?? []).map((p) => p.connection_id));
    setPointers((prev) => {
      const next = new Map([...prev].filter(([id]) => present.has(id)));
      return next.size === prev.size ? prev : next;
    });
  }, [live?.participants]);

  // Audio/video: one peer connection per other connection present.
  useEffect(() => {
    const me = client?.connectionId;
    if (!live || !mediaRef.current || !me) return;
    mediaRef.current.setParticipants(
      live.participants.filter((p) => p.connection_id && p.connection_id !== me).map((p) => ({ connectionId: p.connection_id!, name: p.user?.name ?? '' })),
    );
  }, [live, client]);

  const sendView = useMemo(() => throttleLatest((v: ViewState) => clientRef.current?.sendView(v), 50), []);

  // Presenter: send the view whenever it changes (throttled, and only real changes).
  useEffect(() => {
    if (!isPresenter || !viewer || !state || state.count === 0) return;
    const image = viewer.getImages()[state.index];
    if (!image) return;
    const view: ViewState = {
      study_instance_uid: studyUid,
      series_instance_uid: seriesUid,
      sop_instance_uid: image.sopInstanceUid,
      frame_number: image.frame,
      image_index: state.index,
      zoom: state.zoom,
      rotation: state.rotation,
      flip_horizontal: state.flipHorizontal,
      flip_vertical: state.flipVertical,
      invert: state.invert,
      ...(state.window ? { window_center: state.window.center, window_width: state.window.width } : {}),
    };
    if (!viewDiffers(lastSent.current, view)) return;
    lastSent.current = view;
    sendView(view);
  }, [isPresenter, viewer, state, studyUid, seriesUid, sendView]);

  useEffect(() => {
    if (!isPresenter) lastSent.current = null;
  }, [isPresenter]);

  // Follower: show what the presenter shows.
  useEffect(() => {
    const view = live?.view;
    if (!view || isPresenter || !following || !viewer) return;
    if (view.series_instance_uid && view.series_instance_uid !== seriesUid) {
      pendingView.current = view;
      showSeries(view.study_instance_uid ?? studyUid, view.series_instance_uid);
      return;
    }
    applyView(viewer, view, viewer.getImages());
  }, [live?.view, isPresenter, following, viewer, seriesUid, studyUid, showSeries]);

  const setFollowing = useCallback((f: boolean) => {
    setFollowingState(f);
    clientRef.current?.follow(f).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  const startIndex = useCallback((images: readonly StackImage[]) => {
    const wanted = pendingView.current;
    return wanted ? viewIndex(images, wanted) : -1;
  }, []);

  const stackShown = useCallback(() => {
    const v = viewerRef.current;
    const wanted = pendingView.current;
    pendingView.current = null;
    if (v && wanted) applyView(v, wanted, v.getImages());
    shown.current.clear();
    setStackVersion((n) => n + 1);
  }, []);

  const startMedia = useCallback(() => {
    setMediaError(null);
    mediaRef.current?.start().catch((e: unknown) => setMediaError(`Camera or microphone unavailable: ${e instanceof Error ? e.message : String(e)}`));
  }, []);
  const stopMedia = useCallback(() => mediaRef.current?.stop(), []);
  const setMuted = useCallback((m: boolean) => {
    mediaRef.current?.setMuted(m);
    setMutedState(m);
  }, []);
  const setCameraOff = useCallback((off: boolean) => {
    mediaRef.current?.setCameraOff(off);
    setCameraOffState(off);
  }, []);

  // For browser tests only (frontend/e2e sets the flag): the peer connection states, and a way to drop the connection.
  useEffect(() => {
    if (!testHooksEnabled()) return;
    const w = window as unknown as { __liveMedia?: () => Record<string, string>; __liveTest?: ReturnType<LiveClient['testHooks']> };
    w.__liveMedia = () => mediaRef.current?.states() ?? {};
    if (client) w.__liveTest = client.testHooks();
  }, [client]);

  return {
    sessionId,
    live,
    status,
    error,
    pending,
    meId,
    isPresenter,
    isHost,
    following,
    setFollowing,
    client,
    bridge,
    pointers: [...pointers.values()],
    media: { remotes, local, muted, cameraOff, error: mediaError },
    startMedia,
    stopMedia,
    setMuted,
    setCameraOff,
    planeOf,
    startIndex,
    stackShown,
  };
}

function viewIndex(images: readonly StackImage[], view: ViewState): number {
  if (view.sop_instance_uid) {
    const found = indexOfImage(images, view.sop_instance_uid, view.frame_number ?? 1);
    if (found >= 0) return found;
  }
  return view.image_index ?? -1;
}

/** Applies a presenter's view to this viewer (slice by UID first, then the presentation). */
function applyView(viewer: StackViewer, view: ViewState, images: readonly StackImage[]): void {
  const index = viewIndex(images, view);
  if (index >= 0 && index !== viewer.state().index) void viewer.setIndex(index);
  viewer.applyPresentation({
    window:
      view.window_center !== undefined && view.window_width !== undefined
        ? { center: view.window_center, width: view.window_width }
        : null,
    zoom: view.zoom,
    rotation: view.rotation,
    flipHorizontal: view.flip_horizontal,
    flipVertical: view.flip_vertical,
    invert: view.invert,
  });
}

export type { LiveAnnotation };
