import { formatInTimeZone } from 'date-fns-tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextFireTime } from '../../local/schedule-expression.ts';

/**
 * Properties of `nextFireTime` in Europe/Paris, checked against an oracle written here from the expression's
 * definition: the fields of a cron are compared with the Paris wall-clock reading of an instant (date-fns-tz),
 * never with the parser's own sets. Conventions the oracle encodes (EventBridge Scheduler user guide, java.time):
 * a wall-clock time that a spring-forward day skips never fires (cron) or fires just after the gap (at);
 * a time that a fall-back day repeats fires once, at its first occurrence (the earlier, summer offset).
 */
const PARIS = 'Europe/Paris';
const MINUTE = 60_000;
const HOUR = 3_600_000;

const CHANGE_DAYS = ['2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31'];

/** Instants in the nights of the 2026 and 2027 time changes (often), the days around them, and any day. */
const fromInstant = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({ day: fc.constantFrom(...CHANGE_DAYS), seconds: fc.integer({ min: -3600, max: 3 * 3600 }) })
      .map(({ day, seconds }) => new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000)),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        day: fc.oneof(
          fc.constantFrom('2026-03-28', '2026-03-29', '2026-10-24', '2026-10-25', '2027-03-28', '2027-10-31'),
          fc
            .date({
              min: new Date('2026-01-01T00:00:00Z'),
              max: new Date('2027-12-31T00:00:00Z'),
              noInvalidDate: true,
            })
            .map((d) => d.toISOString().slice(0, 10)),
        ),
        seconds: fc.integer({ min: -6 * 3600, max: 30 * 3600 }),
      })
      .map(({ day, seconds }) => new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000)),
  },
);

interface CronFields {
  minutes: number[];
  hours: number[];
  daysOfMonth?: number[];
  months?: number[];
  daysOfWeek?: number[];
  years?: number[];
}

const someOf = (min: number, max: number, maxLength: number) =>
  fc
    .uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength })
    .map((values) => values.sort((a, b) => a - b));

/** Small crons that fire often enough to step through minute by minute; hours 0-4 cover the time changes. */
const anyCron: fc.Arbitrary<CronFields> = fc.record(
  {
    minutes: someOf(0, 59, 4),
    hours: fc.oneof(someOf(0, 4, 3), someOf(0, 23, 6)),
    daysOfMonth: someOf(1, 31, 20),
    months: someOf(1, 12, 8),
    daysOfWeek: someOf(1, 7, 4),
    years: fc.constantFrom([2026], [2027], [2026, 2027]),
  },
  { requiredKeys: ['minutes', 'hours'] },
);

/** Every night between 01:00 and 03:59, where the time changes happen. */
const nightlyCron: fc.Arbitrary<CronFields> = fc.record({
  minutes: someOf(0, 59, 3),
  hours: someOf(1, 3, 2),
});

const cronFields = fc.oneof(anyCron, { weight: 2, arbitrary: nightlyCron });

function cronExpression(fields: CronFields): string {
  const list = (values: number[] | undefined) => (values ? values.join(',') : '*');
  // Exactly one of day-of-month and day-of-week is `?`.
  const [dom, dow] = fields.daysOfWeek ? ['?', list(fields.daysOfWeek)] : [list(fields.daysOfMonth), '?'];
  return `cron(${list(fields.minutes)} ${list(fields.hours)} ${dom} ${list(fields.months)} ${dow} ${list(fields.years)})`;
}

/**
 * Paris offset from EU law: summer time (UTC+2) from the last Sunday of March 01:00 UTC to the last Sunday
 * of October 01:00 UTC, else UTC+1. Fast enough to step minute by minute; checked against date-fns-tz below.
 */
function parisOffset(instant: number): number {
  const year = new Date(instant).getUTCFullYear();
  const lastSunday = (month: number) => {
    const last = new Date(Date.UTC(year, month + 1, 0, 1));
    return last.getTime() - last.getUTCDay() * 24 * HOUR;
  };
  return instant >= lastSunday(2) && instant < lastSunday(9) ? 2 * HOUR : HOUR;
}

/** The Paris wall-clock reading of an instant: year, month, day, hour, minute, ISO weekday (1 = Monday). */
function reading(instant: number): number[] {
  const local = new Date(instant + parisOffset(instant));
  const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
  return [
    local.getUTCFullYear(),
    local.getUTCMonth() + 1,
    local.getUTCDate(),
    local.getUTCHours(),
    local.getUTCMinutes(),
    weekday,
  ];
}

/** Whether the cron fires at this minute-aligned instant, from its definition. */
function cronFiresAt(fields: CronFields, instant: number): boolean {
  const [year, month, day, hour, minute, isoWeekday] = reading(instant) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const awsWeekday = (isoWeekday % 7) + 1; // AWS: 1 = Sunday ... 7 = Saturday.
  const has = (values: number[] | undefined, value: number) => !values || values.includes(value);
  const dayMatches = fields.daysOfWeek
    ? fields.daysOfWeek.includes(awsWeekday)
    : has(fields.daysOfMonth, day);
  if (!(fields.minutes.includes(minute) && fields.hours.includes(hour) && has(fields.months, month)))
    return false;
  if (!(has(fields.years, year) && dayMatches)) return false;
  // A reading that the fall-back hour repeats fires at its first occurrence only.
  return reading(instant - HOUR).join() !== reading(instant).join();
}

/** At most this many minutes are stepped through after `from` (a day and a bit). */
const WINDOW_MINUTES = 1_500;

