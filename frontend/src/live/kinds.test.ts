import { describe, expect, it } from 'vitest';
import type { ImagePlane, Vec3 } from './coords';
import { TOOL_KINDS, angleAt, fromShape, samePoints, toShape, toolForKind } from './kinds';

// An axial slice at z = 10 with 0.5 mm pixels, first pixel centre at (-100, -100, 10).
const plane: ImagePlane = { ipp: [-100, -100, 10], rowCosine: [1, 0, 0], columnCosine: [0, 1, 0], rowSpacing: 0.5, columnSpacing: 0.5 };
const at = (x: number, y: number): Vec3 => [-100 + (x - 0.5) * 0.5, -100 + (y - 0.5) * 0.5, 10];

describe('tool <-> kind table', () => {
  it('maps every measurement tool of the viewer to a protocol kind and back', () => {
    for (const [tool, { kind }] of Object.entries(TOOL_KINDS)) expect(toolForKind(kind)).toBe(tool);
    expect(TOOL_KINDS.EllipticalROI?.kind).toBe('ellipse_roi');
    expect(TOOL_KINDS.ArrowAnnotate?.kind).toBe('arrow');
    expect(toolForKind('cobb_angle')).toBeNull();
    expect(toShape('Crosshairs', [at(1, 1)], plane)).toBeNull();
  });
});

describe('toShape / fromShape', () => {
  it('length: SCOORD pixels and a length in mm', () => {
    const s = toShape('Length', [at(10, 20), at(50, 20)], plane)!;
    expect(s).toMatchObject({ kind: 'length', graphic_type: 'POLYLINE', points: [[10, 20], [50, 20]] });
    expect(s.measurements).toEqual([{ name: 'length', value: 20, unit: 'mm' }]);
  });
  it('angle: three points, degrees at the vertex', () => {
    const s = toShape('Angle', [at(20, 10), at(10, 10), at(10, 20)], plane)!;
    expect(s.points).toEqual([[20, 10], [10, 10], [10, 20]]);
    expect(s.measurements[0]).toEqual({ name: 'angle', value: 90, unit: 'deg' });
    expect(angleAt([1, 1, 0], [0, 0, 0], [1, 0, 0])).toBeCloseTo(45);
  });
  it('rectangle: Cornerstone corners <-> a closed polyline, and back', () => {
    const corners = [at(10, 10), at(30, 10), at(10, 20), at(30, 20)];
    const s = toShape('RectangleROI', corners, plane)!;
    expect(s.points).toEqual([[10, 10], [30, 10], [30, 20], [10, 20], [10, 10]]);
    expect(s.measurements[0]).toEqual({ name: 'area', value: 50, unit: 'mm2' });
    const back = fromShape(s, plane)!;
    expect(back.toolName).toBe('RectangleROI');
    back.world.forEach((p, i) => p.forEach((v, k) => expect(v).toBeCloseTo(corners[i]![k]!)));
  });
  it('ellipse: the major axis first', () => {
    const s = toShape('EllipticalROI', [at(20, 10), at(20, 14), at(10, 12), at(30, 12)], plane)!;
    expect(s.graphic_type).toBe('ELLIPSE');
    expect(s.points).toEqual([[10, 12], [30, 12], [20, 10], [20, 14]]);
    expect(s.measurements[0]!.value).toBeCloseTo((Math.PI * 10 * 2) / 4, 1);
  });
  it('probe and arrow with its text', () => {
    expect(toShape('Probe', [at(5, 6)], plane)).toMatchObject({ kind: 'probe', graphic_type: 'POINT', points: [[5, 6]] });
    const arrow = toShape('ArrowAnnotate', [at(5, 6), at(9, 9)], plane, ' fracture ')!;
    expect(arrow).toMatchObject({ kind: 'arrow', label: 'fracture', measurements: [] });
    expect(fromShape(arrow, plane)).toMatchObject({ toolName: 'ArrowAnnotate', text: 'fracture' });
    expect(toShape('Label', [at(5, 6)], plane, 'note')).toMatchObject({ kind: 'text', graphic_type: 'POINT', label: 'note' });
    expect(toShape('Label', [at(5, 6)], plane, '  ')).toBeNull();
  });
  it('round-trips every kind through the protocol', () => {
    const cases: [string, Vec3[]][] = [
      ['Length', [at(1.25, 2.5), at(100.75, 3)]],
      ['Angle', [at(1, 2), at(3, 4), at(5, 1)]],
      ['Probe', [at(7.5, 8.25)]],
    ];
    for (const [tool, world] of cases) {
      const back = fromShape(toShape(tool, world, plane)!, plane)!;
      expect(back.toolName).toBe(tool);
      back.world.forEach((p, i) => p.forEach((v, k) => expect(v).toBeCloseTo(world[i]![k]!, 2)));
    }
  });
  it('refuses unfinished shapes', () => {
    expect(toShape('Angle', [at(1, 1), at(2, 2)], plane)).toBeNull();
    expect(fromShape({ kind: 'length', points: [[1, 1]], label: null }, plane)).toBeNull();
  });
  it('compares points within a hundredth of a pixel', () => {
    expect(samePoints([[1, 2]], [[1.004, 2]])).toBe(true);
    expect(samePoints([[1, 2]], [[1.1, 2]])).toBe(false);
    expect(samePoints([[1, 2]], [])).toBe(false);
  });
});
