import { formatInTimeZone, fromZonedTime, getTimezoneOffset } from 'date-fns-tz';

/**
 * EventBridge Scheduler expressions (`at()`, `rate()`, `cron()`) read in an IANA time zone, following
 * the Scheduler user guide: a cron time that does not exist on a spring-forward day is skipped, one that
 * happens twice on a fall-back day runs once (at its first occurrence, as java.time reads it), and `rate()`
 * counts fixed durations (a day is 24 h).
 */

export class ScheduleExpressionError extends Error {
  override name = 'ScheduleExpressionError';
}

export type ParsedSchedule =
  | { readonly kind: 'at'; readonly localTime: string }
  | { readonly kind: 'rate'; readonly periodMs: number }
  | {
      readonly kind: 'cron';
      readonly minutes: readonly number[];
      readonly hours: readonly number[];
      /** Undefined for `?`. */
      readonly daysOfMonth?: ReadonlySet<number>;
      readonly months: readonly number[];
      /** 1 = Sunday … 7 = Saturday, as in AWS cron. Undefined for `?`. */
      readonly daysOfWeek?: ReadonlySet<number>;
      readonly years: readonly number[];
    };

const UNIT_MS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

export function parseScheduleExpression(expression: string): ParsedSchedule {
  const trimmed = expression.trim();
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(trimmed);
  if (at?.[1]) {
    const localTime = at[1];
    // A date such as 2026-02-30 would silently roll over in Date.UTC: compare it with its round trip.
    if (new Date(`${localTime}Z`).toISOString().slice(0, 19) !== localTime) {
      throw new ScheduleExpressionError(`Invalid date in ${expression}`);
    }
    return { kind: 'at', localTime };
  }
  const rate = /^rate\((\d+)\s+([a-z]+)\)$/.exec(trimmed);
  if (rate?.[1] && rate[2]) {
    const value = Number(rate[1]);
    const unitMs = UNIT_MS[rate[2]];
    if (!unitMs || value < 1) {
      throw new ScheduleExpressionError(
        `Invalid rate in ${expression}: expected rate(<n ≥ 1> minute(s)|hour(s)|day(s))`,
      );
    }
    return { kind: 'rate', periodMs: value * unitMs };
  }
  const cron = /^cron\((.*)\)$/.exec(trimmed);
  if (cron?.[1] !== undefined) return parseCron(cron[1], expression);
  throw new ScheduleExpressionError(
    `Unknown schedule expression ${expression}: expected at(), rate() or cron()`,
  );
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first time strictly after `after` at which the expression fires, or undefined if it never does
 * again. `rate()` fires at `anchor + k × period` (k ≥ 0); its anchor is the schedule's start (StartDate,
 * or its creation, since Scheduler starts a rate schedule immediately) and defaults to `after`.
 */
export function nextFireTime(
  expression: string,
  timeZone: string,
  after: Date,
  anchor: Date = after,
): Date | undefined {
  if (!isValidTimeZone(timeZone)) throw new ScheduleExpressionError(`Unknown time zone ${timeZone}`);
  const parsed = parseScheduleExpression(expression);
  switch (parsed.kind) {
    case 'at': {
      const instant = zonedInstant(parsed.localTime, timeZone, 'shift');
      return instant && instant > after ? instant : undefined;
    }
    case 'rate': {
      const start = anchor.getTime();
      if (start > after.getTime()) return new Date(start);
      const periods = Math.floor((after.getTime() - start) / parsed.periodMs) + 1;
      return new Date(start + periods * parsed.periodMs);
    }
    case 'cron':
      return nextCronTime(parsed, timeZone, after);
  }
}

type CronSchedule = Extract<ParsedSchedule, { kind: 'cron' }>;

function nextCronTime(cron: CronSchedule, timeZone: string, after: Date): Date | undefined {
  const [year, month, day, hour, minute] = formatInTimeZone(after, timeZone, 'yyyy M d H m')
    .split(' ')
    .map(Number);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined
  ) {
    return undefined;
  }
  // Walk the calendar in local wall-clock time and skip what is before `after`; the final `> after`
  // check settles the hour that a fall-back day repeats.
  for (const y of cron.years) {
    if (y < year) continue;
    for (const m of cron.months) {
      if (y === year && m < month) continue;
      const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
      for (let d: number = y === year && m === month ? day : 1; d <= lastDay; d++) {
        if (!dayMatches(cron, y, m, d)) continue;
        const today = y === year && m === month && d === day;
        for (const h of cron.hours) {
          if (today && h < hour) continue;
          for (const min of cron.minutes) {
            if (today && h === hour && min < minute) continue;
            const instant = zonedInstant(
              `${pad(y, 4)}-${pad(m)}-${pad(d)}T${pad(h)}:${pad(min)}:00`,
              timeZone,
              'skip',
            );
            if (instant && instant > after) return instant;
          }
        }
      }
    }
  }
  return undefined;
}

