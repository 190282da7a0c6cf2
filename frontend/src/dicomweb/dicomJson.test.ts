import { describe, expect, it } from 'vitest';
import { num, personName, seriesSummary, sortInstances, str, studySummary, TAGS, type DicomJsonDataset } from './dicomJson';

const instance = (n: number, z: number): DicomJsonDataset => ({
  [TAGS.SOPInstanceUID]: { vr: 'UI', Value: [`1.2.${n}`] },
  [TAGS.InstanceNumber]: { vr: 'IS', Value: [n] },
  [TAGS.ImagePositionPatient]: { vr: 'DS', Value: [0, 0, z] },
  [TAGS.ImageOrientationPatient]: { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
});

describe('DICOM JSON', () => {
  it('reads strings, numbers and person names', () => {
    const ds: DicomJsonDataset = {
      [TAGS.PatientName]: { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] },
      [TAGS.SeriesNumber]: { vr: 'IS', Value: ['7'] },
      [TAGS.Modality]: { vr: 'CS', Value: ['CT'] },
    };
    expect(str(ds, TAGS.PatientName)).toBe('JANE DOE');
    expect(personName({ Alphabetic: 'Smith' })).toBe('Smith');
    expect(num(ds, TAGS.SeriesNumber)).toBe(7);
    expect(num(ds, TAGS.Rows)).toBeUndefined();
    expect(str(ds, TAGS.Modality)).toBe('CT');
    expect(str(undefined, TAGS.Modality)).toBe('');
  });

  it('summarises studies and series', () => {
    const study = studySummary({
      [TAGS.StudyInstanceUID]: { vr: 'UI', Value: ['1.2.3'] },
      [TAGS.StudyDate]: { vr: 'DA', Value: ['20261121'] },
      [TAGS.ModalitiesInStudy]: { vr: 'CS', Value: ['CT', 'SR'] },
      [TAGS.NumberOfStudyRelatedInstances]: { vr: 'IS', Value: [200] },
    });
    expect(study).toMatchObject({ studyInstanceUid: '1.2.3', modalities: ['CT', 'SR'], instances: 200 });
    expect(study.date).toMatch(/2026/);
    expect(seriesSummary({ [TAGS.Modality]: { vr: 'CS', Value: ['MR'] } })).toMatchObject({ modality: 'MR', description: '' });
  });

  it('sorts a stack by slice position, falling back to instance number', () => {
    const sorted = sortInstances([instance(1, 30), instance(2, 10), instance(3, 20)]);
    expect(sorted.map((ds) => num(ds, TAGS.InstanceNumber))).toEqual([2, 3, 1]);
    const noGeometry = [3, 1, 2].map((n) => ({ [TAGS.InstanceNumber]: { vr: 'IS', Value: [n] } }));
    expect(sortInstances(noGeometry).map((ds) => num(ds, TAGS.InstanceNumber))).toEqual([1, 2, 3]);
  });
});
