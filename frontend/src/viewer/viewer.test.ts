import { describe, expect, it } from 'vitest';
import { indexOfImage, parseImageId, prefetchOrder, stackImages } from './imageIds';
import { describeWindow, fileWindow, fromVoiRange, toVoiRange } from './windowing';
import { TAGS, type DicomJsonDataset } from '../dicomweb/dicomJson';

const inst = (sop: string, n: number, frames?: number): DicomJsonDataset => ({
  [TAGS.SOPInstanceUID]: { vr: 'UI', Value: [sop] },
  [TAGS.InstanceNumber]: { vr: 'IS', Value: [n] },
  ...(frames ? { [TAGS.NumberOfFrames]: { vr: 'IS', Value: [frames] } } : {}),
});

describe('stackImages', () => {
  it('makes one wadors id per frame in instance order', () => {
    const images = stackImages('http://h', '/api/cases/c1/dicomweb', '1.2', '1.2.3', [inst('9.2', 2), inst('9.1', 1, 2)]);
    expect(images.map((i) => i.imageId)).toEqual([
      'wadors:http://h/api/cases/c1/dicomweb/studies/1.2/series/1.2.3/instances/9.1/frames/1',
      'wadors:http://h/api/cases/c1/dicomweb/studies/1.2/series/1.2.3/instances/9.1/frames/2',
      'wadors:http://h/api/cases/c1/dicomweb/studies/1.2/series/1.2.3/instances/9.2/frames/1',
    ]);
    expect(indexOfImage(images, '9.1', 2)).toBe(1);
    expect(indexOfImage(images, 'nope')).toBe(-1);
  });
  it('parses the UIDs back out of an image id', () => {
    expect(parseImageId('wadors:http://h/x/instances/1.2.3/frames/4')).toEqual({ sopInstanceUid: '1.2.3', frame: 4 });
    expect(parseImageId('other')).toBeNull();
  });
  it('prefetches nearest first', () => {
    expect(prefetchOrder(6, 2)).toEqual([3, 1, 4, 0, 5]);
    expect(prefetchOrder(3, 0, 1)).toEqual([1]);
  });
});

describe('windowing', () => {
  it('converts between centre/width and VOI range', () => {
    expect(toVoiRange({ center: 40, width: 400 })).toEqual({ lower: -160, upper: 239 });
    expect(fromVoiRange({ lower: -160, upper: 239 })).toEqual({ center: 40, width: 400 });
    expect(fromVoiRange(toVoiRange({ center: -600, width: 1500 }))).toEqual({ center: -600, width: 1500 });
    expect(describeWindow({ center: 39.6, width: 400.2 })).toBe('C 40 / W 400');
  });
  it('reads the file window', () => {
    expect(fileWindow([40, 50], [400, 500])).toEqual({ center: 40, width: 400 });
    expect(fileWindow(undefined, 400)).toBeNull();
    expect(fileWindow(40, 0)).toBeNull();
  });
});

import { attributeRows } from './attributes';

describe('attributeRows', () => {
  it('lists, names and filters attributes', () => {
    const rows = attributeRows({
      '00080060': { vr: 'CS', Value: ['CT'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'ANON^X' }] },
      '7FE00010': { vr: 'OW', BulkDataURI: 'http://x' },
      '00081140': { vr: 'SQ', Value: [{}, {}] },
    });
    expect(rows.map((r) => [r.tagLabel, r.name, r.value])).toEqual([
      ['(0008,0060)', 'Modality', 'CT'],
      ['(0008,1140)', '', '2 item(s)'],
      ['(0010,0010)', 'PatientName', 'ANON^X'],
      ['(7FE0,0010)', '', '(binary data)'],
    ]);
    expect(attributeRows({ '00080060': { vr: 'CS', Value: ['CT'] } }, 'modal')).toHaveLength(1);
    expect(attributeRows({ '00080060': { vr: 'CS', Value: ['CT'] } }, '(0008,0060)')).toHaveLength(1);
    expect(attributeRows({ '00080060': { vr: 'CS', Value: ['CT'] } }, 'MR')).toHaveLength(0);
  });
});
