/** Rows of the attribute browser: tag, keyword, VR and a readable value. */
import { TAGS, type DicomJsonDataset } from '../dicomweb/dicomJson';

const NAMES: Record<string, string> = Object.fromEntries(Object.entries(TAGS).map(([name, tag]) => [tag, name]));
Object.assign(NAMES, {
  '00080060': 'Modality',
  '00080070': 'Manufacturer',
  '00180050': 'SliceThickness',
  '00280030': 'PixelSpacing',
  '00280100': 'BitsAllocated',
  '00280101': 'BitsStored',
  '00280103': 'PixelRepresentation',
  '00281052': 'RescaleIntercept',
  '00281053': 'RescaleSlope',
  '00280004': 'PhotometricInterpretation',
  '00280002': 'SamplesPerPixel',
  '00020010': 'TransferSyntaxUID',
  '00080008': 'ImageType',
  '00100030': 'PatientBirthDate',
  '00100040': 'PatientSex',
  '00120062': 'PatientIdentityRemoved',
  '00120063': 'DeidentificationMethod',
});

export interface AttributeRow {
  tag: string;
  tagLabel: string;
  name: string;
  vr: string;
  value: string;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const pn = (value as { Alphabetic?: string }).Alphabetic;
    if (pn !== undefined) return pn;
    return JSON.stringify(value);
  }
  return String(value);
}

export function attributeRows(ds: DicomJsonDataset, filter = ''): AttributeRow[] {
  const needle = filter.trim().toLowerCase();
  return Object.keys(ds)
    .sort()
    .map((tag) => {
      const el = ds[tag]!;
      let value: string;
      if (el.vr === 'SQ') value = `${el.Value?.length ?? 0} item(s)`;
      else if (el.BulkDataURI || el.InlineBinary) value = '(binary data)';
      else value = (el.Value ?? []).map(show).join('\\');
      if (value.length > 200) value = `${value.slice(0, 200)}…`;
      return { tag, tagLabel: `(${tag.slice(0, 4)},${tag.slice(4)})`, name: NAMES[tag] ?? '', vr: el.vr, value };
    })
    .filter(
      (row) =>
        !needle ||
        row.tag.toLowerCase().includes(needle.replace(/[(),]/g, '')) ||
        row.name.toLowerCase().includes(needle) ||
        row.value.toLowerCase().includes(needle),
    );
}
