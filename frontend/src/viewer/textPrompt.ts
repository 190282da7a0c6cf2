/**
 * How the arrow and text tools ask for their text: through a requester the page registers (an
 * in-page dialog), never a blocking window.prompt while one is registered. No Cornerstone here, so
 * the page can import it eagerly while the engine is loaded lazily.
 */

/** Asks the user for text, starting from `initial`; resolves null when cancelled. */
export type TextRequester = (initial: string) => Promise<string | null>;

let requester: TextRequester | null = null;

export function setTextRequester(next: TextRequester | null): void {
  requester = next;
}

export function requestText(initial: string): Promise<string | null> {
  if (requester) return requester(initial);
  return Promise.resolve(window.prompt('Text', initial));
}

/** The text to keep: trimmed, at most 500 characters (a note on an image, not a report). */
export function cleanText(text: string | null | undefined): string {
  return (text ?? '').trim().slice(0, 500);
}
