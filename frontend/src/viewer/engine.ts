/**
 * The Cornerstone3D adapter: initialisation, a stack viewport per element with its tool group,
 * and the operations the viewer UI needs. React components call this; nothing here knows React.
 */
import {
  Enums,
  RenderingEngine,
  cache,
  eventTarget,
  getConfiguration,
  init as coreInit,
  type StackViewport,
  type Types,
} from '@cornerstonejs/core';
import { init as loaderInit, wadors } from '@cornerstonejs/dicom-image-loader';
import {
  AngleTool,
  ArrowAnnotateTool,
  EllipticalROITool,
  Enums as ToolEnums,
  LabelTool,
  LengthTool,
  PanTool,
  ProbeTool,
  RectangleROITool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  addTool,
  annotation as annotationApi,
  init as toolsInit,
  utilities as toolUtilities,
} from '@cornerstonejs/tools';
import { ANNOTATION_TOOLS, TOOL_NAMES, toolBindings, type Binding, type ToolName } from './bindings';
import type { StackImage } from './imageIds';
import { measurementRows, type AnnotationLike, type Measurement } from './measurements';
import { cleanText, requestText } from './textPrompt';
import { fromVoiRange, toVoiRange, type WindowLevel } from './windowing';

export type { ToolName } from './bindings';
export type { Measurement } from './measurements';

const TOOL_CLASSES = {
  WindowLevel: WindowLevelTool,
  Pan: PanTool,
  Zoom: ZoomTool,
  StackScroll: StackScrollTool,
  Length: LengthTool,
  Angle: AngleTool,
  EllipticalROI: EllipticalROITool,
  RectangleROI: RectangleROITool,
  Probe: ProbeTool,
  ArrowAnnotate: ArrowAnnotateTool,
  Label: LabelTool,
} as const;

/** Marks for the time-to-first-image benchmark (bench/): keep these names. */
export const FIRST_IMAGE_MARK = 'viewer:first-image';
export const STACK_LOADED_MARK = 'viewer:stack-loaded';
/** Steps on the way there, once per page load (bench_viewer.py reports them): this module ran, Cornerstone
 * started, the first viewport was given its stack. */
export const STEP_MARKS = { engine: 'viewer:engine-evaluated', ready: 'viewer:cornerstone-ready', stack: 'viewer:stack-set' };

function markStep(name: string): void {
  if (typeof performance !== 'undefined' && performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
markStep(STEP_MARKS.engine);

/** Text configuration of the arrow and text tools: new text and a double-click edit go through requestText. */
const TEXT_TOOL_CONFIG = {
  getTextCallback: (done: (text: string) => void) => {
    void requestText('').then((text) => done(cleanText(text)));
  },
  changeTextCallback: (
    annotation: { data?: { label?: string; text?: string } },
    _event: unknown,
    done: (text: string) => void,
  ) => {
    const before = annotation.data?.label ?? annotation.data?.text ?? '';
    void requestText(before).then((text) => done(cleanText(text) || before));
  },
};

function toCornerstoneBinding(b: Binding): { mouseButton?: number; numTouchPoints?: number } {
  if ('touch' in b) return { numTouchPoints: b.touch };
  const buttons = {
    primary: ToolEnums.MouseBindings.Primary,
    secondary: ToolEnums.MouseBindings.Secondary,
    auxiliary: ToolEnums.MouseBindings.Auxiliary,
    wheel: ToolEnums.MouseBindings.Wheel,
  } as const;
  return { mouseButton: buttons[b.mouse] };
}

/** Runs `work` once the browser has painted the current frame (rAF fires before the paint; a task after it). */
function afterNextPaint(work: () => void): void {
  requestAnimationFrame(() => setTimeout(work, 0));
}

/** WebGL contexts in the rendering engine's pool (see initCornerstone). */
export const VIEWER_WEBGL_CONTEXTS = 1;

let initialised: Promise<void> | null = null;

/** Initialises Cornerstone core, the DICOM image loader and the tools once per page. */
export function initCornerstone(): Promise<void> {
  initialised ??= (async () => {
    // One WebGL context for all viewports (Cornerstone's phone setting) instead of its default pool of 7,
    // which the rendering engine creates up front: each is a vtk.js render window, and without a GPU
    // (SwiftShader) creating them took 0.2 s of the main thread before the first image in a traced run (bench_viewer).
    // Stack viewports render one after the other into the shared context and are copied to their canvases.
    const defaults = getConfiguration();
    await coreInit({ ...defaults, rendering: { ...defaults.rendering, webGlContextCount: VIEWER_WEBGL_CONTEXTS } });
    loaderInit({ maxWebWorkers: Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4)) });
    toolsInit();
    for (const Tool of Object.values(TOOL_CLASSES)) addTool(Tool);
    markStep(STEP_MARKS.ready);
  })();
  return initialised;
}

