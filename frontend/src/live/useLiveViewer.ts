/**
 * The live session as seen from the viewer (?session=<id>): the presenter's view is sent, followers
 * apply it; annotations are shared in image pixel coordinates plus UIDs. ViewerPage only passes its
 * active viewport and calls `startIndex`/`stackShown` around loading a series.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSession } from '../auth/useSession';
import type { StackViewer, ViewerState } from '../viewer/engine';
import { indexOfImage, type StackImage } from '../viewer/imageIds';
import { LiveClient, type LiveAnnotation } from './client';
import { distance, imageToWorld, planeFromMetadata, worldToImage } from './coords';
import { throttleLatest, viewDiffers, type LiveState, type ViewState } from './sync';

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

export interface LiveViewer {
  sessionId: string | null;
  live: LiveState | null;
  status: string;
  isPresenter: boolean;
  following: boolean;
  setFollowing: (following: boolean) => void;
  client: LiveClient | null;
  /** Where a series being opened should start (the presenter's image), or -1. */
  startIndex: (images: readonly StackImage[]) => number;
  /** Call once a series is shown: applies a pending presenter view and the shared annotations. */
  stackShown: () => void;
}

export function useLiveViewer({ sessionId, viewer, state, studyUid, seriesUid, showSeries }: LiveViewerOptions): LiveViewer {
  const session = useSession();
  const meId = session.status === 'authenticated' ? session.user.id : null;
  const [live, setLive] = useState<LiveState | null>(null);
  const [status, setStatus] = useState('');
  const [following, setFollowing] = useState(true);
  const [client, setClient] = useState<LiveClient | null>(null);
  const clientRef = useRef<LiveClient | null>(null);
  const pendingView = useRef<ViewState | null>(null);
  const lastSent = useRef<ViewState | null>(null);
  const isPresenter = !!live && !!meId && live.presenter?.id === meId;
  // Annotations shared in the session, shown on whichever stack holds their image.
  const remoteAnnotations = useRef(new Map<string, LiveAnnotation>());
  const viewerRef = useRef<StackViewer | null>(null);
  viewerRef.current = viewer;

  const showRemote = useCallback((a: LiveAnnotation) => {
    const v = viewerRef.current;
    liveDebug('remote', a.id, a.kind, !!v, v?.getImages().length);
    if (!v || a.kind !== 'length' || a.points.length < 2) return;
    const image = v.getImages().find((img) => img.sopInstanceUid === a.sop_instance_uid && img.frame === (a.frame_number ?? 1));
    const plane = image && planeFromMetadata(image.metadata);
    if (!image || !plane) return;
    liveDebug('addLength', a.id, image.imageId);
    v.addLength(a.id, image.imageId, [imageToWorld(plane, a.points[0]!), imageToWorld(plane, a.points[1]!)]);
  }, []);

  useEffect(() => {
    if (!sessionId) return;
    const c = new LiveClient(sessionId, {
      onAnnotation: (a) => {
        remoteAnnotations.current.set(a.id, a);
        showRemote(a);
      },
      onState: setLive,
      onStatus: (s, message) => setStatus(message ? `${s}: ${message}` : s),
    });
    clientRef.current = c;
    setClient(c);
    return () => {
      c.close();
      clientRef.current = null;
      setClient(null);
    };
  }, [sessionId, showRemote]);

  // Lengths drawn here are shared with the session in image pixel coordinates plus UIDs.
  useEffect(() => {
    if (!viewer || !sessionId) return;
    return viewer.onLengthCompleted((length) => {
      const image = viewer.getImages().find((img) => img.imageId === length.imageId);
      const plane = image && planeFromMetadata(image.metadata);
      liveDebug('completed', length.annotationUID, !!image, !!plane);
      if (!image || !plane || remoteAnnotations.current.has(length.annotationUID)) return;
      void clientRef.current
        ?.addAnnotation({
          id: length.annotationUID,
          kind: 'length',
          study_instance_uid: studyUid,
          series_instance_uid: seriesUid,
          sop_instance_uid: image.sopInstanceUid,
          frame_number: image.frame,
          graphic_type: 'POLYLINE',
          points: length.points.map((p) => worldToImage(plane, p)),
          measurements: [{ name: 'length', value: Math.round(distance(...length.points) * 100) / 100, unit: 'mm' }],
        })
        .then((ack) => liveDebug('ack', JSON.stringify(ack)))
        .catch(() => setStatus('error: the measurement was not shared'));
    });
  }, [viewer, sessionId, studyUid, seriesUid]);

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

  const startIndex = useCallback((images: readonly StackImage[]) => {
    const wanted = pendingView.current;
    return wanted ? viewIndex(images, wanted) : -1;
  }, []);

  const stackShown = useCallback(() => {
    const v = viewerRef.current;
    const wanted = pendingView.current;
    pendingView.current = null;
    if (v && wanted) applyView(v, wanted, v.getImages());
    for (const a of remoteAnnotations.current.values()) showRemote(a);
  }, [showRemote]);

  return { sessionId, live, status, isPresenter, following, setFollowing, client, startIndex, stackShown };
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

/** A short trail of live-session events for diagnosing a browser test (window.__liveDebug). */
export function liveDebug(...parts: unknown[]): void {
  const w = window as unknown as { __liveDebug?: string[] };
  (w.__liveDebug ??= []).push(parts.map(String).join(' '));
  if (w.__liveDebug.length > 200) w.__liveDebug.shift();
}
