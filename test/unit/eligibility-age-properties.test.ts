import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEligibility } from '../../functions/identity/eligibility.ts';
import { EditionConfig } from '../../shared/edition/edition-config.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import minimal from '../fixtures/edition-minimal.json' with { type: 'json' };

/**
 * Age eligibility: "at least `minimumAge` full years on the day the vote opens", that day read in the
 * edition's time zone. The oracle here counts by anniversaries: someone born on 29 February has their
 * birthday on 1 March in a common year (28 February has not yet completed the year).
 */
const base = EditionConfig.parse(minimal);
const commune = base.territories[0]?.communes[0] as string;

const DAY_MS = 86_400_000;
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The day someone born on `birthDate` completes `years` years. */
function anniversary(birthDate: string, years: number): string {
  const year = Number(birthDate.slice(0, 4)) + years;
  const monthDay = birthDate.slice(5);
  if (monthDay === '02-29' && !isLeap(year)) return `${year}-03-01`;
  return `${String(year).padStart(4, '0')}-${monthDay}`;
}

/** The calendar day of the opening, from the instant it names in the edition's zone. */
const openingDay = (voteOpen: string, timeZone: string) =>
  formatInTimeZone(fromZonedTime(`${voteOpen}:00`, timeZone), timeZone, 'yyyy-MM-dd');

const ZONES = ['Europe/Paris', 'America/Cayenne', 'Indian/Reunion', 'Pacific/Noumea'];

/** Opening days of 2024-2032, often around 29 February, at any minute, often just after midnight. */
const opening = fc.record({
  day: fc.oneof(
    fc.integer({ min: 0, max: 9 * 366 }).map((n) => plusDays('2024-01-01', n)),
    fc
      .record({ year: fc.integer({ min: 2024, max: 2032 }), offset: fc.integer({ min: -2, max: 2 }) })
      .map(({ year, offset }) => plusDays(`${year}-03-01`, offset)),
  ),
  time: fc.oneof(
    fc.constantFrom('00:00', '00:01', '00:30', '01:59', '02:30', '23:00', '23:59'),
    fc
      .record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }) })
      .map(({ h, m }) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  ),
  timeZone: fc.oneof({ weight: 3, arbitrary: fc.constant('Europe/Paris') }, fc.constantFrom(...ZONES)),
  minimumAge: fc.oneof(fc.constantFrom(0, 11, 16, 18), fc.integer({ min: 0, max: 30 })),
});

/** A birth date near the minimum age's anniversary (29 February often), or any date since 1900. */
const case_ = opening.chain((o) =>
  fc
    .record({
      birthDate: fc.oneof(
        fc
          .integer({ min: -3, max: 3 })
          .map((n) => plusDays(`${Number(o.day.slice(0, 4)) - o.minimumAge}${o.day.slice(4)}`, n)),
        fc.integer({ min: 2, max: 8 }).map((back) => {
          // 29 February of a leap year some years before.
          let year = Number(o.day.slice(0, 4)) - o.minimumAge - back;
          while (!isLeap(year)) year--;
          return `${year}-02-29`;
        }),
        fc.integer({ min: 0, max: 130 * 365 }).map((n) => plusDays('1900-01-01', n)),
      ),
      registeredBefore: fc.integer({ min: 0, max: 400 }),
    })
    .map(({ birthDate, registeredBefore }) => {
      const registration = plusDays(o.day, -registeredBefore);
      // Registered some days before the opening, never before being born.
      return { ...o, birthDate, today: [birthDate, registration].sort()[1] as string };
    }),
);

function ageVerdict(o: {
  day: string;
  time: string;
  timeZone: string;
  minimumAge: number;
  birthDate: string;
  today: string;
}) {
  const config: EditionConfig = {
    ...base,
    timeZone: o.timeZone,
    calendar: { ...base.calendar, voteOpen: `${o.day}T${o.time}` },
    eligibility: { ...base.eligibility, minimumAge: o.minimumAge },
  };
  const profile = {
    firstName: 'Camille',
    lastName: 'Martin',
    birthDate: o.birthDate,
    commune,
    workOrStudy: false,
  };
  try {
    checkEligibility(config, profile, o.today);
    return 'eligible';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('age eligibility at the opening of the vote', () => {
  it('is eligible iff the minimum age is reached on or before the opening day, read in the edition’s zone', () => {
    fc.assert(
      fc.property(case_, (c) => {
        // Prepare: a plausible birth date (since 1900, not after the day of registration).
        fc.pre(c.birthDate >= '1900-01-01');
        // Act
        const verdict = ageVerdict(c);
        // Assess
        const old = anniversary(c.birthDate, c.minimumAge) <= openingDay(`${c.day}T${c.time}`, c.timeZone);
        expect(verdict).toBe(old ? 'eligible' : 'not_eligible_age');
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    [
      'born 29 Feb 2008: not 18 on 28 February 2026 (a common year)',
      '2008-02-29',
      18,
      '2026-02-28T09:00',
      'Europe/Paris',
      'not_eligible_age',
    ],
    [
      'born 29 Feb 2008: 18 on 1 March 2026',
      '2008-02-29',
      18,
      '2026-03-01T09:00',
      'Europe/Paris',
      'eligible',
    ],
    [
      'born 29 Feb 2012: 16 on 29 February 2028 (a leap year)',
      '2012-02-29',
      16,
      '2028-02-29T09:00',
      'Europe/Paris',
      'eligible',
    ],
    [
      'born 29 Feb 2012: not 16 on 28 February 2028',
      '2012-02-29',
      16,
      '2028-02-28T23:59',
      'Europe/Paris',
      'not_eligible_age',
    ],
    ['18th birthday on the opening day', '2009-06-01', 18, '2027-06-01T09:00', 'Europe/Paris', 'eligible'],
    [
      '18th birthday the day after the opening',
      '2009-06-02',
      18,
      '2027-06-01T09:00',
      'Europe/Paris',
      'not_eligible_age',
    ],
    [
      'opening at 00:30 in Paris, still 31 May in UTC: the Paris day counts',
      '2009-06-01',
      18,
      '2027-06-01T00:30',
      'Europe/Paris',
      'eligible',
    ],
    [
      'opening at 23:30 in Cayenne, already 2 June in UTC: the local day counts',
      '2009-06-02',
      18,
      '2027-06-01T23:30',
      'America/Cayenne',
      'not_eligible_age',
    ],
  ])('decides the age on the opening day: %s', (_, birthDate, minimumAge, voteOpen, timeZone, expected) => {
    const [day, time] = voteOpen.split('T') as [string, string];
    expect(ageVerdict({ day, time, timeZone, minimumAge, birthDate, today: birthDate })).toBe(expected);
  });
});
