import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  frenchPublicHolidays,
  isWorkingDay,
} from '../../functions/instruction/working-days.ts';

/**
 * An oracle written here from the law (Code du travail, L3133-1): eight fixed dates, and Easter Monday,
 * Ascension (Easter + 39) and Whit Monday (Easter + 50). Easter by Oudin's algorithm (1940), not the
 * Meeus/Jones/Butcher one the code uses, checked against dates from the calendar below.
 */
function oudinEaster(year: number): Date {
  const div = (a: number, b: number) => Math.floor(a / b);
  const c = div(year, 100);
  const n = year - 19 * div(year, 19);
  const k = div(c - 17, 25);
  let i = c - div(c, 4) - div(c - k, 3) + 19 * n + 15;
  i = i - 30 * div(i, 30);
  i = i - div(i, 28) * (1 - div(i, 28) * div(29, i + 1) * div(21 - n, 11));
  let j = year + div(year, 4) + i + 2 - c + div(c, 4);
  j = j - 7 * div(j, 7);
  const l = i - j;
  const month = 3 + div(l + 40, 44);
  const day = l + 28 - 31 * div(month, 4);
  return new Date(Date.UTC(year, month - 1, day));
}

const DAY_MS = 86_400_000;
const iso = (date: Date) => date.toISOString().slice(0, 10);
const plusDays = (day: string, n: number) => iso(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));

function oracleHolidays(year: number): Set<string> {
  const easter = iso(oudinEaster(year));
  return new Set([
    ...['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map((md) => `${year}-${md}`),
    plusDays(easter, 1),
    plusDays(easter, 39),
    plusDays(easter, 50),
  ]);
}

function oracleWorkingDay(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !oracleHolidays(Number(day.slice(0, 4))).has(day);
}

/** Any day from 2000 to 2099, often in the last and first weeks of a year (counts across New Year). */
const anyDay = fc.oneof(
  fc.integer({ min: 0, max: 36_500 }).map((n) => plusDays('2000-01-01', n)),
  fc
    .record({ year: fc.integer({ min: 2000, max: 2098 }), offset: fc.integer({ min: -15, max: 12 }) })
    .map(({ year, offset }) => plusDays(`${year + 1}-01-01`, offset)),
  // Spring, where Easter, 1 and 8 May, Ascension and Whit Monday gather.
  fc
    .record({ year: fc.integer({ min: 2000, max: 2099 }), offset: fc.integer({ min: 0, max: 100 }) })
    .map(({ year, offset }) => plusDays(`${year}-03-15`, offset)),
);
const count = fc.integer({ min: 1, max: 45 });

describe('French working days, against an oracle from the law', () => {
  it('has an Easter oracle that agrees with the calendar', () => {
    const known = [
      ...['2000-04-23', '2008-03-23', '2011-04-24', '2019-04-21', '2024-03-31', '2025-04-20'],
      ...['2026-04-05', '2027-03-28', '2038-04-25', '2049-04-18', '2095-04-24'],
    ];
    expect(known.map((day) => iso(oudinEaster(Number(day.slice(0, 4)))))).toEqual(known);
  });

  it('lists each public holiday of the law once, sorted, for every year from 1900 to 2199 (Ascension falls on 1 or 8 May some years)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2199 }), (year) => {
        expect(frenchPublicHolidays(year)).toEqual([...oracleHolidays(year)].sort());
      }),
    );
  });

  it('lists 1 May 2008 once although it was also Ascension Day', () => {
    const holidays = frenchPublicHolidays(2008);
    expect(holidays.filter((day) => day === '2008-05-01')).toHaveLength(1);
    expect(holidays).toHaveLength(10);
  });

  it('calls a day a working day iff it is a weekday and no public holiday', () => {
    fc.assert(
      fc.property(anyDay, (day) => {
        expect(isWorkingDay(day)).toBe(oracleWorkingDay(day));
      }),
    );
  });

  it('lands on the n-th working day strictly after the start: never a weekend or a public holiday', () => {
    fc.assert(
      fc.property(anyDay, count, (day, n) => {
        // Act
        const deadline = addWorkingDays(day, n);
        // Assess: a working day, after the start, with exactly n working days in (day, deadline].
        expect(oracleWorkingDay(deadline)).toBe(true);
        expect(deadline > day).toBe(true);
        let working = 0;
        for (let d = plusDays(day, 1); d <= deadline; d = plusDays(d, 1)) if (oracleWorkingDay(d)) working++;
        expect(working).toBe(n);
      }),
    );
  });

  it('adds a then b working days as it adds a + b', () => {
    fc.assert(
      fc.property(anyDay, count, count, (day, a, b) => {
        expect(addWorkingDays(addWorkingDays(day, a), b)).toBe(addWorkingDays(day, a + b));
      }),
    );
  });

  it('never gives an earlier deadline for a later start or more days', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 20 }), count, count, (day, later, n, more) => {
        const deadline = addWorkingDays(day, n);
        expect(addWorkingDays(plusDays(day, later), n) >= deadline).toBe(true);
        expect(addWorkingDays(day, n + more) > deadline).toBe(true);
      }),
    );
  });
});
