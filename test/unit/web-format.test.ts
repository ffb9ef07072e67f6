import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDay } from '../../web/src/lib/format.ts';

const spaces = (text: string) => text.replace(/\s+/g, ' ');

describe('the shared French date formatter (web/src/lib/format.ts)', () => {
  it('writes the first of the month « 1er »', () => {
    expect(formatDay('2024-03-01')).toBe('1er mars 2024');
    expect(spaces(formatDateTime('2026-03-01T08:00:00Z'))).toBe('dimanche 1er mars 2026 à 09:00');
  });

  it('writes other days as numbers, « 11 » and « 21 » included', () => {
    expect(formatDay('2024-03-11')).toBe('11 mars 2024');
    expect(formatDay('2024-03-21')).toBe('21 mars 2024');
    expect(spaces(formatDateTime('2026-12-15T14:30:00Z'))).toBe('mardi 15 décembre 2026 à 15:30');
  });

  it('reads an instant in the edition’s time zone and a calendar day as it is', () => {
    // 23:30 UTC on 28 February is already 1 March in Paris.
    expect(formatDay('2024-02-29T23:30:00Z', 'Europe/Paris')).toBe('1er mars 2024');
    expect(formatDay('2024-02-29T23:30:00Z', 'UTC')).toBe('29 février 2024');
    expect(formatDay('2024-12-01')).toBe('1er décembre 2024');
  });
});
