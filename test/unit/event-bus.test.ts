import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, createClock } from '../../local/clock.ts';
import { type LocalEventBusOptions, type LocalTarget, startLocalEventBus } from '../../local/event-bus.ts';
import { PhaseChanged } from '../../shared/events/catalogue.ts';
import { eventPattern } from '../../shared/events/define-event.ts';

const REGION = 'eu-west-3';
const ACCOUNT = '000000000000';
const LAMBDA = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The SDK has no request timeout by default, and before 3.117x only warns unless told to throw. */
const sdkConfig = (endpoint: string) => ({
  endpoint,
  region: REGION,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  maxAttempts: 1,
  requestHandler: { requestTimeout: 3000, throwOnRequestTimeout: true },
});

function recordingTargets() {
  const calls: { fn: string; event: unknown }[] = [];
  const record =
    (fn: string): LocalTarget =>
    async (event) => {
      calls.push({ fn, event });
    };
  const targets: Record<string, LocalTarget> = {
    notifications: record('notifications'),
    editions: record('editions'),
    ideas: record('ideas'),
    flaky: async (event) => {
      calls.push({ fn: 'flaky', event });
      throw new Error('SES indisponible');
    },
  };
  return { calls, targets };
}

async function startBus(clock: Clock, overrides: Partial<LocalEventBusOptions> = {}) {
  const { calls, targets } = recordingTargets();
  const bus = await startLocalEventBus({
    port: 0,
    region: REGION,
    account: ACCOUNT,
    clock,
    rules: [
      { name: 'notifications-phase-changes', pattern: eventPattern([PhaseChanged]), target: 'notifications' },
      { name: 'ideas-from-ideas', pattern: { source: ['bp.ideas'] }, target: 'ideas' },
      { name: 'flaky-on-alerts', pattern: { 'detail-type': ['Alert'] }, target: 'flaky' },
    ],
    targets,
    retry: { attempts: 3, baseDelayMs: 1 },
    ...overrides,
  });
  const eventBridge = new EventBridgeClient(sdkConfig(bus.endpoint));
  const scheduler = new SchedulerClient(sdkConfig(bus.endpoint));
  cleanups.push(
    bus.stop,
    () => eventBridge.destroy(),
    () => scheduler.destroy(),
  );
  return { bus, calls, eventBridge, scheduler };
}

function frozenClock(iso: string) {
  return createClock({ start: new Date(iso), frozen: true });
}

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'local-bus-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const phaseChanged = {
  Source: PhaseChanged.source,
  DetailType: PhaseChanged.detailType,
  Detail: JSON.stringify({ version: 1, edition: 'demo', from: 'ideas', to: 'vote' }),
};