export interface ViewerState {
  index: number;
  count: number;
  window: WindowLevel | null;
  zoom: number;
  rotation: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
  invert: boolean;
  playing: boolean;
  imageId: string | null;
  error: string | null;
}

let engine: RenderingEngine | null = null;
let viewerCount = 0;
const liveViewers = new Set<StackViewer>();

/**
 * Fits every canvas to its element again. The engine refits all its viewports at once, so each
 * viewer's presentation (zoom relative to the fitted image, pan, rotation, flips) is put back
 * afterwards: a layout change, a drawer or the phone's toolbar opening is not a reset.
 */
function resizeAll(): void {
  const saved = [...liveViewers].map((v) => [v, v.presentation()] as const);
  renderingEngine().resize(true, false);
  for (const [v, p] of saved) v.restorePresentation(p);
}

function renderingEngine(): RenderingEngine {
  engine ??= new RenderingEngine('telehealth-viewer');
  return engine;
}

/** One stack viewport bound to a DOM element. */
export class StackViewer {
  readonly viewportId: string;
  private readonly toolGroupId: string;
  private images: StackImage[] = [];
  /** What the current stack is (a series UID), so a viewer is not reloaded with what it shows. */
  private stackKey = '';
  /** Only the page's first viewport marks the benchmark's performance entries. */
  private readonly instrumented: boolean;
  private marked = { firstImage: false, stackLoaded: false };
  private stopWatchingLoad: (() => void) | null = null;
  private listeners = new Set<(state: ViewerState) => void>();
  private playing = false;
  private error: string | null = null;
  private primaryTool: ToolName = 'WindowLevel';
  private readonly element: HTMLDivElement;
  private readonly onEvent = () => this.emit();
  private readonly onError = (event: Event) => {
    const detail = (event as CustomEvent<{ error?: { message?: string } }>).detail;
    this.error = detail?.error?.message ?? 'An image could not be loaded.';
    this.emit();
  };

  constructor(element: HTMLDivElement, options: { instrumented?: boolean } = {}) {
    this.element = element;
    this.instrumented = !!options.instrumented;
    if (this.instrumented && typeof performance !== 'undefined') {
      performance.clearMarks(FIRST_IMAGE_MARK);
      performance.clearMarks(STACK_LOADED_MARK);
    }
    viewerCount += 1;
    this.viewportId = `viewport-${viewerCount}`;
    this.toolGroupId = `tools-${viewerCount}`;
    renderingEngine().enableElement({
      viewportId: this.viewportId,
      type: Enums.ViewportType.STACK,
      element,
      defaultOptions: { background: [0, 0, 0] as Types.Point3 },
    });
    const group = ToolGroupManager.createToolGroup(this.toolGroupId);
    if (!group) throw new Error('Could not create the tool group');
    for (const name of TOOL_NAMES) {
      const textual = name === 'ArrowAnnotate' || name === 'Label';
      group.addTool(TOOL_CLASSES[name].toolName, textual ? TEXT_TOOL_CONFIG : undefined);
    }
    group.addViewport(this.viewportId, renderingEngine().id);
    this.setTool('WindowLevel');
    liveViewers.add(this);
    for (const name of [
      Enums.Events.STACK_NEW_IMAGE,
      Enums.Events.VOI_MODIFIED,
      Enums.Events.CAMERA_MODIFIED,
      Enums.Events.IMAGE_RENDERED,
    ]) {
      element.addEventListener(name, this.onEvent);
    }
    element.addEventListener(Enums.Events.IMAGE_LOAD_ERROR, this.onError);
  }

  private get viewport(): Types.IStackViewport {
    return renderingEngine().getViewport(this.viewportId) as Types.IStackViewport;
  }

