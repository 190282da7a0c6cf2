import { useState } from 'react';
import type { DicomJsonDataset } from '../dicomweb/dicomJson';
import { attributeRows } from './attributes';

/** A searchable table of the current image's DICOM attributes (from WADO-RS metadata). */
export function AttributeBrowser({ dataset, onClose }: { dataset: DicomJsonDataset; onClose: () => void }) {
  const [filter, setFilter] = useState('');
  const rows = attributeRows(dataset, filter);
  return (
    <aside className="attributes" aria-label="DICOM attributes">
      <div className="attributes-head">
        <strong>DICOM attributes</strong>
        <button type="button" className="link-button" onClick={onClose}>
          Close
        </button>
      </div>
      <input type="search" aria-label="Filter attributes" placeholder="Filter by tag, name or value" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <table>
        <tbody>
          {rows.map((r) => (
            <tr key={r.tag}>
              <td className="tag">
                {r.tagLabel} <span className="vr">{r.vr}</span>
                {r.name && <span className="block attr-name">{r.name}</span>}
              </td>
              <td className="value">{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
