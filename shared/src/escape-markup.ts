/**
 * @module The one escaper for HTML, SVG and XML: the worker's status page and Atom feed, and the
 * firewalld XML files. Feed ids, reasons and URLs come
 * from configuration and from upstream, so besides the five markup characters, bidirectional-text
 * controls and other invisible controls are shown as a visible `[U+202E]` instead of reordering
 * the text around them, and C0 controls (not allowed in XML 1.0) are shown the same way.
 */

const MARKUP = /[&<>"']/g

/**
 * Everything but tab, newline, carriage return, printable ASCII and visible Unicode: C0 and C1
 * controls, DEL, LRM/RLM, the line and paragraph separators, and the bidi embeddings, overrides
 * and isolates (U+202A-202E, U+2066-2069).
 */
const INVISIBLE = /[^\t\n\r\u0020-\u007e\u00a0-\u200d\u2010-\u2027\u202f-\u2065\u206a-\uffff]/g

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for element content and single- or double-quoted attributes. */
export function escapeMarkup(text: string): string {
  return text
    .replace(MARKUP, (ch) => ENTITIES[ch]!)
    .replace(
      INVISIBLE,
      (ch) => `[U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`,
    )
}
