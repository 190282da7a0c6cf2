import { describe, expect, it } from 'vitest';
import type { KeyImage, Measurement } from '../api/reports';
import {
  addKeyImage,
  addMeasurements,
  amendReasonError,
  defaultSelection,
  describeMeasurement,
  importChoices,
  keyImageThumbnailUrl,
  MAX_KEY_IMAGES,
  removeAt,
  setCaption,
  setMeasurementFinding,
} from './items';

const m = (annotation_id: string, kind = 'length', value = 12.4, unit = 'mm'): Measurement => ({
  annotation_id,
  kind,
  value,
  unit,
  study_instance_uid: '1.2.3',
  series_instance_uid: '1.2.3.4',
  sop_class_uid: '1.2.840.10008.5.1.4.1.1.2',
  sop_instance_uid: '1.2.3.4.5',
  frame_number: null,
  graphic_type: 'POLYLINE',
  points: [
    [1, 2],
    [3, 4],
  ],
  finding: '',
});

const k = (sop: string, center: number | null = 40, width: number | null = 400): KeyImage => ({
  study_instance_uid: '1.2.3',
  series_instance_uid: '1.2.3.4',
  sop_class_uid: '1.2.840.10008.5.1.4.1.1.2',
  sop_instance_uid: sop,
  frame_number: 1,
  window_center: center,
  window_width: width,
  annotation_ids: [],
  caption: '',
});

describe('measurement import', () => {
  const imported = { items: [m('a'), m('b', 'area', 113.1, 'mm2'), m('b', 'mean', 31.5, "[hnsf'U]"), m('a')], skipped: [] };

  it('lists each value once, marks the ones already in the draft and preselects the rest', () => {
    const choices = importChoices(imported, [m('a')]);
    expect(choices.map((c) => [c.key, c.added])).toEqual([
      ['a|length', true],
      ['b|area', false],
      ['b|mean', false],
    ]);
    expect([...defaultSelection(choices)]).toEqual(['b|area', 'b|mean']);
  });

  it('adds only the chosen values that the draft does not have yet', () => {
    const choices = importChoices(imported, [m('a')]);
    const result = addMeasurements([m('a')], choices, new Set(['a|length', 'b|mean']));
    expect(result.error).toBeNull();
    expect(result.added).toBe(1);
    expect(result.measurements.map((x) => `${x.annotation_id}|${x.kind}`)).toEqual(['a|length', 'b|mean']);
  });

  it('refuses to go past the limit and keeps the list as it was', () => {
    const many = Array.from({ length: 500 }, (_, i) => m(`x${i}`));
    const result = addMeasurements(many, importChoices(imported, many), new Set(['b|area']));
    expect(result.error).toMatch(/at most 500/);
    expect(result.measurements).toHaveLength(500);
  });

  it('edits the finding label and removes a value', () => {
    const list = [m('a'), m('b')];
    expect(setMeasurementFinding(list, 1, 'RUL nodule')[1]!.finding).toBe('RUL nodule');
    expect(setMeasurementFinding(list, 0, 'x'.repeat(300))[0]!.finding).toHaveLength(200);
    expect(removeAt(list, 0).map((x) => x.annotation_id)).toEqual(['b']);
  });

  it('describes values with readable units', () => {
    expect(describeMeasurement(m('a'))).toBe('Length 12.4 mm');
    expect(describeMeasurement({ kind: 'area', value: 113.1, unit: 'mm2' })).toBe('Area 113.1 mm²');
    expect(describeMeasurement({ kind: 'angle', value: 30, unit: 'deg' })).toBe('Angle 30°');
    expect(describeMeasurement({ kind: 'mean', value: 31.456, unit: "[hnsf'U]" })).toBe('Mean 31.46 HU');
    expect(describeMeasurement({ kind: 'length', value: 31.25, unit: 'mm' })).toBe('Length 31.25 mm');
  });
});

describe('key images', () => {
  it('adds an image once per window, trims the caption and stops at the limit', () => {
    const first = addKeyImage([], { ...k('1.1'), caption: '  Meniscus  ' });
    expect(first.error).toBeNull();
    expect(first.keyImages[0]!.caption).toBe('Meniscus');
    expect(addKeyImage(first.keyImages, k('1.1')).error).toMatch(/already a key image/);
    expect(addKeyImage(first.keyImages, k('1.1', -600, 1500)).keyImages).toHaveLength(2);
    const full = Array.from({ length: MAX_KEY_IMAGES }, (_, i) => k(`2.${i}`));
    const refused = addKeyImage(full, k('3.1'));
    expect(refused.error).toMatch(/at most 12/);
    expect(refused.keyImages).toHaveLength(MAX_KEY_IMAGES);
  });

  it('edits captions within the limit and removes images', () => {
    const list = [k('1.1'), k('1.2')];
    expect(setCaption(list, 1, 'Lung window')[1]!.caption).toBe('Lung window');
    expect(setCaption(list, 0, 'c'.repeat(600))[0]!.caption).toHaveLength(500);
    expect(removeAt(list, 1).map((x) => x.sop_instance_uid)).toEqual(['1.1']);
  });

  it('thumbnails come from the rendered WADO-RS frame with the key image window', () => {
    const url = keyImageThumbnailUrl('case-1', k('1.1', -600, 1500), 120);
    expect(url).toBe(
      '/api/cases/case-1/dicomweb/studies/1.2.3/series/1.2.3.4/instances/1.1/frames/1/rendered?viewport=120%2C120&window=-600%2C1500',
    );
    expect(keyImageThumbnailUrl('case-1', k('1.1', null, null))).not.toContain('window=');
  });
});

describe('amendment reason', () => {
  it('needs a few words and at most 2000 characters', () => {
    expect(amendReasonError('')).toMatch(/Say why/);
    expect(amendReasonError('  ab ')).toMatch(/Say why/);
    expect(amendReasonError('Wrong side')).toBeNull();
    expect(amendReasonError('x'.repeat(2001))).toMatch(/under 2000/);
  });
});
