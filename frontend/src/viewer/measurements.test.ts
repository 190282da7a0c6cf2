import { describe, expect, it } from 'vitest';
import { toolBindings } from './bindings';
import { describeValue, formatNumber, measurementRows } from './measurements';
import { cleanText } from './textPrompt';

const ann = (uid: string, toolName: string, imageId: string, stats: Record<string, unknown>, label?: string) => ({
  annotationUID: uid,
  metadata: { toolName, referencedImageId: imageId },
  data: { label, cachedStats: { [`imageId:${imageId}`]: stats } },
});

describe('measurement values', () => {
  it('formats numbers for reading', () => {
    expect(formatNumber(40.123)).toBe('40.12');
    expect(formatNumber(314.159)).toBe('314.2');
    expect(formatNumber(-0.001)).toBe('0');
  });

  it('shows ROI statistics with the modality unit (HU for CT)', () => {
    const roi = ann('u1', 'EllipticalROI', 'a', { mean: 40.04, stdDev: 2.345, area: 314.159, areaUnit: 'mm²', modalityUnit: 'HU' });
    expect(describeValue('EllipticalROI', roi)).toBe('Mean 40.04 HU · SD 2.35 HU · Area 314.2 mm²');
    const mr = ann('u2', 'RectangleROI', 'a', { mean: 120, stdDev: 5, area: 10, areaUnit: 'px²', modalityUnit: '' });
    expect(describeValue('RectangleROI', mr)).toBe('Mean 120 · SD 5 · Area 10 px²');
  });

  it('shows length, angle, probe and text', () => {
    expect(describeValue('Length', ann('l', 'Length', 'a', { length: 12.345, unit: 'mm' }))).toBe('12.35 mm');
    expect(describeValue('Angle', ann('g', 'Angle', 'a', { angle: 45.25 }))).toBe('45.25°');
    expect(describeValue('Probe', ann('p', 'Probe', 'a', { value: -998, modalityUnit: 'HU' }))).toBe('Value -998 HU');
    expect(describeValue('Label', ann('t', 'Label', 'a', {}, '  cyst  '))).toBe('cyst');
    // Stats not computed yet.
    expect(describeValue('Length', { annotationUID: 'x', data: { cachedStats: {} } })).toBe('');
  });

  it('lists the annotations of this stack in slice order with kind and image', () => {
    const rows = measurementRows(
      [
        ann('u1', 'Length', 'img-3', { length: 10, unit: 'mm' }),
        ann('u2', 'ArrowAnnotate', 'img-1', {}, 'look here'),
        ann('u3', 'Length', 'other-series', { length: 5, unit: 'mm' }),
        ann('u4', 'Crosshairs', 'img-1', {}),
      ],
      ['img-1', 'img-2', 'img-3'],
    );
    expect(rows.map((r) => [r.uid, r.kind, r.value, r.index, r.textual])).toEqual([
      ['u2', 'Arrow', 'look here', 0, true],
      ['u1', 'Length', '10 mm', 2, false],
    ]);
  });

  it('keeps note text short and trimmed', () => {
    expect(cleanText('  a  ')).toBe('a');
    expect(cleanText(null)).toBe('');
    expect(cleanText('x'.repeat(600))).toHaveLength(500);
  });
});

describe('tool bindings (mouse and touch)', () => {
  it('gives window/level the left button and one finger by default, pinch to zoom, three fingers to scroll', () => {
    const plan = toolBindings('WindowLevel');
    expect(plan.WindowLevel).toEqual([{ mouse: 'primary' }, { touch: 1 }]);
    expect(plan.Zoom).toEqual([{ mouse: 'secondary' }, { touch: 2 }]);
    expect(plan.Pan).toEqual([{ mouse: 'auxiliary' }]);
    expect(plan.StackScroll).toEqual([{ mouse: 'wheel' }, { touch: 3 }]);
    expect(plan.Length).toEqual([]);
  });

  it('moves the left button and one finger to the chosen tool only', () => {
    const plan = toolBindings('EllipticalROI');
    expect(plan.EllipticalROI).toEqual([{ mouse: 'primary' }, { touch: 1 }]);
    expect(plan.WindowLevel).toEqual([]);
    const owners = Object.entries(plan).filter(([, b]) => b.some((x) => 'touch' in x && x.touch === 1));
    expect(owners.map(([name]) => name)).toEqual(['EllipticalROI']);
    expect(toolBindings('Zoom').Zoom).toEqual([{ mouse: 'primary' }, { touch: 1 }, { mouse: 'secondary' }, { touch: 2 }]);
  });
});
