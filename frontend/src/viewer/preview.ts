/**
 * The first look at a series before Cornerstone is ready: the server renders the image the viewport is
 * about to show (WADO-RS rendered frame, PS3.18 8.3.5.1.2, the file's own window) and the pane shows it
 * as a plain <img> until Cornerstone draws the same image from the original pixels. Cornerstone's code
 * takes most of a cold start (bench/bench_viewer.py); the rendered JPEG needs only the series metadata,
 * which is requested as the page starts.
 */
import type { StackImage } from './imageIds';

/** performance.mark set when the first preview is on screen (bench_viewer reports it beside FIRST_IMAGE_MARK). */
export const FIRST_PREVIEW_MARK = 'viewer:first-preview';

/** The rendered (JPEG) URL of one image of a stack. */
export function previewUrl(base: string, studyUid: string, seriesUid: string, image: StackImage): string {
  return `${base}/studies/${studyUid}/series/${seriesUid}/instances/${image.sopInstanceUid}/frames/${image.frame}/rendered`;
}

/** Which image a newly shown stack starts at: the wanted one when valid, else the middle one. */
export function startImage(images: readonly StackImage[], wanted: number): StackImage | undefined {
  return images[wanted >= 0 && wanted < images.length ? wanted : Math.floor(images.length / 2)];
}

const preloaded = new Map<string, HTMLImageElement>();

/** Fetches and decodes a preview before its pane exists (the <img> then finds it in the image cache). */
export function preloadPreview(url: string): void {
  if (preloaded.has(url) || typeof Image === 'undefined') return;
  const img = new Image();
  img.src = url;
  preloaded.set(url, img);
  void img.decode().catch(() => preloaded.delete(url));
}

function marked(): boolean {
  return typeof performance === 'undefined' || performance.getEntriesByName(FIRST_PREVIEW_MARK, 'mark').length > 0;
}

/** Marks the first preview once it is decoded and about to be painted (once per page). */
export function markFirstPreview(img: HTMLImageElement): void {
  if (marked()) return;
  void img
    .decode()
    .catch(() => undefined)
    .then(() =>
      requestAnimationFrame(() => {
        if (!marked()) performance.mark(FIRST_PREVIEW_MARK);
      }),
    );
}
