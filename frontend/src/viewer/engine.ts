/**
 * The Cornerstone3D adapter: initialisation, a stack viewport per element with its tool group,
 * and the operations the viewer UI needs. React components call this; nothing here knows React.
 */
import {
  Enums,
  RenderingEngine,
  eventTarget,
  init as coreInit,
  type Types,
} from '@cornerstonejs/core';
import { init as loaderInit, wadors } from '@cornerstonejs/dicom-image-loader';
import {
  AngleTool,
  ArrowAnnotateTool,
  EllipticalROITool,
  Enums as ToolEnums,
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
import type { StackImage } from './imageIds';
import { fromVoiRange, toVoiRange, type WindowLevel } from './windowing';

export type ToolName =
  | 'WindowLevel'
  | 'Pan'
  | 'Zoom'
  | 'StackScroll'
  | 'Length'
  | 'Angle'
  | 'EllipticalROI'
  | 'RectangleROI'
  | 'Probe'
  | 'ArrowAnnotate';

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
} as const;

type Types_Annotation = {
  annotationUID: string;
  metadata?: { toolName?: string; referencedImageId?: string };
  data?: { handles?: { points?: Types.Point3[] } };
};

let initialised: Promise<void> | null = null;

/** Initialises Cornerstone core, the DICOM image loader and the tools once per page. */
export function initCornerstone(): Promise<void> {
  initialised ??= (async () => {
    await coreInit();
    loaderInit({ maxWebWorkers: Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4)) });
    toolsInit();
    for (const Tool of Object.values(TOOL_CLASSES)) addTool(Tool);
  })();
  return initialised;
}

/** A length measurement made on this viewer, in world coordinates (what the live protocol converts). */
export interface LocalLength {
  annotationUID: string;
  imageId: string;
  points: [Types.Point3, Types.Point3];
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

function renderingEngine(): RenderingEngine {
  engine ??= new RenderingEngine('telehealth-viewer');
  return engine;
}

/** One stack viewport bound to a DOM element. */
export class StackViewer {
  readonly viewportId: string;
  private readonly toolGroupId: string;
  private images: StackImage[] = [];
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

  constructor(element: HTMLDivElement) {
    this.element = element;
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
    for (const name of Object.keys(TOOL_CLASSES) as ToolName[]) group.addTool(TOOL_CLASSES[name].toolName);
    group.addViewport(this.viewportId, renderingEngine().id);
    group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
    group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
    // Measurement tools start passive: their annotations (ours and those shared in a live
    // session) are drawn and editable even while another tool has the left button.
    for (const name of ['Length', 'Angle', 'EllipticalROI', 'RectangleROI', 'Probe', 'ArrowAnnotate'] as const) {
      group.setToolPassive(TOOL_CLASSES[name].toolName);
    }
    this.setTool('WindowLevel');
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

  /** Shows a series; the first image renders as soon as it arrives, neighbours are prefetched. */
  async setStack(images: StackImage[], index = 0): Promise<void> {
    this.stop();
    this.error = null;
    this.images = images;
    for (const image of images) wadors.metaDataManager.add(image.imageId, image.metadata as never);
    await this.viewport.setStack(
      images.map((i) => i.imageId),
      Math.min(Math.max(index, 0), Math.max(images.length - 1, 0)),
    );
    this.viewport.render();
    toolUtilities.stackPrefetch.enable(this.element);
    this.emit();
  }

  getImages(): readonly StackImage[] {
    return this.images;
  }

  setTool(name: ToolName): void {
    const group = ToolGroupManager.getToolGroup(this.toolGroupId);
    if (!group) return;
    const previous = TOOL_CLASSES[this.primaryTool].toolName;
    if (previous !== TOOL_CLASSES[name].toolName) {
      // Measurements stay visible (passive); navigation tools simply stop listening to the left button.
      group.setToolPassive(previous);
    }
    if (name !== 'StackScroll') {
      group.setToolActive(TOOL_CLASSES[name].toolName, {
        bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }, { numTouchPoints: 1 }],
      });
    } else {
      group.setToolActive(StackScrollTool.toolName, {
        bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }, { mouseButton: ToolEnums.MouseBindings.Wheel }],
      });
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

  /** Calls `listener` for each length measurement completed on this viewer; returns an unsubscribe. */
  onLengthCompleted(listener: (length: LocalLength) => void): () => void {
    const handler = (event: Event) => {
      const ann = (event as CustomEvent<{ annotation?: Types_Annotation }>).detail?.annotation;
      if (!ann || ann.metadata?.toolName !== LengthTool.toolName) return;
      const imageId = ann.metadata.referencedImageId;
      const points = ann.data?.handles?.points;
      if (!imageId || !points || points.length < 2) return;
      if (!this.images.some((img) => img.imageId === imageId)) return;
      listener({ annotationUID: ann.annotationUID, imageId, points: [points[0]!, points[1]!] });
    };
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, handler);
    return () => eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, handler);
  }

  /** Shows a length measured elsewhere (a live session); its UID is kept so it is never added twice. */
  addLength(annotationUID: string, imageId: string, points: [Types.Point3, Types.Point3]): void {
    if (annotationApi.state.getAnnotation(annotationUID)) return;
    const vp = this.viewport;
    const camera = vp.getCamera();
    annotationApi.state.addAnnotation(
      {
        annotationUID,
        highlighted: false,
        invalidated: true,
        isLocked: false,
        isVisible: true,
        metadata: {
          toolName: LengthTool.toolName,
          referencedImageId: imageId,
          FrameOfReferenceUID: vp.getFrameOfReferenceUID(),
          viewPlaneNormal: camera.viewPlaneNormal,
          viewUp: camera.viewUp,
        },
        data: {
          handles: {
            points: [points[0], points[1]],
            activeHandleIndex: null,
            textBox: {
              hasMoved: false,
              worldPosition: [0, 0, 0],
              worldBoundingBox: {
                topLeft: [0, 0, 0],
                topRight: [0, 0, 0],
                bottomLeft: [0, 0, 0],
                bottomRight: [0, 0, 0],
              },
            },
          },
          label: '',
          cachedStats: {},
        },
      } as unknown as Parameters<typeof annotationApi.state.addAnnotation>[0],
      this.element,
    );
    toolUtilities.triggerAnnotationRenderForViewportIds([this.viewportId]);
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

  resize(): void {
    renderingEngine().resize(true, false);
  }

  destroy(): void {
    this.stop();
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
