/** Cornerstone wadors image ids for a series, from its WADO-RS metadata (PS3.18 10.4.1.1.3 frames). */
import { num, sortInstances, str, TAGS, type DicomJsonDataset } from '../dicomweb/dicomJson';

export interface StackImage {
  imageId: string;
  sopInstanceUid: string;
  /** 1-based frame number inside the instance. */
  frame: number;
  metadata: DicomJsonDataset;
}

/** `wadors:<absolute base>/studies/…/frames/<n>`, one per frame, in display order. */
export function stackImages(
  origin: string,
  base: string,
  studyUid: string,
  seriesUid: string,
  instances: DicomJsonDataset[],
): StackImage[] {
  const out: StackImage[] = [];
  for (const ds of sortInstances(instances)) {
    const sop = str(ds, TAGS.SOPInstanceUID);
    if (!sop) continue;
    const frames = Math.max(1, Math.floor(num(ds, TAGS.NumberOfFrames) ?? 1));
    for (let frame = 1; frame <= frames; frame += 1) {
      out.push({
        imageId: `wadors:${origin}${base}/studies/${studyUid}/series/${seriesUid}/instances/${sop}/frames/${frame}`,
        sopInstanceUid: sop,
        frame,
        metadata: ds,
      });
    }
  }
  return out;
}

/** The SOP Instance UID and frame an image id points at (what the live protocol sends, never URLs). */
export function parseImageId(imageId: string): { sopInstanceUid: string; frame: number } | null {
  const m = /\/instances\/([^/]+)\/frames\/(\d+)$/.exec(imageId);
  return m ? { sopInstanceUid: m[1]!, frame: Number(m[2]) } : null;
}

/** Index of the image showing (sop, frame) in a stack, or -1. */
export function indexOfImage(images: readonly StackImage[], sopInstanceUid: string, frame = 1): number {
  return images.findIndex((img) => img.sopInstanceUid === sopInstanceUid && img.frame === frame);
}

/** The indices to prefetch around `index`, nearest first (the first image shows before the rest arrive). */
export function prefetchOrder(count: number, index: number, radius = count): number[] {
  const order: number[] = [];
  for (let d = 1; d <= radius && order.length < count - 1; d += 1) {
    if (index + d < count) order.push(index + d);
    if (index - d >= 0) order.push(index - d);
  }
  return order;
}
