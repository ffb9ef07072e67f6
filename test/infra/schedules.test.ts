import { beforeAll, describe, expect, it } from 'vitest';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { phaseTransitions } from '../../shared/edition/phases.ts';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

interface ScheduleProperties {
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  FlexibleTimeWindow: { Mode: string };
  GroupName: unknown;
  Target: { Input: string; RoleArn: unknown; DeadLetterConfig: { Arn: unknown } };
}

/**
 * The instant a wall-clock time denotes in `timeZone`, computed with Intl only (independently of the
 * date-fns-tz code under test): start from the time read as UTC, then correct by the zone's offset.
 */
function instantOf(localDateTime: string, timeZone: string): Date {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const offsetAt = (epochMs: number) => {
    const parts = Object.fromEntries(
      format.formatToParts(epochMs).map((part) => [part.type, Number(part.value)]),
    );
    const wall = Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day,
      parts.hour,
      parts.minute,
      parts.second,
    );
    return wall - epochMs;
  };
  const asUtc = Date.parse(`${localDateTime}Z`);
  const firstGuess = asUtc - offsetAt(asUtc);
  return new Date(asUtc - offsetAt(firstGuess));
}

/** `at(2027-02-15T09:00:00)` → `2027-02-15T09:00:00` */
function atTime(expression: string): string {
  const match = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (!match?.[1]) throw new Error(`Not a one-time schedule: ${expression}`);
  return match[1];
}

describe('the phase-change schedules of an edition', () => {
  let edition: BuiltEdition;
  let config: EditionConfig;
  /** The phase-change schedules; `allSchedules` adds the others (personal-data retention). */
  let schedules: ScheduleProperties[];
  let allSchedules: ScheduleProperties[];

  beforeAll(() => {
    // Prepare
    config = fixtureConfig();
    const { editions } = buildApp([config]);
    edition = editions[0] as BuiltEdition;
    allSchedules = Object.values(edition.templates.functions.findResources('AWS::Scheduler::Schedule')).map(
      (resource) => (resource as { Properties: ScheduleProperties }).Properties,
    );
    // The vote canary's start and stop schedules carry an API call (an object), not a function's input.
    schedules = allSchedules.filter(
      (schedule) =>
        typeof schedule.Target.Input === 'string' &&
        JSON.parse(schedule.Target.Input).kind === 'phase-transition',
    );
  });

  it('creates one schedule per phase transition, at the Paris wall-clock time of the calendar', () => {
    // Act
    const byPhase = new Map(schedules.map((schedule) => [JSON.parse(schedule.Target.Input).phase, schedule]));

    // Assess
    const transitions = phaseTransitions(config);
    expect(schedules).toHaveLength(transitions.length);
    for (const transition of transitions) {
      expect(byPhase.get(transition.phase)).toMatchObject({
        ScheduleExpression: `at(${transition.localTime}:00)`,
        ScheduleExpressionTimezone: 'Europe/Paris',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { DeadLetterConfig: { Arn: expect.anything() } },
      });
      expect(JSON.parse(byPhase.get(transition.phase)?.Target.Input ?? '{}')).toEqual({
        kind: 'phase-transition',
        edition: 'test-minimal',
        phase: transition.phase,
      });
    }
  });

  it('puts every schedule of the edition in one schedule group of its own', () => {
    // Act
    const groups = new Set(allSchedules.map((schedule) => JSON.stringify(schedule.GroupName)));

    // Assess
    expect(groups.size).toBe(1);
    edition.templates.functions.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('erases personal data by a daily schedule at a Paris night time, with a dead-letter queue', () => {
    // Act
    const retention = allSchedules.filter(
      (schedule) =>
        typeof schedule.Target.Input === 'string' &&
        JSON.parse(schedule.Target.Input).kind === 'personal-data-retention',
    );

    // Assess
    expect(retention).toHaveLength(1);
    expect(retention[0]).toMatchObject({
      ScheduleExpression: 'cron(30 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Target: { DeadLetterConfig: { Arn: expect.anything() } },
    });
  });

  it('fires a winter transition at UTC+1 and a summer one at UTC+2', () => {
    // Prepare: the fixture opens ideas in February and the vote in June, across the spring DST change.
    const byPhase = new Map(phaseTransitions(config).map((transition) => [transition.phase, transition]));
    const winter = byPhase.get('ideas');
    const summer = byPhase.get('vote');
    const scheduleOf = (localTime: string | undefined) =>
      schedules.find((schedule) => schedule.ScheduleExpression === `at(${localTime}:00)`);

    // Act
    const winterSchedule = scheduleOf(winter?.localTime);
    const summerSchedule = scheduleOf(summer?.localTime);
    const winterInstant = instantOf(atTime(winterSchedule?.ScheduleExpression ?? ''), 'Europe/Paris');
    const summerInstant = instantOf(atTime(summerSchedule?.ScheduleExpression ?? ''), 'Europe/Paris');

    // Assess
    expect(winter?.localTime).toBe('2027-02-15T09:00');
    expect(winterInstant.toISOString()).toBe('2027-02-15T08:00:00.000Z');
    expect(winter?.instant.toISOString()).toBe(winterInstant.toISOString());
    expect(summer?.localTime).toBe('2027-06-01T09:00');
    expect(summerInstant.toISOString()).toBe('2027-06-01T07:00:00.000Z');
    expect(summer?.instant.toISOString()).toBe(summerInstant.toISOString());
  });

  it('denotes, for every schedule, the same instant as the calendar the handlers check', () => {
    // Act
    const denoted = schedules.map((schedule) =>
      instantOf(atTime(schedule.ScheduleExpression), schedule.ScheduleExpressionTimezone).toISOString(),
    );

    // Assess
    expect(denoted.sort()).toEqual(
      phaseTransitions(config)
        .map((transition) => transition.instant.toISOString())
        .sort(),
    );
  });
});
