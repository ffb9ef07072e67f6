import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toInstant, toLocal } from '../../shared/time/zoned.ts';

/**
 * shared/time/zoned.ts converts with `Intl.DateTimeFormat` to keep date-fns out of the bundles; date-fns-tz, which
 * it replaced and which local/ and web/ still use, is the oracle. Times are drawn often in the nights of the time
 * changes, where a wall-clock time is skipped (spring) or repeated (autumn).
 */
const ZONES = [
  'Europe/Paris',
  'America/Cayenne',
  'Indian/Reunion',
  'Pacific/Noumea',
  'America/Sao_Paulo',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
  'Europe/Dublin',
];
const CHANGE_DAYS = ['2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31', '2026-04-05', '2026-11-01'];
const pad = (n: number) => String(n).padStart(2, '0');

const localTime = fc
  .record({
    day: fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...CHANGE_DAYS) },
      fc
        .date({
          min: new Date('1990-01-01T00:00:00Z'),
          max: new Date('2045-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10)),
    ),
    hour: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 23 })),
    minute: fc.integer({ min: 0, max: 59 }),
  })
  .map(({ day, hour, minute }) => `${day}T${pad(hour)}:${pad(minute)}`);

const zone = fc.oneof({ weight: 2, arbitrary: fc.constant('Europe/Paris') }, fc.constantFrom(...ZONES));

describe('wall-clock times of an edition zone', () => {
  it('names the same instant as date-fns-tz, skipped and repeated times included', () => {
    fc.assert(
      fc.property(localTime, zone, (local, timeZone) => {
        // Act
        const instant = toInstant(local, timeZone);
        // Assess
        expect(instant.toISOString()).toBe(fromZonedTime(`${local}:00`, timeZone).toISOString());
      }),
      { numRuns: 400 },
    );
  });

  it('reads an instant as date-fns-tz does, to the minute', () => {
    const instant = fc.oneof(
      fc
        .record({
          day: fc.constantFrom(...CHANGE_DAYS),
          seconds: fc.integer({ min: -6 * 3600, max: 30 * 3600 }),
        })
        .map(({ day, seconds }) => new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000 + 999)),
      fc.date({
        min: new Date('1990-01-01T00:00:00Z'),
        max: new Date('2045-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
    );
    fc.assert(
      fc.property(instant, zone, (at, timeZone) => {
        // Act
        const local = toLocal(at, timeZone);
        // Assess
        expect(local).toBe(formatInTimeZone(at, timeZone, "yyyy-MM-dd'T'HH:mm"));
      }),
      { numRuns: 400 },
    );
  });

  it('reads Paris around the 2026 time changes as before', () => {
    // Prepare, Act, Assess: 02:30 is skipped on 29 March (read with summer time), repeated on 25 October (the
    // second one, in winter time), as date-fns-tz has always answered for the calendar.
    expect(toInstant('2026-03-29T01:59', 'Europe/Paris').toISOString()).toBe('2026-03-29T00:59:00.000Z');
    expect(toInstant('2026-03-29T02:30', 'Europe/Paris').toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(toInstant('2026-03-29T03:00', 'Europe/Paris').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(toInstant('2026-10-25T02:30', 'Europe/Paris').toISOString()).toBe('2026-10-25T01:30:00.000Z');
    expect(toLocal(new Date('2026-10-25T00:30:00Z'), 'Europe/Paris')).toBe('2026-10-25T02:30');
    expect(toLocal(new Date('2026-10-25T01:30:00Z'), 'Europe/Paris')).toBe('2026-10-25T02:30');
    expect(toLocal(new Date('2026-12-31T23:00:00Z'), 'Europe/Paris')).toBe('2027-01-01T00:00');
  });
});
