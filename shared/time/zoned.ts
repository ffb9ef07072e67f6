import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';
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

/** The instant at which a wall-clock time happens in `timeZone` (DST handled by date-fns-tz). */
export function toInstant(local: LocalDateTime, timeZone: string): Date {
  return fromZonedTime(`${local}:00`, timeZone);
}

/** The wall-clock reading of `instant` in `timeZone`, as `YYYY-MM-DDTHH:mm`. */
export function toLocal(instant: Date, timeZone: string): LocalDateTime {
  return formatInTimeZone(instant, timeZone, "yyyy-MM-dd'T'HH:mm");
}

/** Long French rendering, e.g. `lundi 27 février 2023 à 09:00`. */
export function formatFrench(instant: Date, timeZone: string): string {
  const date = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeZone }).format(instant);
  const time = new Intl.DateTimeFormat('fr-FR', { timeStyle: 'short', timeZone }).format(instant);
  return `${date} à ${time}`;
}
