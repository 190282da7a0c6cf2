import { describe, expect, it } from 'vitest';
import { distance, imageToWorld, planeFromMetadata, worldToImage, type ImagePlane } from './coords';
import { TAGS } from '../dicomweb/dicomJson';

const axial: ImagePlane = { ipp: [-100, -50, 20], rowCosine: [1, 0, 0], columnCosine: [0, 1, 0], rowSpacing: 0.5, columnSpacing: 0.8 };

describe('image ↔ world', () => {
  it('puts the centre of the first pixel at Image Position (Patient)', () => {
    expect(imageToWorld(axial, [0.5, 0.5])).toEqual([-100, -50, 20]);
    expect(worldToImage(axial, [-100, -50, 20])).toEqual([0.5, 0.5]);
  });
  it('uses column spacing along rows and row spacing down columns', () => {
    expect(imageToWorld(axial, [10.5, 4.5])).toEqual([-92, -48, 20]);
  });
  it('round-trips on an oblique plane and keeps lengths', () => {
    const s = Math.SQRT1_2;
    const oblique: ImagePlane = { ipp: [5, 6, 7], rowCosine: [s, s, 0], columnCosine: [0, 0, -1], rowSpacing: 1.2, columnSpacing: 0.7 };
    const a = imageToWorld(oblique, [12.25, 40.5]);
    const b = imageToWorld(oblique, [112.25, 40.5]);
    const back = worldToImage(oblique, a);
    expect(back[0]).toBeCloseTo(12.25, 9);
    expect(back[1]).toBeCloseTo(40.5, 9);
    expect(distance(a, b)).toBeCloseTo(100 * 0.7, 9);
  });
  it('reads the plane from metadata', () => {
    expect(
      planeFromMetadata({
        [TAGS.ImagePositionPatient]: { vr: 'DS', Value: [-100, -50, 20] },
        [TAGS.ImageOrientationPatient]: { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
        '00280030': { vr: 'DS', Value: [0.5, 0.8] },
      }),
    ).toEqual(axial);
    expect(planeFromMetadata({})).toBeNull();
  });
});