  subscribe(listener: (state: ViewerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }

  state(): ViewerState {
    const vp = this.viewport;
    const hasImage = this.images.length > 0 && !!vp?.getCurrentImageId?.();
    const props = hasImage ? vp.getProperties() : {};
    const pres = hasImage ? vp.getViewPresentation() : {};
    return {
      index: hasImage ? vp.getCurrentImageIdIndex() : 0,
      count: this.images.length,
      window: props.voiRange ? fromVoiRange(props.voiRange) : null,
      zoom: pres.zoom ?? 1,
      rotation: pres.rotation ?? 0,
      flipHorizontal: !!pres.flipHorizontal,
      flipVertical: !!pres.flipVertical,
      invert: !!props.invert,
      playing: this.playing,
      imageId: hasImage ? vp.getCurrentImageId() : null,
      error: this.error,
    };
  }

  /**
   * Shows a series: only the image at `index` is awaited, so it renders before the rest of the
   * series arrives; then Cornerstone's stack prefetch loads the others nearest-first around the
   * current image (and re-centres when the user scrolls).
   */
  async setStack(images: StackImage[], index = 0, key = ''): Promise<void> {
    this.stop();
    this.error = null;
    this.images = images;
    this.stackKey = key;
    for (const image of images) wadors.metaDataManager.add(image.imageId, image.metadata as never);
    const imageIds = images.map((i) => i.imageId);
    if (this.instrumented) {
      markStep(STEP_MARKS.stack);
      this.watchFirstStack(imageIds);
    }
    // Prefetch starts once the first image is on screen: 200 downloads and decodes started earlier
    // compete with its decode and render for the main thread and the decode workers (bench_viewer).
    // Queuing 200 requests takes the main thread for a while (bench_viewer's trace: 150-250 ms without
    // a GPU), so it waits until the browser has painted the image: the next animation frame, then a task.
    const prefetch = () => {
      if (!this.showsOneOf(imageIds)) return;
      this.element.removeEventListener(Enums.Events.IMAGE_RENDERED, prefetch);
      afterNextPaint(() => {
        if (liveViewers.has(this) && this.stackKey === key && this.showsOneOf(imageIds)) {
          toolUtilities.stackPrefetch.enable(this.element);
        }
      });
    };
    this.element.addEventListener(Enums.Events.IMAGE_RENDERED, prefetch);
    await this.viewport.setStack(imageIds, Math.min(Math.max(index, 0), Math.max(images.length - 1, 0)));
    this.viewport.render();
    this.emit();
  }

  /** Whether the viewport shows one of these images (an empty viewport renders too, e.g. on resize). */
  private showsOneOf(imageIds: readonly string[]): boolean {
    const image = (this.viewport as unknown as StackViewport).getCornerstoneImage?.();
    return !!image && imageIds.includes(image.imageId);
  }

  /** The key given to the last setStack (the series UID it shows), '' before any. */
  getStackKey(): string {
    return this.stackKey;
  }

  /** performance.mark()s for the benchmark: first image rendered, then every image of the stack cached. */
  private watchFirstStack(imageIds: string[]): void {
    if (this.marked.firstImage || typeof performance === 'undefined') return;
    this.stopWatchingLoad?.();
    const onRendered = () => {
      if (this.marked.firstImage || !this.showsOneOf(imageIds)) return;
      this.marked.firstImage = true;
      performance.mark(FIRST_IMAGE_MARK, { detail: { images: imageIds.length } });
      this.element.removeEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
    };
    const onLoaded = () => {
      if (this.marked.stackLoaded || !imageIds.every((id) => cache.isLoaded(id))) return;
      this.marked.stackLoaded = true;
      performance.mark(STACK_LOADED_MARK, { detail: { images: imageIds.length } });
      stop();
    };
    const stop = () => {
      this.element.removeEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
      eventTarget.removeEventListener(Enums.Events.IMAGE_LOADED, onLoaded);
      eventTarget.removeEventListener(Enums.Events.IMAGE_CACHE_IMAGE_ADDED, onLoaded);
      this.stopWatchingLoad = null;
    };
    this.element.addEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
    eventTarget.addEventListener(Enums.Events.IMAGE_LOADED, onLoaded);
    eventTarget.addEventListener(Enums.Events.IMAGE_CACHE_IMAGE_ADDED, onLoaded);
    this.stopWatchingLoad = stop;
  }

  getImages(): readonly StackImage[] {
    return this.images;
  }

  /**
   * Gives the left button and one finger to `name`; the other buttons and gestures keep their
   * jobs (bindings.ts). Annotation tools without a binding stay passive, so every measurement
   * (ours and those shared in a live session) is drawn and can be selected, moved and edited.
   */
  setTool(name: ToolName): void {
    const group = ToolGroupManager.getToolGroup(this.toolGroupId);
    if (!group) return;
    const plan = toolBindings(name);
    for (const tool of TOOL_NAMES) {
      const toolName = TOOL_CLASSES[tool].toolName;
      group.setToolPassive(toolName, { removeAllBindings: true });
      const bindings = plan[tool];
      if (bindings.length) group.setToolActive(toolName, { bindings: bindings.map(toCornerstoneBinding) });
      else if (!ANNOTATION_TOOLS.includes(tool)) group.setToolDisabled(toolName);
    }
    this.primaryTool = name;
  }

  getTool(): ToolName {
    return this.primaryTool;
  }

  async setIndex(index: number): Promise<void> {
    if (!this.images.length) return;
    await this.viewport.setImageIdIndex(Math.min(Math.max(index, 0), this.images.length - 1));
  }

  scroll(delta: number): void {
    if (this.images.length) this.viewport.scroll(delta, false, false);
  }

  setWindow(window: WindowLevel): void {
    this.viewport.setProperties({ voiRange: toVoiRange(window) });
    this.viewport.render();
  }

  toggleInvert(): void {
    const vp = this.viewport;
    vp.setProperties({ invert: !vp.getProperties().invert });
    vp.render();
  }

  zoomBy(factor: number): void {
    const vp = this.viewport;
    vp.setZoom(vp.getZoom() * factor);
    vp.render();
  }

  rotateBy(degrees: number): void {
    const vp = this.viewport;
    const rotation = ((vp.getViewPresentation().rotation ?? 0) + degrees + 360) % 360;
    vp.setViewPresentation({ rotation });
    vp.render();
  }

  flip(direction: 'horizontal' | 'vertical'): void {
    const vp = this.viewport;
    const pres = vp.getViewPresentation();
    vp.setViewPresentation(
      direction === 'horizontal' ? { flipHorizontal: !pres.flipHorizontal } : { flipVertical: !pres.flipVertical },
    );
    vp.render();
  }

  /** Back to the file's window, fitted zoom, no rotation/flip/invert. */
  reset(): void {
    const vp = this.viewport;
    vp.resetProperties();
    vp.resetCamera();
    vp.setViewPresentation({ rotation: 0, flipHorizontal: false, flipVertical: false });
    vp.render();
    this.emit();
  }

  /** The measurements drawn on this viewer's stack (any slice), in stack order. */
  measurements(): Measurement[] {
    return measurementRows(
      annotationApi.state.getAllAnnotations() as unknown as AnnotationLike[],
      this.images.map((i) => i.imageId),
    );
  }

  /** UIDs of the selected annotations that belong to this viewer's stack. */
  selectedAnnotations(): string[] {
    const mine = new Set(this.measurements().map((m) => m.uid));
    return annotationApi.selection.getAnnotationsSelected().filter((uid) => mine.has(uid));
  }

  /** Removes annotations of this stack (by UID); returns how many went. */
  removeAnnotations(uids: readonly string[]): number {
    let removed = 0;
    const mine = new Set(this.measurements().map((m) => m.uid));
    for (const uid of uids) {
      if (!mine.has(uid)) continue;
      annotationApi.selection.deselectAnnotation(uid);
      annotationApi.state.removeAnnotation(uid);
      removed += 1;
    }
    if (removed) toolUtilities.triggerAnnotationRenderForViewportIds([this.viewportId]);
    return removed;
  }

  /** Asks for a new text of an arrow or text note of this stack (the list's "Edit"; works on touch too). */
  async editText(uid: string): Promise<void> {
    if (!this.measurements().some((m) => m.uid === uid)) return;
    const ann = annotationApi.state.getAnnotation(uid) as unknown as AnnotationLike | undefined;
    if (!ann?.data) return;
    const before = ann.data.label ?? ann.data.text ?? '';
    const text = cleanText(await requestText(before));
    if (!text || text === before || !annotationApi.state.getAnnotation(uid)) return;
    ann.data.label = text;
    annotationApi.state.triggerAnnotationModified(ann as never, this.element);
    toolUtilities.triggerAnnotationRenderForViewportIds([this.viewportId]);
  }

  /** Shows the slice an annotation is on and selects it (the measurements list's click). */
  async showAnnotation(uid: string): Promise<void> {
    const row = this.measurements().find((m) => m.uid === uid);
    if (!row) return;
    await this.setIndex(row.index);
    annotationApi.selection.setAnnotationSelected(uid, true, false);
    toolUtilities.triggerAnnotationRenderForViewportIds([this.viewportId]);
  }

  /** Calls `listener` (at most once per frame) when annotations are added, changed, removed or (de)selected. */
  onAnnotationsChanged(listener: () => void): () => void {
    let frame = 0;
    const handler = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        listener();
      });
    };
    const names = [
      ToolEnums.Events.ANNOTATION_ADDED,
      ToolEnums.Events.ANNOTATION_COMPLETED,
      ToolEnums.Events.ANNOTATION_MODIFIED,
      ToolEnums.Events.ANNOTATION_REMOVED,
      ToolEnums.Events.ANNOTATION_SELECTION_CHANGE,
    ];
    for (const name of names) eventTarget.addEventListener(name, handler);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      for (const name of names) eventTarget.removeEventListener(name, handler);
    };
  }

  /** Shows exactly this presentation (a follower applying the presenter's view). */
  applyPresentation(p: {
    window?: WindowLevel | null;
    zoom?: number;
    rotation?: number;
    flipHorizontal?: boolean;
    flipVertical?: boolean;
    invert?: boolean;
  }): void {
    const vp = this.viewport;
    if (!this.images.length) return;
    const props: { voiRange?: ReturnType<typeof toVoiRange>; invert?: boolean } = {};
    if (p.window) props.voiRange = toVoiRange(p.window);
    if (p.invert !== undefined) props.invert = p.invert;
    if (Object.keys(props).length) vp.setProperties(props);
    const pres: Types.ViewPresentation = {};
    if (p.zoom !== undefined) pres.zoom = p.zoom;
    if (p.rotation !== undefined) pres.rotation = p.rotation;
    if (p.flipHorizontal !== undefined) pres.flipHorizontal = p.flipHorizontal;
    if (p.flipVertical !== undefined) pres.flipVertical = p.flipVertical;
    if (Object.keys(pres).length) vp.setViewPresentation(pres);
    vp.render();
  }

  play(framesPerSecond: number): void {
    if (this.images.length < 2) return;
    toolUtilities.cine.playClip(this.element, { framesPerSecond, loop: true });
    this.playing = true;
    this.emit();
  }

  stop(): void {
    if (!this.playing) return;
    toolUtilities.cine.stopClip(this.element);
    this.playing = false;
    this.emit();
  }

  /** Fits the canvas to its element again, keeping zoom, pan, rotation and flips (see resizeAll). */
  resize(): void {
    resizeAll();
  }

  presentation(): Types.ViewPresentation | null {
    return this.images.length && this.viewport?.getCurrentImageId?.() ? this.viewport.getViewPresentation() : null;
  }

  restorePresentation(presentation: Types.ViewPresentation | null): void {
    if (!presentation || !this.images.length) return;
    this.viewport.setViewPresentation(presentation);
    this.viewport.render();
  }

  destroy(): void {
    liveViewers.delete(this);
    this.stop();
    this.stopWatchingLoad?.();
    for (const name of [
      Enums.Events.STACK_NEW_IMAGE,
      Enums.Events.VOI_MODIFIED,
      Enums.Events.CAMERA_MODIFIED,
      Enums.Events.IMAGE_RENDERED,
    ]) {
      this.element.removeEventListener(name, this.onEvent);
    }
    this.element.removeEventListener(Enums.Events.IMAGE_LOAD_ERROR, this.onError);
    ToolGroupManager.destroyToolGroup(this.toolGroupId);
    renderingEngine().disableElement(this.viewportId);
    this.listeners.clear();
  }
}
