/**
 * CSV cells for every file the platform writes (open data, staff exports, the pabulib `.pb`). Dependency-free:
 * the counting library uses it too.
 *
 * Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`,
 * a tab or a carriage return as a formula. A text cell that begins so is prefixed with a single quote and
 * quoted, so the spreadsheet shows it as text. Numbers are not text: `-12.5` stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?$/;
const NEEDS_QUOTES = /[;"\r\n]/;

/** Whether a text cell would start a formula in a spreadsheet (numbers never do). */
export function startsFormula(text: string): boolean {
  return FORMULA_START.test(text) && !NUMBER.test(text);
}

/**
 * One cell of a `;`-separated row: text that would start a formula gets a leading `'` and quotes; text
 * holding a `;`, a quote or a line break is quoted (quotes doubled, RFC 4180).
 */
export function csvCell(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return String(value);
  if (startsFormula(value)) return `"'${value.replaceAll('"', '""')}"`;
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Rows of cells, `;`-separated, CRLF line ends (RFC 4180), UTF-8: what French spreadsheets open as is. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | undefined | null)[])[],
): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(';')).join('\r\n')}\r\n`;
}
