/** Reading the DICOM JSON model (PS3.18 F.2) that QIDO-RS and WADO-RS metadata answer with. */

export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

export type DicomJsonDataset = Record<string, DicomJsonElement>;

export const TAGS = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  StudyDate: '00080020',
  StudyTime: '00080030',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  PatientName: '00100010',
  PatientID: '00100020',
  AccessionNumber: '00080050',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  NumberOfFrames: '00280008',
  ImagePositionPatient: '00200032',
  ImageOrientationPatient: '00200037',
  SliceLocation: '00201041',
  WindowCenter: '00281050',
  WindowWidth: '00281051',
  Rows: '00280010',
  Columns: '00280011',
} as const;

/** The first value of a tag (or undefined). */
export function first(ds: DicomJsonDataset | undefined, tag: string): unknown {
  return ds?.[tag]?.Value?.[0];
}

export function str(ds: DicomJsonDataset | undefined, tag: string): string {
  const v = first(ds, tag);
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && v !== null && 'Alphabetic' in v) return personName(v);
  return String(v);
}

export function num(ds: DicomJsonDataset | undefined, tag: string): number | undefined {
  const v = first(ds, tag);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function all(ds: DicomJsonDataset | undefined, tag: string): unknown[] {
  return ds?.[tag]?.Value ?? [];
}

/** "DOE^JANE" → "Jane Doe" style display of a PN value. */
export function personName(value: unknown): string {
  const alpha = (value as { Alphabetic?: string })?.Alphabetic ?? '';
  const [family = '', given = ''] = alpha.split('^');
  return [given, family].filter(Boolean).join(' ').trim();
}

/** "20261121" → "21 Nov 2026"; anything else is returned unchanged. */
export function formatDicomDate(da: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da);
  if (!m) return da;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export interface StudySummary {
  studyInstanceUid: string;
  date: string;
  description: string;
  modalities: string[];
  series: number | undefined;
  instances: number | undefined;
}

export function studySummary(ds: DicomJsonDataset): StudySummary {
  return {
    studyInstanceUid: str(ds, TAGS.StudyInstanceUID),
    date: formatDicomDate(str(ds, TAGS.StudyDate)),
    description: str(ds, TAGS.StudyDescription),
    modalities: all(ds, TAGS.ModalitiesInStudy).map(String),
    series: num(ds, TAGS.NumberOfStudyRelatedSeries),
    instances: num(ds, TAGS.NumberOfStudyRelatedInstances),
  };
}

export interface SeriesSummary {
  seriesInstanceUid: string;
  number: number | undefined;
  modality: string;
  description: string;
  instances: number | undefined;
}

export function seriesSummary(ds: DicomJsonDataset): SeriesSummary {
  return {
    seriesInstanceUid: str(ds, TAGS.SeriesInstanceUID),
    number: num(ds, TAGS.SeriesNumber),
    modality: str(ds, TAGS.Modality),
    description: str(ds, TAGS.SeriesDescription),
    instances: num(ds, TAGS.NumberOfSeriesRelatedInstances),
  };
}

/** Sorts instances of a series for stack display: by position along the normal, then instance number. */
export function sortInstances(instances: DicomJsonDataset[]): DicomJsonDataset[] {
  const withKey = instances.map((ds) => {
    const ipp = all(ds, TAGS.ImagePositionPatient).map(Number);
    const iop = all(ds, TAGS.ImageOrientationPatient).map(Number);
    let position: number | undefined;
    if (ipp.length === 3 && iop.length === 6 && [...ipp, ...iop].every(Number.isFinite)) {
      const [a, b, c, d, e, f] = iop as [number, number, number, number, number, number];
      const normal = [b * f - c * e, c * d - a * f, a * e - b * d] as const;
      position = ipp[0]! * normal[0] + ipp[1]! * normal[1] + ipp[2]! * normal[2];
    }
    return { ds, position, instance: num(ds, TAGS.InstanceNumber) ?? 0 };
  });
  const allHavePosition = withKey.every((k) => k.position !== undefined);
  withKey.sort((x, y) =>
    allHavePosition && x.position !== y.position ? x.position! - y.position! : x.instance - y.instance,
  );
  return withKey.map((k) => k.ds);
}
