/** Formatting for people: French, in the edition's time zone (Europe/Paris unless the edition says otherwise). */

const DEFAULT_TIME_ZONE = 'Europe/Paris';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** `lundi 27 février 2023 à 09:00`. */
export function formatDateTime(value: string | Date, timeZone = DEFAULT_TIME_ZONE): string {
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'short', timeZone });
    dateTimeFormats.set(timeZone, format);
  }
  return format.format(typeof value === 'string' ? new Date(value) : value);
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
