import { describe, expect, it } from 'vitest';
import type { StackImage } from './imageIds';
import { previewUrl, startImage } from './preview';

const image = (sop: string, frame = 1): StackImage => ({ imageId: `wadors:x/${sop}/${frame}`, sopInstanceUid: sop, frame, metadata: {} });

describe('viewport preview', () => {
  it('asks for the rendered frame of the image the viewer opens on', () => {
    expect(previewUrl('/api/cases/c1/dicomweb', '1.2', '1.2.3', image('1.2.3.4', 7))).toBe(
      '/api/cases/c1/dicomweb/studies/1.2/series/1.2.3/instances/1.2.3.4/frames/7/rendered',
    );
  });

  it('starts where the viewer starts: the wanted image, else the middle one', () => {
    const images = ['a', 'b', 'c', 'd', 'e'].map((s) => image(s));
    expect(startImage(images, 1)?.sopInstanceUid).toBe('b');
    expect(startImage(images, -1)?.sopInstanceUid).toBe('c');
    expect(startImage(images, 9)?.sopInstanceUid).toBe('c');
    expect(startImage([], -1)).toBeUndefined();
  });
});
