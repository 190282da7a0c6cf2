import { useState } from 'react';
import type { KeyImage } from '../api/reports';
import { keyImageThumbnailUrl, MAX_CAPTION, MAX_KEY_IMAGES, removeAt, setCaption } from './items';

/** The draft's key images (picked in the viewer): thumbnail, caption, removal. */
export function KeyImagesPart({ caseId, keyImages, onChange }: { caseId: string; keyImages: KeyImage[]; onChange: (next: KeyImage[]) => void }) {
  return (
    <section className="report-part" aria-labelledby="key-images-heading">
      <h3 id="key-images-heading">Key images</h3>
      {keyImages.length === 0 ? (
        <p className="muted">No key images yet. In the viewer, show the image you want and press “Add key image”.</p>
      ) : (
        <>
          <p className="muted small">
            {keyImages.length} of at most {MAX_KEY_IMAGES}. They print in the PDF with their window and the annotations drawn on them.
          </p>
          <ul className="plain-list key-image-list">
            {keyImages.map((k, i) => (
              <li key={`${k.sop_instance_uid}-${k.frame_number ?? 1}-${k.window_center}-${k.window_width}-${i}`}>
                <Thumb src={keyImageThumbnailUrl(caseId, k)} alt={`Key image ${i + 1}${k.caption ? `: ${k.caption}` : ''}`} />
                <div className="key-image-fields">
                  <label htmlFor={`key-caption-${i}`}>Caption of key image {i + 1}</label>
                  <input
                    id={`key-caption-${i}`}
                    maxLength={MAX_CAPTION}
                    value={k.caption}
                    onChange={(e) => onChange(setCaption(keyImages, i, e.target.value))}
                  />
                  <span className="muted small">
                    {k.window_width ? `Window C ${round(k.window_center)} / W ${round(k.window_width)}` : 'Window from the file'}
                    {k.frame_number && k.frame_number > 1 ? ` · frame ${k.frame_number}` : ''}
                  </span>
                </div>
                <button type="button" className="button ghost" aria-label={`Remove key image ${i + 1}`} onClick={() => onChange(removeAt(keyImages, i))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const round = (v: number | null) => (v === null ? '' : Math.round(v * 10) / 10);

function Thumb({ src, alt }: { src: string; alt: string }) {
  const [broken, setBroken] = useState(false);
  return broken ? (
    <span className="key-thumb placeholder" role="img" aria-label={`${alt} (preview unavailable)`}>
      ?
    </span>
  ) : (
    <img className="key-thumb" src={src} alt={alt} loading="lazy" onError={() => setBroken(true)} />
  );
}
