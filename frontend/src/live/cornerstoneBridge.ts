/**
 * The Cornerstone side of live annotations and the pointer, for one viewport: local annotation
 * changes out, shared ones in (world coordinates; kinds.ts converts to the protocol). Loaded
 * lazily with the viewer engine.
 */
import { getEnabledElementByViewportId, type Types } from '@cornerstonejs/core';
import { Enums as ToolEnums, annotation as annotationApi, utilities as toolUtilities } from '@cornerstonejs/tools';
import { eventTarget } from '@cornerstonejs/core';
import type { Vec3 } from './coords';
import { TOOL_KINDS } from './kinds';

export interface ToolAnnotation {
  annotationUID: string;
  toolName: string;
  imageId: string;
  world: Vec3[];
  text: string;
}

export type LocalChange = { type: 'completed' | 'modified' | 'removed'; annotation: ToolAnnotation };

interface CsAnnotation {
  annotationUID?: string;
  invalidated?: boolean;
  metadata?: { toolName?: string; referencedImageId?: string };
  data?: { label?: string; handles?: { points?: Types.Point3[] } };
}

function plain(a: CsAnnotation | undefined): ToolAnnotation | null {
  const toolName = a?.metadata?.toolName;
  const imageId = a?.metadata?.referencedImageId;
  if (!a?.annotationUID || !toolName || !imageId || !TOOL_KINDS[toolName]) return null;
  const world = (a.data?.handles?.points ?? []).map((p) => [p[0], p[1], p[2]] as Vec3);
  return { annotationUID: a.annotationUID, toolName, imageId, world, text: a.data?.label ?? '' };
}

export class CornerstoneBridge {
  constructor(private readonly viewportId: string) {}

  private get viewport(): Types.IStackViewport | null {
    return (getEnabledElementByViewportId(this.viewportId)?.viewport as Types.IStackViewport | undefined) ?? null;
  }

  get element(): HTMLDivElement | null {
    return this.viewport?.element ?? null;
  }

  /** Calls `listener` for annotations completed, edited (HandlesUpdated/LabelChange) or removed by anyone here. */
  onLocalChange(listener: (change: LocalChange) => void): () => void {
    const on = (type: LocalChange['type']) => (event: Event) => {
      const detail = (event as CustomEvent<{ annotation?: CsAnnotation; changeType?: string }>).detail;
      if (type === 'modified' && detail?.changeType === ToolEnums.ChangeTypes.StatsUpdated) return;
      const a = plain(detail?.annotation);
      if (a) listener({ type, annotation: a });
    };
    const handlers: [string, (e: Event) => void][] = [
      [ToolEnums.Events.ANNOTATION_COMPLETED, on('completed')],
      [ToolEnums.Events.ANNOTATION_MODIFIED, on('modified')],
      [ToolEnums.Events.ANNOTATION_REMOVED, on('removed')],
    ];
    for (const [name, h] of handlers) eventTarget.addEventListener(name, h);
    return () => {
      for (const [name, h] of handlers) eventTarget.removeEventListener(name, h);
    };
  }

  get(annotationUID: string): ToolAnnotation | null {
    return plain(annotationApi.state.getAnnotation(annotationUID) as CsAnnotation | undefined);
  }

  /** Shows (or moves) a shared annotation; its UID is the protocol id, so it is never added twice. */
  upsert(a: ToolAnnotation): void {
    const vp = this.viewport;
    if (!vp) return;
    const points = a.world.map((p) => [...p] as Types.Point3);
    const existing = annotationApi.state.getAnnotation(a.annotationUID) as CsAnnotation | undefined;
    if (existing?.data?.handles) {
      existing.data.handles.points = points;
      existing.data.label = a.text;
      existing.invalidated = true;
    } else {
      const camera = vp.getCamera();
      annotationApi.state.addAnnotation(
        {
          annotationUID: a.annotationUID,
          highlighted: false,
          invalidated: true,
          isLocked: false,
          isVisible: true,
          metadata: {
            toolName: a.toolName,
            referencedImageId: a.imageId,
            FrameOfReferenceUID: vp.getFrameOfReferenceUID(),
            viewPlaneNormal: camera.viewPlaneNormal,
            viewUp: camera.viewUp,
          },
          data: {
            handles: {
              points,
              activeHandleIndex: null,
              textBox: {
                hasMoved: false,
                worldPosition: [0, 0, 0],
                worldBoundingBox: { topLeft: [0, 0, 0], topRight: [0, 0, 0], bottomLeft: [0, 0, 0], bottomRight: [0, 0, 0] },
              },
            },
            label: a.text,
            text: a.text,
            cachedStats: {},
          },
        } as unknown as Parameters<typeof annotationApi.state.addAnnotation>[0],
        vp.element,
      );
    }
    toolUtilities.triggerAnnotationRenderForViewportIds([this.viewportId]);
  }

  remove(annotationUID: string): void {
    if (!annotationApi.state.getAnnotation(annotationUID)) return;
    annotationApi.state.removeAnnotation(annotationUID);
    toolUtilities.triggerAnnotationRenderForViewportIds([this.viewportId]);
  }

  canvasToWorld(x: number, y: number): Vec3 | null {
    const vp = this.viewport;
    if (!vp) return null;
    const w = vp.canvasToWorld([x, y] as Types.Point2);
    return [w[0], w[1], w[2]];
  }

  worldToCanvas(world: Vec3): [number, number] | null {
    const vp = this.viewport;
    if (!vp) return null;
    const c = vp.worldToCanvas(world as Types.Point3);
    return [c[0], c[1]];
  }
}
