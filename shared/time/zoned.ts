import * as z from 'zod/mini';

/** A wall-clock date-time without offset, read in the edition's time zone: `2023-02-27T09:00`. */
export const LocalDateTime = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, {
    message: 'Date et heure attendues au format AAAA-MM-JJTHH:MM',
  }),
  z.refine(
    (value) => {
      const parsed = new Date(`${value}:00Z`);
      return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
    },
    { message: 'Date ou heure impossible' },
  ),
);
export type LocalDateTime = z.infer<typeof LocalDateTime>;

export const TimeZone = z.string().check(
  z.refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat('fr-FR', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'Fuseau horaire IANA inconnu (par exemple Europe/Paris)' },
  ),
);

/*
 * Why by hand, over `Intl.DateTimeFormat`, rather than date-fns-tz: these two conversions are all the functions
 * need, and date-fns-tz's `formatInTimeZone` brings date-fns's whole `format` into every bundle that reads a
 * local time (~26 kB minified of a function's cold start). The rules are date-fns-tz's, which stays the oracle of
 * test/unit/zoned-time-properties.test.ts (DST gaps and repeated hours included) and the library of local/ and web/.
 */

/** One formatter per zone: building an `Intl.DateTimeFormat` costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `instant` (whole seconds) in `timeZone`, as the epoch milliseconds of that reading in UTC. */
function wallClock(instant: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const fields: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) fields[part.type] = part.value;
  const year = Number(fields.year) * (fields.era === 'BC' || fields.era === 'B' ? -1 : 1);
  const utc = new Date(0);
  utc.setUTCFullYear(year, Number(fields.month) - 1, Number(fields.day));
  utc.setUTCHours(Number(fields.hour), Number(fields.minute), Number(fields.second));
  return utc.getTime();
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in milliseconds (date-fns-tz's `calcOffset`). */
function offsetAt(instant: number, timeZone: string): number {
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return wallClock(wholeSeconds, timeZone) - wholeSeconds;
}

/**
 * The instant at which a wall-clock time happens in `timeZone`. As date-fns-tz's `fromZonedTime` (its
 * `fixOffset`): a time that a fall-back night repeats is its second occurrence (the winter offset), and a time
 * that a spring-forward night skips is read with the offset after the change (02:30 in Paris is 00:30 UTC).
 */
export function toInstant(local: LocalDateTime, timeZone: string): Date {
  const wall = Date.parse(`${local}:00Z`);
  const guess = offsetAt(wall, timeZone);
  const atGuess = offsetAt(wall - guess, timeZone);
  if (atGuess === guess) return new Date(wall - guess);
  const corrected = offsetAt(wall - atGuess, timeZone);
  return new Date(wall - (atGuess === corrected ? atGuess : Math.max(atGuess, corrected)));
}

/** The wall-clock reading of `instant` in `timeZone`, as `YYYY-MM-DDTHH:mm`. */
export function toLocal(instant: Date, timeZone: string): LocalDateTime {
  return new Date(wallClock(instant.getTime(), timeZone)).toISOString().slice(0, 16);
}

/** Long French rendering, e.g. `lundi 27 février 2023 à 09:00`. */
export function formatFrench(instant: Date, timeZone: string): string {
  const date = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeZone }).format(instant);
  const time = new Intl.DateTimeFormat('fr-FR', { timeStyle: 'short', timeZone }).format(instant);
  return `${date} à ${time}`;
}
