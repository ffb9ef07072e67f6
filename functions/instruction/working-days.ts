/**
 * Working days in France (Monday to Friday, except public holidays), on Paris calendar days `YYYY-MM-DD`.
 *
 * Why no library: date-fns has no holiday calendar, the holiday packages (date-holidays and the like) ship
 * the rules of some 200 countries for one list of eleven dates, and this repository adds no dependency
 * without need. The list is fixed by law (Code du travail, L3133-1): eight fixed dates and three that
 * follow Easter. The extra days of Alsace-Moselle (Good Friday, 26 December) are not included.
 */

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher), as `YYYY-MM-DD`. */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatDay(new Date(Date.UTC(year, month - 1, day)));
}

/**
 * The French public holidays of a year, sorted, each once: eleven, or ten when Ascension falls on 1 or 8 May
 * (as in 2008).
 */
export function frenchPublicHolidays(year: number): string[] {
  const easter = easterSunday(year);
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map(
    (monthDay) => `${year}-${monthDay}`,
  );
  // Easter Monday, Ascension (Thursday, Easter + 39), Whit Monday (Easter + 50).
  return [...new Set([...fixed, addDays(easter, 1), addDays(easter, 39), addDays(easter, 50)])].sort();
}

const holidayCache = new Map<number, Set<string>>();
function holidaysOf(year: number): Set<string> {
  let set = holidayCache.get(year);
  if (!set) {
    set = new Set(frenchPublicHolidays(year));
    holidayCache.set(year, set);
  }
  return set;
}

export function isWorkingDay(day: string): boolean {
  const weekday = parseDay(day).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !holidaysOf(Number(day.slice(0, 4))).has(day);
}

/** The `n`-th working day strictly after `day` (n ≥ 1). */
export function addWorkingDays(day: string, n: number): string {
  let current = day;
  for (let found = 0; found < n; ) {
    current = addDays(current, 1);
    if (isWorkingDay(current)) found++;
  }
  return current;
}

/** Calendar arithmetic on `YYYY-MM-DD` (UTC noon-free: days only). */
export function addDays(day: string, n: number): string {
  const date = parseDay(day);
  date.setUTCDate(date.getUTCDate() + n);
  return formatDay(date);
}

function parseDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
