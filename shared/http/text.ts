import * as z from 'zod/mini';

/**
 * The one place where people's text is cleaned on the way in, used by every text field of the HTTP schemas:
 * nothing typed or pasted into a title, a name or a reason can break an email header, reorder a page's text
 * or hide in a log.
 *
 * - C0 and C1 controls (U+0000–U+001F, U+007F–U+009F) and the bidirectional embeddings, overrides and
 *   isolates (U+202A–U+202E, U+2066–U+2069) are removed (a "Trojan Source" title reads one way and says
 *   another);
 * - line breaks (CR, LF, NEL, U+2028, U+2029) and tabs: a single line gets one space instead (no header
 *   injection), a multi-line text keeps `\n` (CRLF and CR become `\n`) and turns tabs into a space.
 */
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROLS_EXCEPT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` on one line: line breaks and tabs become a space, other controls and bidi overrides go. */
export function toSingleLine(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(/\t/g, ' ').replace(CONTROLS_EXCEPT_LF, '');
}

/** `text` with its lines: line breaks become `\n`, tabs a space, other controls and bidi overrides go. */
export function toMultiLine(text: string): string {
  return text.replace(LINE_BREAKS, '\n').replace(/\t/g, ' ').replace(CONTROLS_EXCEPT_LF, '');
}

/** A string field expected on one line (titles, names, short reasons, search terms): cleaned, then checked. */
export const singleLineText = (params?: Parameters<typeof z.string>[0]) =>
  z.string(params).check(z.overwrite(toSingleLine));

/** A string field with lines (descriptions, long reasons, opinions): keeps `\n`, loses other controls. */
export const multiLineText = (params?: Parameters<typeof z.string>[0]) =>
  z.string(params).check(z.overwrite(toMultiLine));
