/**
 * Formatting for people: French, in the edition's time zone (Europe/Paris unless the edition says otherwise).
 * The one place pages format dates: `Intl` writes « 1 mars », French writes « 1er mars ».
 */

const DEFAULT_TIME_ZONE = 'Europe/Paris';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(kind: 'day' | 'dateTime', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      'fr-FR',
      kind === 'day'
        ? { day: 'numeric', month: 'long', year: 'numeric', timeZone }
        : { dateStyle: 'full', timeStyle: 'short', timeZone },
    );
    formats.set(key, format);
  }
  return format;
}

/** The parts joined back, the first of the month written « 1er ». */
function frenchParts(format: Intl.DateTimeFormat, date: Date): string {
  return format
    .formatToParts(date)
    .map((part) => (part.type === 'day' && Number(part.value) === 1 ? '1er' : part.value))
    .join('');
}

/** `YYYY-MM-DD` is a calendar day (no zone); anything else an instant. */
function toDate(value: string | Date): { date: Date; calendarDay: boolean } {
  if (value instanceof Date) return { date: value, calendarDay: false };
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const [, year, month, date] = day.map(Number) as [number, number, number, number];
    return { date: new Date(Date.UTC(year, month - 1, date)), calendarDay: true };
  }
  return { date: new Date(value), calendarDay: false };
}

/** `dimanche 1er mars 2026 à 09:00`. */
export function formatDateTime(value: string | Date, timeZone = DEFAULT_TIME_ZONE): string {
  return frenchParts(formatOf('dateTime', timeZone), toDate(value).date);
}

/**
 * `1er mars 2024`. A calendar day (`2024-03-01`) is shown as it is; an instant is shown as the day it is in
 * the edition's time zone.
 */
export function formatDay(value: string | Date, timeZone = DEFAULT_TIME_ZONE): string {
  const { date, calendarDay } = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return frenchParts(formatOf('day', calendarDay ? 'UTC' : timeZone), date);
}

const euros = new Intl.NumberFormat('fr-FR', {
  style: 'currency',
  currency: 'EUR',
  maximumFractionDigits: 0,
});

/** `2 000 000 €` (with the narrow no-break spaces French typography wants). */
export function formatEuros(amount: number): string {
  return euros.format(amount);
}

/** `1 commune`, `12 communes`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${new Intl.NumberFormat('fr-FR').format(count)}\u00a0${count > 1 ? pluralForm : singular}`;
}
