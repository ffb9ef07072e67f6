import { describe, expect, it } from 'vitest';
import {
  nextFireTime,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../../local/schedule-expression.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => new Date(iso);

/** The next `count` fire times, each computed from the previous one. */
function fireTimes(expression: string, timeZone: string, after: string, count: number): string[] {
  const times: string[] = [];
  let cursor = at(after);
  for (let i = 0; i < count; i++) {
    const next = nextFireTime(expression, timeZone, cursor);
    if (!next) break;
    times.push(next.toISOString());
    cursor = next;
  }
  return times;
}

describe('nextFireTime', () => {
  describe('at()', () => {
    it('reads the local time in summer time (UTC+2) in Europe/Paris', () => {
      expect(nextFireTime('at(2026-03-29T09:00:00)', PARIS, at('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
        '2026-03-29T07:00:00.000Z',
      );
    });

    it('reads the local time in winter time (UTC+1) in Europe/Paris', () => {
      expect(nextFireTime('at(2026-02-27T09:00:00)', PARIS, at('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
        '2026-02-27T08:00:00.000Z',
      );
    });

    it('reads the time as UTC in the UTC zone', () => {
      expect(nextFireTime('at(2026-02-27T09:00:00)', 'UTC', at('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
        '2026-02-27T09:00:00.000Z',
      );
    });

    it('never fires again once the time has passed', () => {
      expect(nextFireTime('at(2026-02-27T09:00:00)', PARIS, at('2026-02-27T08:00:00Z'))).toBeUndefined();
      expect(nextFireTime('at(2026-02-27T09:00:00)', PARIS, at('2026-02-27T07:59:59Z'))?.toISOString()).toBe(
        '2026-02-27T08:00:00.000Z',
      );
    });

    it('moves a time that the spring-forward gap skips to after the gap', () => {
      expect(nextFireTime('at(2026-03-29T02:30:00)', PARIS, at('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
        '2026-03-29T01:30:00.000Z',
      );
    });
  });

  describe('rate()', () => {
    it('fires one period after the anchor by default', () => {
      expect(nextFireTime('rate(5 minutes)', 'UTC', at('2026-05-01T10:00:00Z'))?.toISOString()).toBe(
        '2026-05-01T10:05:00.000Z',
      );
    });

    it('keeps the rhythm of its anchor whatever the time zone', () => {
      const anchor = at('2026-05-01T10:00:00Z');
      expect(nextFireTime('rate(1 hour)', PARIS, at('2026-05-01T12:30:00Z'), anchor)?.toISOString()).toBe(
        '2026-05-01T13:00:00.000Z',
      );
      expect(nextFireTime('rate(2 days)', PARIS, at('2026-05-02T10:00:00Z'), anchor)?.toISOString()).toBe(
        '2026-05-03T10:00:00.000Z',
      );
    });

    it('fires at the anchor itself when the anchor is still ahead', () => {
      expect(
        nextFireTime(
          'rate(1 day)',
          PARIS,
          at('2026-05-01T10:00:00Z'),
          at('2026-06-01T00:00:00Z'),
        )?.toISOString(),
      ).toBe('2026-06-01T00:00:00.000Z');
    });

    it('counts a day as 24 hours across a time change', () => {
      const anchor = at('2026-10-24T06:00:00Z');
      expect(nextFireTime('rate(1 day)', PARIS, at('2026-10-24T06:00:00Z'), anchor)?.toISOString()).toBe(
        '2026-10-25T06:00:00.000Z',
      );
    });
  });

  describe('cron()', () => {
    it('fires at 08:00 Paris time every day: 06:00Z in summer, 07:00Z in winter, across 25 Oct 2026', () => {
      expect(fireTimes('cron(0 8 * * ? *)', PARIS, '2026-10-23T12:00:00Z', 4)).toEqual([
        '2026-10-24T06:00:00.000Z',
        '2026-10-25T07:00:00.000Z',
        '2026-10-26T07:00:00.000Z',
        '2026-10-27T07:00:00.000Z',
      ]);
    });

    it('fires at 09:00 Paris time every day: 07:00Z in summer, 08:00Z in winter', () => {
      expect(fireTimes('cron(0 9 * * ? *)', PARIS, '2026-10-24T12:00:00Z', 2)).toEqual([
        '2026-10-25T08:00:00.000Z',
        '2026-10-26T08:00:00.000Z',
      ]);
      expect(fireTimes('cron(0 9 * * ? *)', PARIS, '2026-03-28T12:00:00Z', 1)).toEqual([
        '2026-03-29T07:00:00.000Z',
      ]);
    });

    it('reads the hour in UTC when no zone is given', () => {
      expect(fireTimes('cron(0 8 * * ? *)', 'UTC', '2026-10-24T12:00:00Z', 2)).toEqual([
        '2026-10-25T08:00:00.000Z',
        '2026-10-26T08:00:00.000Z',
      ]);
    });

    it('skips a time that does not exist on the spring-forward day', () => {
      expect(fireTimes('cron(30 2 * * ? *)', PARIS, '2026-03-28T00:00:00Z', 2)).toEqual([
        '2026-03-28T01:30:00.000Z',
        '2026-03-30T00:30:00.000Z',
      ]);
    });

    it('runs once at a time that the fall-back day repeats', () => {
      const times = fireTimes('cron(30 2 * * ? *)', PARIS, '2026-10-24T12:00:00Z', 2);
      expect(times).toHaveLength(2);
      expect(times[1]).toBe('2026-10-26T01:30:00.000Z');
    });

    it('fires on week days only with MON-FRI and a ? day-of-month', () => {
      // 2026-05-01 is a Friday.
      expect(fireTimes('cron(0 8 ? * MON-FRI *)', 'UTC', '2026-05-01T09:00:00Z', 2)).toEqual([
        '2026-05-04T08:00:00.000Z',
        '2026-05-05T08:00:00.000Z',
      ]);
    });

    it('numbers week days from 1 = Sunday, as AWS does', () => {
      expect(fireTimes('cron(0 12 ? * 1 *)', 'UTC', '2026-05-01T00:00:00Z', 1)).toEqual([
        '2026-05-03T12:00:00.000Z',
      ]);
    });

    it('supports lists, ranges, steps, month names and a year', () => {
      expect(fireTimes('cron(0/20 9-10 1,15 JAN,MAR ? 2027)', 'UTC', '2026-05-01T00:00:00Z', 7)).toEqual([
        '2027-01-01T09:00:00.000Z',
        '2027-01-01T09:20:00.000Z',
        '2027-01-01T09:40:00.000Z',
        '2027-01-01T10:00:00.000Z',
        '2027-01-01T10:20:00.000Z',
        '2027-01-01T10:40:00.000Z',
        '2027-01-15T09:00:00.000Z',
      ]);
      expect(fireTimes('cron(*/30 0 1 1 ? 2027)', 'UTC', '2027-01-01T00:00:00Z', 3)).toEqual([
        '2027-01-01T00:30:00.000Z',
      ]);
    });

    it('fires later the same day and strictly after the given instant', () => {
      expect(nextFireTime('cron(0 8,18 * * ? *)', 'UTC', at('2026-05-01T08:00:00Z'))?.toISOString()).toBe(
        '2026-05-01T18:00:00.000Z',
      );
    });

    it('never fires after its last year', () => {
      expect(nextFireTime('cron(0 8 * * ? 2026)', 'UTC', at('2026-12-31T09:00:00Z'))).toBeUndefined();
    });
  });

  it('rejects malformed or unsupported expressions with a clear error', () => {
    for (const expression of [
      'at(2026-02-30T09:00:00)',
      'at(2026-02-27 09:00:00)',
      'rate(0 minutes)',
      'rate(5 weeks)',
      'cron(0 8 * * *)',
      'cron(0 8 * * * *)',
      'cron(0 8 ? * ? *)',
      'cron(0 8 L * ? *)',
      'cron(0 8 15W * ? *)',
      'cron(0 8 ? * 6#3 *)',
      'cron(0 24 * * ? *)',
      'cron(0 8 * 13 ? *)',
      'cron(0 8 ? * FRI-MON *)',
      'every day',
    ]) {
      expect(() => parseScheduleExpression(expression), expression).toThrow(ScheduleExpressionError);
    }
    expect(() => nextFireTime('rate(1 hour)', 'Europe/Nowhere', new Date())).toThrow(/time zone/);
  });
});
