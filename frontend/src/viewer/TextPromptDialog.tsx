import { useEffect, useRef, useState } from 'react';
import { setTextRequester } from './textPrompt';

interface Pending {
  initial: string;
  resolve: (text: string | null) => void;
}

/**
 * The in-page dialog the arrow and text tools use for their text (instead of window.prompt, which
 * blocks the page and cannot be styled or tested). Registered while the viewer page is mounted.
 */
export function TextPromptDialog() {
  const [pending, setPending] = useState<Pending | null>(null);
  const [text, setText] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setTextRequester(
      (initial) =>
        new Promise<string | null>((resolve) => {
          setText(initial);
          setPending((before) => {
            before?.resolve(null);
            return { initial, resolve };
          });
        }),
    );
    return () => setTextRequester(null);
  }, []);

  useEffect(() => {
    if (pending) inputRef.current?.focus();
  }, [pending]);

  if (!pending) return null;
  const finish = (value: string | null) => {
    pending.resolve(value);
    setPending(null);
  };
  return (
    <div className="text-prompt-backdrop">
      <form
        className="text-prompt"
        role="dialog"
        aria-modal="true"
        aria-label={pending.initial ? 'Edit the text' : 'Text for the annotation'}
        onSubmit={(e) => {
          e.preventDefault();
          finish(text);
        }}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') finish(null);
        }}
      >
        <label htmlFor="annotation-text">{pending.initial ? 'Edit the text' : 'Text for the annotation'}</label>
        <input id="annotation-text" ref={inputRef} value={text} maxLength={500} onChange={(e) => setText(e.target.value)} />
        <div className="row-actions">
          <button type="submit" className="tool active" disabled={!text.trim()}>
            OK
          </button>
          <button type="button" className="tool" onClick={() => finish(null)}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