function dayMatches(cron: CronSchedule, year: number, month: number, day: number): boolean {
  if (cron.daysOfMonth) return cron.daysOfMonth.has(day);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
  return cron.daysOfWeek?.has(weekday) ?? false;
}

/**
 * The instant a local wall-clock time names in a zone. A time inside a spring-forward gap does not exist:
 * `skip` gives undefined (cron), `shift` moves it forward by the gap, as java.time does (at()). A time that
 * a fall-back day repeats names two instants: the earlier one (summer offset), as java.time does. It must be
 * the earlier: `nextCronTime` skips the wall-clock times before `after`'s reading, which is only sound if
 * no skipped reading names an instant after `after`.
 */
function zonedInstant(localTime: string, timeZone: string, gap: 'skip' | 'shift'): Date | undefined {
  const instant = fromZonedTime(localTime, timeZone);
  const roundTrip = formatInTimeZone(instant, timeZone, "yyyy-MM-dd'T'HH:mm:ss");
  if (roundTrip === localTime) {
    // date-fns-tz gives the later instant of a repeated time; the offset of the day before gives the earlier.
    const earlier = new Date(
      Date.parse(`${localTime}Z`) - getTimezoneOffset(timeZone, new Date(instant.getTime() - 86_400_000)),
    );
    const repeated =
      earlier < instant && formatInTimeZone(earlier, timeZone, "yyyy-MM-dd'T'HH:mm:ss") === localTime;
    return repeated ? earlier : instant;
  }
  if (gap === 'skip') return undefined;
  return new Date(instant.getTime() + Date.parse(`${localTime}Z`) - Date.parse(`${roundTrip}Z`));
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  daysOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  months: {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  daysOfWeek: {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
  },
  years: { name: 'year', min: 1970, max: 2199 },
} satisfies Record<string, FieldSpec>;

function parseCron(body: string, expression: string): ParsedSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      `${expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (/[LW#]/i.test(`${dom} ${dow}`.replace(/SUN|MON|TUE|WED|THU|FRI|SAT/gi, ''))) {
    throw new ScheduleExpressionError(`${expression}: L, W and # are not supported by the local scheduler`);
  }
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError(`${expression}: exactly one of day-of-month and day-of-week must be ?`);
  }
  return {
    kind: 'cron',
    minutes: parseField(minutes, FIELDS.minutes, expression),
    hours: parseField(hours, FIELDS.hours, expression),
    daysOfMonth: dom === '?' ? undefined : new Set(parseField(dom, FIELDS.daysOfMonth, expression)),
    months: parseField(month, FIELDS.months, expression),
    daysOfWeek: dow === '?' ? undefined : new Set(parseField(dow, FIELDS.daysOfWeek, expression)),
    years: parseField(year, FIELDS.years, expression),
  };
}

/** Supports `*`, lists, ranges, steps after `*`, a value or a range (`10/15`, `1-20/2`), and names (`MON-FRI`). */
function parseField(text: string, spec: FieldSpec, expression: string): number[] {
  const fail = (why: string) =>
    new ScheduleExpressionError(`${expression}: invalid ${spec.name} field "${text}": ${why}`);
  const value = (token: string): number => {
    const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
    const n = named >= 0 ? spec.min + named : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!(n >= spec.min && n <= spec.max)) throw fail(`"${token}" is not within ${spec.min}-${spec.max}`);
    return n;
  };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText, ...rest] = item.split('/');
    if (range === undefined || rest.length > 0) throw fail('too many "/"');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw fail(`step "${stepText}" must be a positive integer`);
    let from: number;
    let to: number;
    if (range === '*') {
      [from, to] = [spec.min, spec.max];
    } else if (range.includes('-')) {
      const [a, b, ...more] = range.split('-');
      if (a === undefined || b === undefined || more.length > 0) throw fail(`bad range "${range}"`);
      [from, to] = [value(a), value(b)];
      if (from > to) throw fail(`range "${range}" goes backwards`);
    } else {
      from = value(range);
      // `10/15` means "from 10, every 15"; a bare value is just itself.
      to = stepText === undefined ? from : spec.max;
    }
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return [...values].sort((a, b) => a - b);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}
