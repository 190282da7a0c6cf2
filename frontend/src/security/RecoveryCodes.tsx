import { useState } from 'react';

/** Recovery codes shown once, with copy and download, and an explicit "saved" step. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = codes.join('\n');
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(
    `Second Opinion recovery codes (each works once)\n\n${text}\n`,
  )}`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <div className="secret-once" role="region" aria-label="Recovery codes">
      <h3>Save your recovery codes</h3>
      <p>
        If you lose your phone, each of these codes signs you in once. They are shown only now: store them somewhere
        safe, such as a password manager.
      </p>
      <ul className="recovery-codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="form-actions">
        <button type="button" className="button secondary" onClick={copy}>
          {copied ? 'Copied' : 'Copy codes'}
        </button>
        <a className="button secondary" href={download} download="recovery-codes.txt">
          Download
        </a>
        <span className="spacer" />
        <button type="button" className="button primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}
