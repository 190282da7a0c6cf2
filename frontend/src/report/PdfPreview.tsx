import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { fetchReportFile, reportPdfUrl, reportPreviewUrl } from '../api/reports';
import { ErrorAlert, Loading } from '../ui/components';

/**
 * The report as it will print. The page's CSP keeps blob: and API documents out of frames, so the
 * preview shows the PDF's own HTML source (key images included) in a script-less sandboxed frame,
 * and the PDF itself is offered as a download.
 */
export function PdfPreview({ caseId, version, beforeLoad }: { caseId: string; version: number; beforeLoad: () => Promise<void> }) {
  const [html, setHtml] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<'preview' | 'pdf' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pdfUrl, setPdfUrl] = useState<string | null>(null);
  useEffect(() => () => void (pdfUrl && URL.revokeObjectURL(pdfUrl)), [pdfUrl]);

  async function preview() {
    setBusy('preview');
    setError(null);
    try {
      await beforeLoad();
      const blob = await fetchReportFile(reportPreviewUrl(caseId, version), 'text/html');
      setHtml(await blob.text());
      setOpen(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  async function download() {
    setBusy('pdf');
    setError(null);
    try {
      await beforeLoad();
      const blob = await fetchReportFile(reportPdfUrl(caseId, version), 'application/pdf');
      const url = URL.createObjectURL(blob);
      setPdfUrl(url);
      const a = document.createElement('a');
      a.href = url;
      a.download = `report-draft-v${version}.pdf`;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="pdf-preview">
      <div className="form-actions">
        <button type="button" className="button secondary" disabled={busy !== null} onClick={preview}>
          {busy === 'preview' ? 'Preparing preview…' : open ? 'Refresh preview' : 'Preview PDF'}
        </button>
        <button type="button" className="button ghost" disabled={busy !== null} onClick={download}>
          {busy === 'pdf' ? 'Making the PDF…' : 'Download draft PDF'}
        </button>
        {open && (
          <button type="button" className="button ghost" onClick={() => setOpen(false)}>
            Close preview
          </button>
        )}
      </div>
      <ErrorAlert message={error} />
      {busy === 'preview' && <Loading label="Preparing the preview…" />}
      {open && html !== null && <iframe className="preview-frame" title="PDF preview" sandbox="" srcDoc={html} />}
    </div>
  );
}
