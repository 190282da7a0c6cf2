/**
 * Between world coordinates (patient space, mm; what Cornerstone tools store) and image pixel
 * coordinates in the DICOM SCOORD convention (PS3.3 C.18.6.1.1: column x, row y, the top left
 * corner of the top left pixel is 0.0\0.0). Image Position (Patient) is the centre of that pixel
 * (PS3.3 C.7.6.2.1.1), hence the half-pixel offsets.
 */
import { all, TAGS, type DicomJsonDataset } from '../dicomweb/dicomJson';

export type Vec3 = [number, number, number];

export interface ImagePlane {
  /** Image Position (Patient): centre of the first pixel. */
  ipp: Vec3;
  /** Direction of increasing column index (first three of Image Orientation (Patient)). */
  rowCosine: Vec3;
  /** Direction of increasing row index. */
  columnCosine: Vec3;
  /** Pixel Spacing: [between rows, between columns] in mm. */
  rowSpacing: number;
  columnSpacing: number;
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** The plane of an image from its DICOM JSON metadata, or null when it has no geometry. */
export function planeFromMetadata(ds: DicomJsonDataset): ImagePlane | null {
  const ipp = all(ds, TAGS.ImagePositionPatient).map(Number);
  const iop = all(ds, TAGS.ImageOrientationPatient).map(Number);
  const spacing = all(ds, '00280030').map(Number);
  if (ipp.length !== 3 || iop.length !== 6 || spacing.length !== 2) return null;
  if (![...ipp, ...iop, ...spacing].every(Number.isFinite)) return null;
  return {
    ipp: ipp as Vec3,
    rowCosine: iop.slice(0, 3) as Vec3,
    columnCosine: iop.slice(3, 6) as Vec3,
    rowSpacing: spacing[0]!,
    columnSpacing: spacing[1]!,
  };
}

/** World (mm) → SCOORD image pixel coordinates [column, row]. */
export function worldToImage(plane: ImagePlane, world: Vec3): [number, number] {
  const d: Vec3 = [world[0] - plane.ipp[0], world[1] - plane.ipp[1], world[2] - plane.ipp[2]];
  return [dot(d, plane.rowCosine) / plane.columnSpacing + 0.5, dot(d, plane.columnCosine) / plane.rowSpacing + 0.5];
}

/** SCOORD image pixel coordinates [column, row] → world (mm), on the image plane. */
export function imageToWorld(plane: ImagePlane, [x, y]: [number, number]): Vec3 {
  const u = (x - 0.5) * plane.columnSpacing;
  const v = (y - 0.5) * plane.rowSpacing;
  return [0, 1, 2].map((k) => plane.ipp[k]! + plane.rowCosine[k]! * u + plane.columnCosine[k]! * v) as Vec3;
}

export function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