function schedule(name: string, input: Partial<CreateScheduleCommandInput>): CreateScheduleCommandInput {
  return {
    Name: name,
    ScheduleExpression: 'rate(1 day)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: LAMBDA('editions'),
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler`,
      Input: JSON.stringify({ kind: 'phase-transition', edition: 'demo', phase: 'vote' }),
    },
    ...input,
  };
}

describe('createClock', () => {
  it('lets real time flow from an offset that advance and set move', () => {
    let real = 1_000;
    const clock = createClock({ start: new Date('2026-03-01T10:00:00Z'), realNow: () => real });
    real += 500;
    expect(clock.now().toISOString()).toBe('2026-03-01T10:00:00.500Z');
    clock.advance(3_600_000);
    real += 500;
    expect(clock.now().toISOString()).toBe('2026-03-01T11:00:01.000Z');
    clock.set(new Date('2026-01-01T00:00:00Z'));
    real += 250;
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.250Z');
  });

  it('tells listeners the new time until they unsubscribe', () => {
    const clock = frozenClock('2026-03-01T10:00:00Z');
    const seen: string[] = [];
    const unsubscribe = clock.onChange((now) => seen.push(now.toISOString()));
    clock.advance(60_000);
    unsubscribe();
    clock.advance(60_000);
    expect(seen).toEqual(['2026-03-01T10:01:00.000Z']);
    expect(clock.now().toISOString()).toBe('2026-03-01T10:02:00.000Z');
  });

  it('refuses to advance backwards', () => {
    expect(() => frozenClock('2026-03-01T10:00:00Z').advance(-1)).toThrow(RangeError);
  });
});

describe('local event bus: EventBridge PutEvents', () => {
  it('wraps each entry in the EventBridge envelope and delivers it only to the matching rules', async () => {
    const { bus, calls, eventBridge } = await startBus(frozenClock('2026-03-01T10:00:00.123Z'));

    const answer = await eventBridge.send(
      new PutEventsCommand({
        Entries: [phaseChanged, { Source: 'bp.voting', DetailType: 'BallotCast', Detail: '{"version":1}' }],
      }),
    );
    await bus.idle();

    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries).toHaveLength(2);
    const delivered = calls.map((call) => call.fn);
    expect(delivered).toEqual(['notifications']);
    expect(calls[0]?.event).toEqual({
      version: '0',
      id: answer.Entries?.[0]?.EventId,
      'detail-type': 'PhaseChanged',
      source: 'bp.editions',
      account: ACCOUNT,
      time: '2026-03-01T10:00:00Z',
      region: REGION,
      resources: [],
      detail: { version: 1, edition: 'demo', from: 'ideas', to: 'vote' },
    });
    expect(bus.events().map((recorded) => recorded.matchedRules)).toEqual([
      ['notifications-phase-changes'],
      [],
    ]);
  });

  it('rejects an entry whose Detail is not a JSON object and accepts the others', async () => {
    const { bus, calls, eventBridge } = await startBus(frozenClock('2026-03-01T10:00:00Z'));

    const answer = await eventBridge.send(
      new PutEventsCommand({ Entries: [{ ...phaseChanged, Detail: '{"version":' }, phaseChanged] }),
    );
    await bus.idle();

    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries?.[0]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(answer.Entries?.[1]?.EventId).toBeTypeOf('string');
    expect(calls).toHaveLength(1);
  });

  it('answers an unsupported operation with UnknownOperationException', async () => {
    const { eventBridge } = await startBus(frozenClock('2026-03-01T10:00:00Z'));

    await expect(
      eventBridge.send(new PutRuleCommand({ Name: 'r', EventPattern: '{}' })),
    ).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('retries a failing target, then puts the event in the dead-letter file', async () => {
    const dlqFile = join(tempDir(), 'dead-letters.json');
    const { bus, calls, eventBridge } = await startBus(frozenClock('2026-03-01T10:00:00Z'), { dlqFile });

    await eventBridge.send(new PutEventsCommand({ Entries: [{ ...phaseChanged, DetailType: 'Alert' }] }));
    await bus.idle();

    expect(calls.map((call) => call.fn)).toEqual(['flaky', 'flaky', 'flaky']);
    const [letter] = bus.deadLetters();
    expect(letter).toMatchObject({
      at: '2026-03-01T10:00:00.000Z',
      target: 'flaky',
      rule: 'flaky-on-alerts',
      event: { 'detail-type': 'Alert', source: 'bp.editions' },
      error: 'Error: SES indisponible',
    });
    expect(JSON.parse(readFileSync(dlqFile, 'utf8')).deadLetters).toEqual(bus.deadLetters());
  });

  it('refuses to start with a rule whose pattern or target is wrong', async () => {
    const clock = frozenClock('2026-03-01T10:00:00Z');
    const base = { port: 0, region: REGION, account: ACCOUNT, clock, targets: recordingTargets().targets };
    await expect(
      startLocalEventBus({ ...base, rules: [{ name: 'r', pattern: { source: 'x' }, target: 'ideas' }] }),
    ).rejects.toThrow(/array/);
    await expect(
      startLocalEventBus({ ...base, rules: [{ name: 'r', pattern: { source: ['x'] }, target: 'missing' }] }),
    ).rejects.toThrow(/missing/);
  });
});

describe('local event bus: EventBridge Scheduler', () => {
  it('fires an at() schedule read in Europe/Paris once the clock passes it, and not before', async () => {
    const clock = frozenClock('2026-03-01T10:00:00Z');
    const { bus, calls, scheduler } = await startBus(clock);
    await scheduler.send(
      new CreateScheduleCommand(
        schedule('editions-phase-vote', {
          ScheduleExpression: 'at(2026-03-29T09:00:00)',
          ScheduleExpressionTimezone: 'Europe/Paris',
          ActionAfterCompletion: 'NONE',
        }),
      ),
    );

    clock.set(new Date('2026-03-29T06:59:59Z'));
    await bus.idle();
    expect(calls).toEqual([]);
    expect(bus.schedules()[0]?.nextFireAt).toBe('2026-03-29T07:00:00.000Z');

    clock.advance(1_000);
    await bus.idle();
    expect(calls).toEqual([
      { fn: 'editions', event: { kind: 'phase-transition', edition: 'demo', phase: 'vote' } },
    ]);

    clock.advance(86_400_000);
    await bus.idle();
    expect(calls).toHaveLength(1);
    const kept = await scheduler.send(new GetScheduleCommand({ Name: 'editions-phase-vote' }));
    expect(kept.ScheduleExpression).toBe('at(2026-03-29T09:00:00)');
  });

  it('deletes a completed at() schedule when ActionAfterCompletion is DELETE', async () => {
    const clock = frozenClock('2026-03-01T10:00:00Z');
    const { bus, calls, scheduler } = await startBus(clock);
    await scheduler.send(
      new CreateScheduleCommand(
        schedule('once', { ScheduleExpression: 'at(2026-03-01T10:05:00)', ActionAfterCompletion: 'DELETE' }),
      ),
    );

    clock.advance(5 * 60_000);
    await bus.idle();

    expect(calls).toHaveLength(1);
    await expect(scheduler.send(new GetScheduleCommand({ Name: 'once' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('fires a daily cron at 08:00 Paris time, every day across the October time change', async () => {
    const clock = frozenClock('2026-10-23T12:00:00Z');
    const { bus, calls, scheduler } = await startBus(clock);
    await scheduler.send(
      new CreateScheduleCommand(
        schedule('daily-digest', {
          ScheduleExpression: 'cron(0 8 * * ? *)',
          ScheduleExpressionTimezone: 'Europe/Paris',
          Target: {
            Arn: LAMBDA('notifications'),
            RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler`,
            Input:
              '{"kind":"digest","at":"<aws.scheduler.scheduled-time>","attempt":<aws.scheduler.attempt-number>}',
          },
        }),
      ),
    );

    for (let day = 0; day < 3; day++) {
      clock.advance(86_400_000);
      await bus.idle();
    }

    expect(calls.map((call) => call.event)).toEqual([
      { kind: 'digest', at: '2026-10-24T06:00:00Z', attempt: 1 },
      { kind: 'digest', at: '2026-10-25T07:00:00Z', attempt: 1 },
      { kind: 'digest', at: '2026-10-26T07:00:00Z', attempt: 1 },
    ]);
  });

  it('fires with a real timer when the running clock reaches the time by itself', async () => {
    const clock = createClock({ start: new Date('2026-03-01T09:00:00Z') });
    const { bus, calls, scheduler } = await startBus(clock);
    await scheduler.send(
      new CreateScheduleCommand(schedule('soon', { ScheduleExpression: 'at(2026-03-01T10:00:00)' })),
    );
    // 20 ms before the schedule, with real time flowing: no further advance, the timer must do it.
    clock.set(new Date('2026-03-01T09:59:59.980Z'));
    expect(calls).toEqual([]);

    for (let waited = 0; calls.length === 0 && waited < 1_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await bus.idle();

    expect(calls).toHaveLength(1);
  });

  it('keeps schedules and dead letters across a restart, and fires an at() missed while stopped', async () => {
    const dir = tempDir();
    const files = { stateFile: join(dir, 'schedules.json'), dlqFile: join(dir, 'dead-letters.json') };
    const clock = frozenClock('2026-03-01T10:00:00Z');
    const first = await startBus(clock, files);
    await first.scheduler.send(
      new CreateScheduleCommand(schedule('vote', { ScheduleExpression: 'at(2026-03-02T10:00:00)' })),
    );
    await first.scheduler.send(
      new CreateScheduleCommand(schedule('nightly', { ScheduleExpression: 'cron(0 3 * * ? *)' })),
    );
    await first.eventBridge.send(
      new PutEventsCommand({ Entries: [{ ...phaseChanged, DetailType: 'Alert' }] }),
    );
    await first.bus.idle();
    await first.bus.stop();

    clock.set(new Date('2026-03-02T12:00:00Z'));
    const second = await startBus(clock, files);
    await second.bus.idle();

    expect(second.calls.map((call) => call.fn)).toEqual(['editions', 'editions']);
    expect(second.bus.deadLetters()).toHaveLength(1);
    const listed = await second.scheduler.send(new ListSchedulesCommand({}));
    expect(listed.Schedules?.map((s) => s.Name).sort()).toEqual(['nightly', 'vote']);
    expect(second.bus.schedules().find((s) => s.name === 'nightly')?.nextFireAt).toBe(
      '2026-03-03T03:00:00.000Z',
    );
  });

  it('gets, lists, updates and deletes schedules, with 409 and 404 like Scheduler', async () => {
    const { scheduler } = await startBus(frozenClock('2026-03-01T10:00:00Z'));
    const create = schedule('reminder', {
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: 'Relance des services instructeurs',
    });

    const created = await scheduler.send(new CreateScheduleCommand(create));
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/reminder`);
    const conflict = await scheduler.send(new CreateScheduleCommand(create)).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict).toMatchObject({ $metadata: { httpStatusCode: 409 } });

    const got = await scheduler.send(new GetScheduleCommand({ Name: 'reminder' }));
    expect(got).toMatchObject({
      Name: 'reminder',
      GroupName: 'default',
      State: 'ENABLED',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: 'Relance des services instructeurs',
      Target: create.Target,
      CreationDate: new Date('2026-03-01T10:00:00Z'),
    });

    await scheduler.send(new UpdateScheduleCommand({ ...create, ScheduleExpression: 'rate(2 hours)' }));
    const updated = await scheduler.send(new GetScheduleCommand({ Name: 'reminder' }));
    expect(updated.ScheduleExpression).toBe('rate(2 hours)');

    const listed = await scheduler.send(new ListSchedulesCommand({ NamePrefix: 'rem' }));
    expect(listed.Schedules).toMatchObject([{ Name: 'reminder', Target: { Arn: LAMBDA('editions') } }]);

    await scheduler.send(new DeleteScheduleCommand({ Name: 'reminder' }));
    await expect(scheduler.send(new GetScheduleCommand({ Name: 'reminder' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(scheduler.send(new DeleteScheduleCommand({ Name: 'reminder' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(scheduler.send(new UpdateScheduleCommand(create))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('refuses expressions, zones and targets it cannot run, with ValidationException', async () => {
    const { scheduler } = await startBus(frozenClock('2026-03-01T10:00:00Z'));
    const invalid = [
      schedule('a', { ScheduleExpression: 'cron(0 8 L * ? *)' }),
      schedule('b', { ScheduleExpressionTimezone: 'Europe/Nowhere' }),
      schedule('c', {
        Target: { Arn: 'arn:aws:sqs:eu-west-3:000000000000:queue', RoleArn: 'arn:aws:iam::0:role/r' },
      }),
      schedule('d', { Target: { Arn: LAMBDA('unknown'), RoleArn: 'arn:aws:iam::0:role/r' } }),
    ];
    for (const input of invalid) {
      await expect(scheduler.send(new CreateScheduleCommand(input)), input.Name).rejects.toBeInstanceOf(
        ValidationException,
      );
    }
  });
});

describe('local event bus: control API', () => {
  it('reads and advances the clock and lists schedules, events and dead letters over HTTP', async () => {
    const clock = frozenClock('2026-03-01T10:00:00Z');
    const { bus, calls, scheduler } = await startBus(clock);
    await scheduler.send(
      new CreateScheduleCommand(schedule('vote', { ScheduleExpression: 'at(2026-03-01T11:00:00)' })),
    );
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${bus.endpoint}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      return { status: response.status, body: await response.json() };
    };

    expect((await call('GET', '/__local/clock')).body).toEqual({ now: '2026-03-01T10:00:00.000Z' });
    expect((await call('POST', '/__local/clock/advance', { ms: 3_600_000 })).body).toEqual({
      now: '2026-03-01T11:00:00.000Z',
    });
    expect((await call('POST', '/__local/idle')).body).toEqual({ idle: true });
    expect(calls).toHaveLength(1);
    expect((await call('POST', '/__local/clock/advance', { to: '2026-04-01T00:00:00+02:00' })).body).toEqual({
      now: '2026-03-31T22:00:00.000Z',
    });
    expect((await call('GET', '/__local/schedules')).body.schedules).toMatchObject([{ name: 'vote' }]);
    expect((await call('GET', '/__local/events')).body).toEqual({ events: [] });
    expect((await call('GET', '/__local/dlq')).body).toEqual({ deadLetters: [] });
    expect((await call('POST', '/__local/clock/advance', { ms: -1 })).status).toBe(400);
  });
});
