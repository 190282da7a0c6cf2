/**
 * Cornerstone annotation tools <-> the protocol's annotation kinds, in one table, and the geometry
 * between a tool's world handles and the protocol's SCOORD points (coords.ts does the plane maths).
 * Plain TypeScript (no Cornerstone import), unit-tested.
 */
import { distance, imageToWorld, worldToImage, type ImagePlane, type Vec3 } from './coords';
import type { LiveAnnotation } from './sync';

export type ToolKind = 'length' | 'angle' | 'ellipse_roi' | 'rectangle_roi' | 'probe' | 'arrow' | 'text';

/** Cornerstone tool name -> protocol kind and SCOORD graphic type. */
export const TOOL_KINDS: Record<string, { kind: ToolKind; graphicType: string }> = {
  Length: { kind: 'length', graphicType: 'POLYLINE' },
  Angle: { kind: 'angle', graphicType: 'POLYLINE' },
  EllipticalROI: { kind: 'ellipse_roi', graphicType: 'ELLIPSE' },
  RectangleROI: { kind: 'rectangle_roi', graphicType: 'POLYLINE' },
  Probe: { kind: 'probe', graphicType: 'POINT' },
  ArrowAnnotate: { kind: 'arrow', graphicType: 'POLYLINE' },
  Label: { kind: 'text', graphicType: 'POINT' },
};

export function toolForKind(kind: string): string | null {
  return Object.entries(TOOL_KINDS).find(([, v]) => v.kind === kind)?.[0] ?? null;
}

/** The protocol's shape of a tool annotation (everything but ids and UIDs). */
export type Shape = Pick<LiveAnnotation, 'kind' | 'graphic_type' | 'points' | 'measurements' | 'label'>;

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Degrees between the arms vertex->a and vertex->b. */
export function angleAt(a: Vec3, vertex: Vec3, b: Vec3): number {
  const u = sub(a, vertex);
  const v = sub(b, vertex);
  const cos = dot(u, v) / (Math.hypot(...u) * Math.hypot(...v));
  return (Math.acos(Math.min(1, Math.max(-1, cos))) * 180) / Math.PI;
}

/**
 * A tool's world handles as protocol points and measurements, or null for an unknown tool or an
 * unfinished shape. Rectangle: Cornerstone's corners [TL, TR, BL, BR] -> closed polyline TL TR BR BL TL.
 * Ellipse: the longer axis first (SCOORD ELLIPSE: major axis ends, then minor axis ends).
 */
export function toShape(toolName: string, world: Vec3[], plane: ImagePlane, text?: string): Shape | null {
  const spec = TOOL_KINDS[toolName];
  if (!spec) return null;
  const px = (p: Vec3) => {
    const [x, y] = worldToImage(plane, p);
    return [round(x, 3), round(y, 3)] as [number, number];
  };
  const label = text?.trim() ? text.trim().slice(0, 2000) : null;
  const w = world;
  switch (spec.kind) {
    case 'length':
    case 'arrow':
      if (w.length < 2) return null;
      return {
        kind: spec.kind,
        graphic_type: 'POLYLINE',
        points: [px(w[0]!), px(w[1]!)],
        measurements: spec.kind === 'length' ? [{ name: 'length', value: round(distance(w[0]!, w[1]!)), unit: 'mm' }] : [],
        label,
      };
    case 'angle':
      if (w.length < 3) return null;
      return {
        kind: 'angle',
        graphic_type: 'POLYLINE',
        points: [px(w[0]!), px(w[1]!), px(w[2]!)],
        measurements: [{ name: 'angle', value: round(angleAt(w[0]!, w[1]!, w[2]!)), unit: 'deg' }],
        label,
      };
    case 'rectangle_roi': {
      if (w.length < 4) return null;
      const [tl, tr, bl, br] = [w[0]!, w[1]!, w[2]!, w[3]!];
      const area = distance(tl, tr) * distance(tl, bl);
      return {
        kind: 'rectangle_roi',
        graphic_type: 'POLYLINE',
        points: [px(tl), px(tr), px(br), px(bl), px(tl)],
        measurements: [{ name: 'area', value: round(area), unit: 'mm2' }],
        label,
      };
    }
    case 'ellipse_roi': {
      if (w.length < 4) return null;
      const a = distance(w[0]!, w[1]!);
      const b = distance(w[2]!, w[3]!);
      const ordered = a >= b ? [w[0]!, w[1]!, w[2]!, w[3]!] : [w[2]!, w[3]!, w[0]!, w[1]!];
      return {
        kind: 'ellipse_roi',
        graphic_type: 'ELLIPSE',
        points: ordered.map(px),
        measurements: [{ name: 'area', value: round((Math.PI * a * b) / 4), unit: 'mm2' }],
        label,
      };
    }
    case 'probe':
      if (w.length < 1) return null;
      return { kind: 'probe', graphic_type: 'POINT', points: [px(w[0]!)], measurements: [], label };
    case 'text':
      if (w.length < 1 || !label) return null; // a text without text is not shared
      return { kind: 'text', graphic_type: 'POINT', points: [px(w[0]!)], measurements: [], label };
  }
}

/** A protocol annotation as a tool's world handles (the inverse of toShape), or null for kinds the viewer has no tool for. */
export function fromShape(a: Pick<LiveAnnotation, 'kind' | 'points' | 'label'>, plane: ImagePlane): { toolName: string; world: Vec3[]; text: string } | null {
  const toolName = toolForKind(a.kind);
  if (!toolName) return null;
  const w = a.points.map((p) => imageToWorld(plane, p));
  const text = a.label ?? '';
  if (a.kind === 'rectangle_roi') {
    if (w.length < 4) return null;
    return { toolName, world: [w[0]!, w[1]!, w[3]!, w[2]!], text };
  }
  const want = { length: 2, arrow: 2, angle: 3, ellipse_roi: 4, probe: 1, text: 1 }[a.kind as Exclude<ToolKind, 'rectangle_roi'>];
  if (w.length < want) return null;
  return { toolName, world: w.slice(0, want), text };
}

/** True when two point lists are the same within a hundredth of a pixel (no update to send). */
export function samePoints(a: [number, number][], b: [number, number][]): boolean {
  return a.length === b.length && a.every((p, i) => Math.abs(p[0] - b[i]![0]) < 0.01 && Math.abs(p[1] - b[i]![1]) < 0.01);
}