describe('cron() in Europe/Paris', () => {
  it('reads Paris time as date-fns-tz does (the oracle below relies on it)', () => {
    fc.assert(
      fc.property(fromInstant, (from) => {
        const t = Math.floor(from.getTime() / MINUTE) * MINUTE;
        const expected = formatInTimeZone(new Date(t), PARIS, 'yyyy M d H m i').split(' ').map(Number);
        expect(reading(t)).toEqual(expected);
      }),
    );
  });

  it('fires strictly after `from`, at a minute the expression names, with no such minute in between', () => {
    fc.assert(
      fc.property(cronFields, fromInstant, (fields, from) => {
        // Act
        const next = nextFireTime(cronExpression(fields), PARIS, from);
        // Assess: the first matching minute after `from`, found by stepping, is the answer.
        let cursor = Math.floor(from.getTime() / MINUTE) * MINUTE + MINUTE;
        for (let step = 0; step < WINDOW_MINUTES; step++, cursor += MINUTE) {
          if (cronFiresAt(fields, cursor)) {
            expect(next?.toISOString()).toBe(new Date(cursor).toISOString());
            return;
          }
        }
        // Nothing in the window: the answer (if any) lies beyond it and is a match.
        if (next === undefined) return;
        expect(next.getTime()).toBeGreaterThanOrEqual(cursor);
        expect(next.getTime() % MINUTE).toBe(0);
        expect(cronFiresAt(fields, next.getTime())).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same next time from any instant between `from` and that time', () => {
    fc.assert(
      fc.property(cronFields, fromInstant, fc.integer({ min: 0, max: 1000 }), (fields, from, permille) => {
        // Prepare
        const expression = cronExpression(fields);
        const next = nextFireTime(expression, PARIS, from);
        fc.pre(next !== undefined);
        const later = new Date(
          from.getTime() + Math.floor((permille / 1000) * ((next?.getTime() ?? 0) - from.getTime() - 1)),
        );
        // Act / Assess
        expect(nextFireTime(expression, PARIS, later)?.toISOString()).toBe(next?.toISOString());
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['before the first 02:15 of the fall-back night', '2026-10-25T00:10:00Z', '2026-10-25T00:15:00.000Z'],
    ['between the first and the second 02:15', '2026-10-25T00:30:00Z', '2026-10-26T01:15:00.000Z'],
    ['after the second 02:15', '2026-10-25T01:30:00Z', '2026-10-26T01:15:00.000Z'],
  ])('fires once at 02:15 on the fall-back night, at its first occurrence: %s', (_, from, expected) => {
    expect(nextFireTime('cron(15 2 * * ? *)', PARIS, new Date(from))?.toISOString()).toBe(expected);
  });
});

describe('rate()', () => {
  const rate = fc.record({
    value: fc.integer({ min: 1, max: 90 }),
    unit: fc.constantFrom(['minutes', MINUTE], ['hours', HOUR], ['days', 24 * HOUR]) as fc.Arbitrary<
      [string, number]
    >,
  });

  it('fires at the anchor plus a whole number of periods, strictly after `from`, the first such time', () => {
    fc.assert(
      fc.property(rate, fromInstant, fromInstant, ({ value, unit: [unit, unitMs] }, anchor, from) => {
        // Act
        const next = nextFireTime(`rate(${value} ${unit})`, PARIS, from, anchor);
        // Assess
        const period = value * unitMs;
        expect(next).toBeDefined();
        const at = next?.getTime() ?? 0;
        expect(at).toBeGreaterThan(from.getTime());
        expect(at).toBeGreaterThanOrEqual(anchor.getTime());
        expect((at - anchor.getTime()) % period).toBe(0);
        // The time before it was not after `from`, unless it is the anchor itself.
        if (at !== anchor.getTime()) expect(at - period).toBeLessThanOrEqual(from.getTime());
      }),
    );
  });
});

describe('at()', () => {
  /** Wall-clock times of 2026-2027, seconds included, many of them in the time-change nights. */
  const localTime = fc
    .record({
      day: fc.oneof(
        fc.constantFrom('2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31'),
        fc
          .date({
            min: new Date('2026-01-01T00:00:00Z'),
            max: new Date('2027-12-31T00:00:00Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString().slice(0, 10)),
      ),
      hour: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 23 })),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
    })
    .map(({ day, hour, minute, second }) => {
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${day}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
    });

  /**
   * The instant a Paris wall-clock time names. Paris is UTC+1 or UTC+2: the instant is one or two hours before
   * the same reading in UTC; both exist on a fall-back night (the first one wins), neither in a spring-forward
   * gap, where the time moves forward by the gap: read with the winter offset (02:30 becomes 03:30 summer time).
   */
  function oracle(local: string): number {
    const asUtc = Date.parse(`${local}Z`);
    const readsAsLocal = (t: number) =>
      formatInTimeZone(new Date(t), PARIS, "yyyy-MM-dd'T'HH:mm:ss") === local;
    const first = [asUtc - 2 * HOUR, asUtc - HOUR].find(readsAsLocal);
    return first ?? asUtc - HOUR;
  }

  it('fires once, at the wall-clock time it names, only if that is after `from`', () => {
    fc.assert(
      fc.property(localTime, fromInstant, (local, from) => {
        // Act
        const next = nextFireTime(`at(${local})`, PARIS, from);
        // Assess
        const expected = oracle(local);
        if (expected > from.getTime()) expect(next?.toISOString()).toBe(new Date(expected).toISOString());
        else expect(next).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });
});
