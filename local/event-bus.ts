import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import type { EventEnvelope } from '../shared/events/define-event.ts';
import type { Clock } from './clock.ts';
import { compilePattern } from './event-pattern.ts';
import {
  isValidTimeZone,
  nextFireTime,
  parseScheduleExpression,
  ScheduleExpressionError,
} from './schedule-expression.ts';

/**
 * "local-bus": the EventBridge (PutEvents) and EventBridge Scheduler endpoint of the local stack. The
 * unmodified SDK clients reach it through AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL_SCHEDULER;
 * matching events and due schedules are delivered in-process to the functions, with Lambda-like async
 * retries and a dead-letter list. No emulator for either service exists on npm.
 *
 * Time choices, where AWS gives no local answer:
 * - a fire time the clock passes fires, even while the bus was stopped: on start, an `at()` schedule
 *   whose time went by unfired fires once, and a recurring one catches up its missed occurrences
 *   (at most MAX_CATCH_UP per schedule, then it resumes from now: a clock moved months ahead must not
 *   replay a daily check a hundred times at once, which AWS, whose clock never jumps, never does);
 * - an `at()` already in the past when created or updated never fires (the clock did not pass it);
 * - a `rate()` schedule fires at its StartDate, or at once when it has none, as Scheduler does.
 */

export interface LocalRule {
  readonly name: string;
  readonly pattern: unknown;
  /** Function name, a key of `targets`. */
  readonly target: string;
}

export type LocalTarget = (event: unknown) => Promise<unknown>;

export interface DeadLetter {
  readonly at: string;
  readonly target: string;
  readonly rule?: string;
  readonly schedule?: string;
  readonly event: unknown;
  readonly error: string;
}

export interface RecordedEvent {
  readonly event: EventEnvelope;
  readonly matchedRules: readonly string[];
}

export interface LocalEventBusOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly region: string;
  readonly account: string;
  readonly clock: Clock;
  readonly rules: readonly LocalRule[];
  /** Keyed by function name, the last segment of `arn:aws:lambda:<region>:<account>:function:<name>`. */
  readonly targets: Readonly<Record<string, LocalTarget>>;
  /** Like Lambda async invocation: 3 attempts in total; the wait doubles after each failure. */
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
  /** JSON file keeping the dead letters across restarts. */
  readonly dlqFile?: string;
  /** JSON file keeping the schedules across restarts. */
  readonly stateFile?: string;
  readonly log?: (line: string) => void;
}

export interface LocalEventBus {
  /** `http://127.0.0.1:<port>`, for both AWS_ENDPOINT_URL_EVENTBRIDGE and AWS_ENDPOINT_URL_SCHEDULER. */
  readonly endpoint: string;
  /** Closes the server and clears every timer; deliveries still waiting for a retry go to the DLQ. */
  stop(): Promise<void>;
  /** Resolves when no delivery is in flight or waiting for a retry. */
  idle(): Promise<void>;
  deadLetters(): DeadLetter[];
  /** The last 500 events put on the bus, oldest first. */
  events(): RecordedEvent[];
  schedules(): ScheduleRecord[];
  /** Counters since start (the cost benchmark bills events and Scheduler invocations). */
  stats(): BusStats;
}

export interface BusStats {
  /** PutEvents calls and the entries they put on the bus (billed per event). */
  putEventsCalls: number;
  events: number;
  /** Matched (event, rule) pairs and schedule fires delivered to a function, and every attempt. */
  ruleDeliveries: number;
  scheduleInvocations: number;
  attempts: number;
  deadLetters: number;
}

const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 200 };
const EVENT_HISTORY = 500;
const MAX_CATCH_UP = 3;
/** setTimeout fires at once beyond ~24.8 days, so longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/;

const SchedulerTarget = z.looseObject({
  Arn: z.string().min(1),
  RoleArn: z.string().min(1),
  Input: z.string().optional(),
  RetryPolicy: z
    .object({
      MaximumEventAgeInSeconds: z.number().int().optional(),
      MaximumRetryAttempts: z.number().int().min(0).optional(),
    })
    .optional(),
  DeadLetterConfig: z.object({ Arn: z.string().optional() }).optional(),
});

/** The body of CreateSchedule and UpdateSchedule (dates are epoch seconds on the wire). */
const ScheduleBody = z.object({
  ScheduleExpression: z.string().min(1),
  ScheduleExpressionTimezone: z.string().optional(),
  Target: SchedulerTarget,
  FlexibleTimeWindow: z.object({
    Mode: z.enum(['OFF', 'FLEXIBLE']),
    MaximumWindowInMinutes: z.number().int().optional(),
  }),
  GroupName: z.string().optional(),
  StartDate: z.number().optional(),
  EndDate: z.number().optional(),
  Description: z.string().optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  KmsKeyArn: z.string().optional(),
  ClientToken: z.string().optional(),
  ActionAfterCompletion: z.enum(['NONE', 'DELETE']).optional(),
});

export const ScheduleRecord = z.object({
  name: z.string(),
  groupName: z.string(),
  arn: z.string(),
  expression: z.string(),
  timeZone: z.string(),
  description: z.string().optional(),
  state: z.enum(['ENABLED', 'DISABLED']),
  target: SchedulerTarget,
  flexibleTimeWindow: ScheduleBody.shape.FlexibleTimeWindow,
  actionAfterCompletion: z.enum(['NONE', 'DELETE']),
  startDate: z.iso.datetime().optional(),
  endDate: z.iso.datetime().optional(),
  kmsKeyArn: z.string().optional(),
  createdAt: z.iso.datetime(),
  lastModifiedAt: z.iso.datetime(),
  /** Undefined once an `at()` has fired, after EndDate, or while disabled. */
  nextFireAt: z.iso.datetime().optional(),
  lastFiredAt: z.iso.datetime().optional(),
});
export type ScheduleRecord = z.infer<typeof ScheduleRecord>;

const StateFile = z.object({ schedules: z.array(ScheduleRecord) });
const DlqFile = z.object({
  deadLetters: z.array(
    z.object({
      at: z.string(),
      target: z.string(),
      rule: z.string().optional(),
      schedule: z.string().optional(),
      event: z.unknown(),
      error: z.string(),
    }),
  ),
});

const PutEventsBody = z.object({
  Entries: z
    .array(
      z.object({
        Time: z.number().optional(),
        Source: z.string().optional(),
        Resources: z.array(z.string()).optional(),
        DetailType: z.string().optional(),
        Detail: z.string().optional(),
        EventBusName: z.string().optional(),
        TraceHeader: z.string().optional(),
      }),
    )
    .min(1)
    .max(10),
  EndpointId: z.string().optional(),
});

const ClockMove = z.union([
  z.object({ ms: z.number().nonnegative() }),
  z.object({ to: z.iso.datetime({ offset: true }) }),
]);

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startLocalEventBus(options: LocalEventBusOptions): Promise<LocalEventBus> {
  const { clock, region, account, targets } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const log = options.log ?? (() => {});

  const rules = options.rules.map((rule) => {
    if (!targets[rule.target]) throw new Error(`Rule ${rule.name}: no local function named "${rule.target}"`);
    return { ...rule, matches: compilePattern(rule.pattern) };
  });
  const duplicate = rules.find((rule, i) => rules.findIndex((other) => other.name === rule.name) !== i);
  if (duplicate) throw new Error(`Two rules are named ${duplicate.name}`);

  const deadLetters: DeadLetter[] = options.dlqFile
    ? (readJson(options.dlqFile, DlqFile)?.deadLetters ?? [])
    : [];
  const schedules = new Map<string, ScheduleRecord>();
  for (const record of options.stateFile ? (readJson(options.stateFile, StateFile)?.schedules ?? []) : []) {
    schedules.set(keyOf(record.groupName, record.name), record);
  }
  const history: RecordedEvent[] = [];
  const counters = { putEventsCalls: 0, events: 0, ruleDeliveries: 0, scheduleInvocations: 0, attempts: 0 };
  const pending = new Set<Promise<void>>();
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let lastSeen = clock.now().getTime();

  const iso = (date: Date) => date.toISOString();
  const saveSchedules = () => {
    if (options.stateFile) writeJson(options.stateFile, { schedules: [...schedules.values()] });
  };
  const addDeadLetter = (letter: DeadLetter) => {
    deadLetters.push(letter);
    if (options.dlqFile) writeJson(options.dlqFile, { deadLetters });
    log(`dead letter for ${letter.target} (${letter.rule ?? letter.schedule}): ${letter.error}`);
  };

  // ---- Delivery ----------------------------------------------------------------------------------

  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  /** Lambda async invocation: retried with a doubling wait, then dead-lettered. Never rejects. */
  async function deliver(delivery: {
    target: string;
    from: { rule: string } | { schedule: string };
    attempts: number;
    /** Built per attempt: Scheduler's `<aws.scheduler.attempt-number>` changes between attempts. */
    event: (attempt: number) => unknown;
    fallbackEvent: unknown;
  }): Promise<void> {
    // The caller answers its HTTP request before any handler runs, as EventBridge does.
    await nextTurn();
    let event = delivery.fallbackEvent;
    let failure = 'stopped before delivery';
    for (let attempt = 1; attempt <= delivery.attempts && !stopping.signal.aborted; attempt++) {
      try {
        event = delivery.event(attempt);
        counters.attempts++;
        const handler = targets[delivery.target];
        if (!handler) throw new Error(`No local function named "${delivery.target}"`);
        await handler(event);
        return;
      } catch (error) {
        failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        log(`${delivery.target} failed (attempt ${attempt}/${delivery.attempts}): ${failure}`);
      }
      if (attempt < delivery.attempts) {
        await sleep(retry.baseDelayMs * 2 ** (attempt - 1), undefined, { signal: stopping.signal }).catch(
          () => {
            failure = `${failure} (bus stopped before the next attempt)`;
          },
        );
      }
    }
    addDeadLetter({ at: iso(clock.now()), target: delivery.target, ...delivery.from, event, error: failure });
  }

  // ---- EventBridge -------------------------------------------------------------------------------

  function putEvents(body: unknown) {
    const request = parseOr400(PutEventsBody, body, 'ValidationException');
    counters.putEventsCalls++;
    const now = clock.now();
    const accepted: { event: EventEnvelope; matched: typeof rules }[] = [];
    const entries = request.Entries.map((entry) => {
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
        const missing = !entry.Source ? 'Source' : !entry.DetailType ? 'DetailType' : 'Detail';
        return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${missing} is not valid.` };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        detail = undefined;
      }
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const event: EventEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account,
        // EventBridge keeps a caller-supplied Time and prints whole seconds.
        time: iso(entry.Time === undefined ? now : new Date(entry.Time * 1000)).replace(/\.\d{3}Z$/, 'Z'),
        region,
        resources: entry.Resources ?? [],
        detail,
      };
      const matched = rules.filter((rule) => rule.matches(event));
      accepted.push({ event, matched });
      counters.events++;
      counters.ruleDeliveries += matched.length;
      history.push({ event, matchedRules: matched.map((rule) => rule.name) });
      if (history.length > EVENT_HISTORY) history.shift();
      log(
        `event ${event.source} ${event['detail-type']} → ${matched.map((rule) => rule.name).join(', ') || 'no rule'}`,
      );
      return { EventId: event.id };
    });
    const deliverAll = () => {
      for (const { event, matched } of accepted) {
        for (const rule of matched) {
          track(
            deliver({
              target: rule.target,
              from: { rule: rule.name },
              attempts: retry.attempts,
              // Each target gets its own copy, as each Lambda invocation does.
              event: () => structuredClone(event),
              fallbackEvent: event,
            }),
          );
        }
      }
    };
    return {
      body: { FailedEntryCount: entries.filter((entry) => 'ErrorCode' in entry).length, Entries: entries },
      deliverAll,
    };
  }

  // ---- Scheduler ---------------------------------------------------------------------------------

  function functionNameOf(arn: string): string {
    const name = LAMBDA_ARN.exec(arn)?.[1];
    if (!name) {
      throw new ApiError(400, 'ValidationException', `Only Lambda targets are supported locally: ${arn}`);
    }
    if (!targets[name]) {
      throw new ApiError(400, 'ValidationException', `No local function named "${name}" (${arn})`);
    }
    return name;
  }

  /** The next occurrence of a recurring schedule after `after`, within StartDate and EndDate. */
  function nextOccurrence(record: ScheduleRecord, after: Date): Date | undefined {
    const start = record.startDate ? Date.parse(record.startDate) : undefined;
    const from = start !== undefined && start - 1 > after.getTime() ? new Date(start - 1) : after;
    const anchor = new Date(start ?? Date.parse(record.lastModifiedAt));
    const next = nextFireTime(record.expression, record.timeZone, from, anchor);
    return next && record.endDate && next.getTime() > Date.parse(record.endDate) ? undefined : next;
  }

  function firstFireTime(record: ScheduleRecord, now: Date): Date | undefined {
    if (record.state === 'DISABLED') return undefined;
    if (parseScheduleExpression(record.expression).kind === 'at') {
      const at = nextFireTime(record.expression, record.timeZone, now);
      if (!at) log(`schedule ${record.name}: ${record.expression} is already past, it will not fire`);
      return at;
    }
    // Scheduler fires on the current minute too, hence "after 1 ms ago".
    return nextOccurrence(record, new Date(now.getTime() - 1));
  }

  function fire(record: ScheduleRecord, scheduledTime: Date) {
    const target = functionNameOf(record.target.Arn);
    const executionId = randomUUID();
    const policy = record.target.RetryPolicy?.MaximumRetryAttempts;
    const input = record.target.Input ?? '{}';
    record.lastFiredAt = iso(scheduledTime);
    counters.scheduleInvocations++;
    log(`schedule ${record.name} fires (${iso(scheduledTime)}) → ${target}`);
    track(
      deliver({
        target,
        from: { schedule: record.name },
        attempts: policy === undefined ? retry.attempts : Math.min(retry.attempts, policy + 1),
        // Scheduler hands the Input to a Lambda target as its event, after filling its context attributes.
        event: (attempt) =>
          JSON.parse(
            input
              .replaceAll('<aws.scheduler.schedule-arn>', record.arn)
              .replaceAll('<aws.scheduler.scheduled-time>', iso(scheduledTime).replace(/\.\d{3}Z$/, 'Z'))
              .replaceAll('<aws.scheduler.execution-id>', executionId)
              .replaceAll('<aws.scheduler.attempt-number>', String(attempt)),
          ),
        fallbackEvent: input,
      }),
    );
  }

  /** Fires every schedule whose time the clock has reached, then advances or retires it. */
  function runDueSchedules() {
    const now = clock.now();
    let changed = false;
    for (const [key, record] of schedules) {
      let fired = 0;
      while (
        record.state === 'ENABLED' &&
        record.nextFireAt &&
        Date.parse(record.nextFireAt) <= now.getTime()
      ) {
        const scheduledTime = new Date(record.nextFireAt);
        changed = true;
        try {
          fire(record, scheduledTime);
        } catch (error) {
          // A target that vanished since the schedule was stored (renamed function) is a dead letter.
          addDeadLetter({
            at: iso(now),
            target: record.target.Arn,
            schedule: record.name,
            event: record.target.Input,
            error: String(error),
          });
        }
        const oneTime = parseScheduleExpression(record.expression).kind === 'at';
        fired++;
        const next = oneTime ? undefined : nextOccurrence(record, fired < MAX_CATCH_UP ? scheduledTime : now);
        if (fired === MAX_CATCH_UP && next) {
          log(`schedule ${record.name}: skipped missed occurrences up to now`);
        }
        record.nextFireAt = next && iso(next);
      }
      if (fired > 0 && !record.nextFireAt && record.actionAfterCompletion === 'DELETE') {
        schedules.delete(key);
        log(`schedule ${record.name} completed and was deleted (ActionAfterCompletion DELETE)`);
      }
    }
    if (changed) saveSchedules();
  }

  function armTimer() {
    clearTimeout(timer);
    if (stopping.signal.aborted) return;
    const times = [...schedules.values()]
      .filter((record) => record.state === 'ENABLED' && record.nextFireAt)
      .map((record) => Date.parse(record.nextFireAt as string));
    if (times.length === 0) return;
    const delay = Math.min(Math.max(Math.min(...times) - clock.now().getTime(), 0), MAX_TIMER_MS);
    timer = setTimeout(() => {
      runDueSchedules();
      armTimer();
    }, delay);
    // A pending schedule must not keep a test process (or a stopped dev server) alive.
    timer.unref();
  }

  function onClockChange(now: Date) {
    // Going back in time: recurring schedules restart from the new now instead of waiting for the old one.
    if (now.getTime() < lastSeen) {
      for (const record of schedules.values()) {
        if (record.state === 'ENABLED' && parseScheduleExpression(record.expression).kind !== 'at') {
          const next = nextOccurrence(record, new Date(now.getTime() - 1));
          record.nextFireAt = next && iso(next);
        }
      }
      saveSchedules();
    }
    lastSeen = now.getTime();
    runDueSchedules();
    armTimer();
  }

  function upsertSchedule(name: string, body: unknown, existing: ScheduleRecord | undefined): ScheduleRecord {
    const request = parseOr400(ScheduleBody, body, 'ValidationException');
    if (!/^[0-9a-zA-Z._-]{1,64}$/.test(name)) {
      throw new ApiError(400, 'ValidationException', `Invalid name ${name}`);
    }
    const timeZone = request.ScheduleExpressionTimezone ?? 'UTC';
    if (!isValidTimeZone(timeZone)) {
      throw new ApiError(400, 'ValidationException', `Invalid time zone ${timeZone}`);
    }
    try {
      parseScheduleExpression(request.ScheduleExpression);
    } catch (error) {
      if (error instanceof ScheduleExpressionError) {
        throw new ApiError(400, 'ValidationException', error.message);
      }
      throw error;
    }
    functionNameOf(request.Target.Arn);
    const groupName = request.GroupName ?? 'default';
    const now = clock.now();
    const record: ScheduleRecord = {
      name,
      groupName,
      arn: `arn:aws:scheduler:${region}:${account}:schedule/${groupName}/${name}`,
      expression: request.ScheduleExpression,
      timeZone,
      description: request.Description,
      state: request.State ?? 'ENABLED',
      target: request.Target,
      flexibleTimeWindow: request.FlexibleTimeWindow,
      actionAfterCompletion: request.ActionAfterCompletion ?? 'NONE',
      startDate: request.StartDate === undefined ? undefined : iso(new Date(request.StartDate * 1000)),
      endDate: request.EndDate === undefined ? undefined : iso(new Date(request.EndDate * 1000)),
      kmsKeyArn: request.KmsKeyArn,
      createdAt: existing?.createdAt ?? iso(now),
      lastModifiedAt: iso(now),
    };
    const next = firstFireTime(record, now);
    record.nextFireAt = next && iso(next);
    schedules.set(keyOf(groupName, name), record);
    saveSchedules();
    runDueSchedules();
    armTimer();
    return record;
  }

  function findSchedule(groupName: string, name: string): ScheduleRecord {
    const record = schedules.get(keyOf(groupName, name));
    if (!record) throw new ApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
    return record;
  }

  function scheduler(method: string, url: URL, body: unknown): unknown {
    if (url.pathname === '/schedules' && method === 'GET') {
      const group = url.searchParams.get('ScheduleGroup');
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      const state = url.searchParams.get('State');
      return {
        Schedules: [...schedules.values()]
          .filter((record) => (!group || record.groupName === group) && record.name.startsWith(prefix))
          .filter((record) => !state || record.state === state)
          .map((record) => ({
            Arn: record.arn,
            Name: record.name,
            GroupName: record.groupName,
            State: record.state,
            CreationDate: seconds(record.createdAt),
            LastModificationDate: seconds(record.lastModifiedAt),
            Target: { Arn: record.target.Arn },
          })),
      };
    }
    const name = decodeURIComponent(url.pathname.slice('/schedules/'.length));
    const groupName = url.searchParams.get('groupName') ?? 'default';
    switch (method) {
      case 'POST': {
        const group = (body as { GroupName?: unknown } | undefined)?.GroupName;
        const key = keyOf(typeof group === 'string' ? group : 'default', name);
        if (schedules.has(key)) {
          throw new ApiError(409, 'ConflictException', `Schedule ${name} already exists.`);
        }
        return { ScheduleArn: upsertSchedule(name, body, undefined).arn };
      }
      case 'PUT': {
        const group = (body as { GroupName?: unknown } | undefined)?.GroupName;
        const existing = findSchedule(typeof group === 'string' ? group : 'default', name);
        return { ScheduleArn: upsertSchedule(name, body, existing).arn };
      }
      case 'GET': {
        const record = findSchedule(groupName, name);
        return {
          Arn: record.arn,
          GroupName: record.groupName,
          Name: record.name,
          ScheduleExpression: record.expression,
          ScheduleExpressionTimezone: record.timeZone,
          Description: record.description,
          State: record.state,
          StartDate: record.startDate && seconds(record.startDate),
          EndDate: record.endDate && seconds(record.endDate),
          CreationDate: seconds(record.createdAt),
          LastModificationDate: seconds(record.lastModifiedAt),
          KmsKeyArn: record.kmsKeyArn,
          Target: record.target,
          FlexibleTimeWindow: record.flexibleTimeWindow,
          ActionAfterCompletion: record.actionAfterCompletion,
        };
      }
      case 'DELETE':
        findSchedule(groupName, name);
        schedules.delete(keyOf(groupName, name));
        saveSchedules();
        armTimer();
        return {};
      default:
        throw new ApiError(405, 'ValidationException', `${method} is not supported on ${url.pathname}`);
    }
  }

  /**
   * `bp dlq redrive --local`: every dead letter whose target still exists is delivered again (with the retries
   * of a first delivery; a new failure makes a new dead letter); the others stay in the list.
   */
  function redriveDeadLetters() {
    const letters = deadLetters.splice(0);
    const kept = letters.filter((letter) => !targets[letter.target]);
    deadLetters.push(...kept);
    if (options.dlqFile) writeJson(options.dlqFile, { deadLetters });
    for (const letter of letters.filter((l) => targets[l.target])) {
      track(
        deliver({
          target: letter.target,
          from: letter.rule ? { rule: letter.rule } : { schedule: letter.schedule ?? 'redrive' },
          attempts: retry.attempts,
          event: () => letter.event,
          fallbackEvent: letter.event,
        }),
      );
    }
    return { redriven: letters.length - kept.length, kept: kept.length };
  }

  // ---- Control API for dev and tests -------------------------------------------------------------

  async function control(method: string, path: string, body: unknown): Promise<unknown> {
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /__local/clock':
        return { now: iso(clock.now()) };
      case 'POST /__local/clock/advance': {
        const move = parseOr400(ClockMove, body, 'ValidationException');
        if ('ms' in move) clock.advance(move.ms);
        else clock.set(new Date(move.to));
        return { now: iso(clock.now()) };
      }
      case 'POST /__local/idle':
        await bus.idle();
        return { idle: true };
      case 'GET /__local/dlq':
        return { deadLetters };
      case 'POST /__local/dlq/redrive':
        return redriveDeadLetters();
      case 'GET /__local/events':
        return { events: history };
      case 'GET /__local/schedules':
        return { schedules: [...schedules.values()] };
      case 'GET /__local/stats':
        return bus.stats();
      default:
        throw new ApiError(404, 'ResourceNotFoundException', `No control route ${route}`);
    }
  }

  // ---- HTTP --------------------------------------------------------------------------------------

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const operation = req.headers['x-amz-target'];
    const json11 = typeof operation === 'string';
    try {
      const body = await readJsonBody(req);
      if (json11) {
        if (operation !== 'AWSEvents.PutEvents') {
          throw new ApiError(
            400,
            'UnknownOperationException',
            `Operation ${operation} is not supported locally`,
          );
        }
        const { body: answer, deliverAll } = putEvents(body);
        send(res, 200, answer, 'application/x-amz-json-1.1');
        deliverAll();
      } else if (url.pathname.startsWith('/__local/')) {
        send(res, 200, await control(method, url.pathname, body), 'application/json');
      } else if (url.pathname === '/schedules' || url.pathname.startsWith('/schedules/')) {
        send(res, 200, scheduler(method, url, body), 'application/json');
      } else {
        throw new ApiError(404, 'UnknownOperationException', `No route for ${method} ${url.pathname}`);
      }
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError(500, json11 ? 'InternalException' : 'InternalServerException', String(error));
      if (!(error instanceof ApiError)) log(`internal error on ${method} ${url.pathname}: ${String(error)}`);
      // JSON 1.1 reads `__type`; REST-JSON reads the x-amzn-errortype header first.
      send(
        res,
        apiError.status,
        { __type: apiError.type, message: apiError.message, Message: apiError.message },
        json11 ? 'application/x-amz-json-1.1' : 'application/json',
        { 'x-amzn-errortype': apiError.type },
      );
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const unsubscribe = clock.onChange(onClockChange);
  const { port } = server.address() as AddressInfo;

  const bus: LocalEventBus = {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      unsubscribe();
      stopping.abort();
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.idle();
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    deadLetters: () => structuredClone(deadLetters),
    events: () => structuredClone(history),
    schedules: () => structuredClone([...schedules.values()]),
    stats: () => ({ ...counters, deadLetters: deadLetters.length }),
  };

  // Fire times passed while the bus was down (see the module comment), then wait for the next one.
  runDueSchedules();
  armTimer();
  log(`local-bus listening on ${bus.endpoint} (${rules.length} rules, ${schedules.size} schedules)`);
  return bus;
}

function keyOf(groupName: string, name: string): string {
  return `${groupName}/${name}`;
}

function seconds(isoDate: string): number {
  return Date.parse(isoDate) / 1000;
}

function parseOr400<T>(schema: z.ZodType<T>, body: unknown, type: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ApiError(400, type, z.prettifyError(result.error));
  return result.data;
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'SerializationException', 'The request body is not valid JSON');
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(file)) return undefined;
  return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Write then rename, so a crash mid-write never leaves half a file behind. */
function writeJson(file: string, value: unknown) {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, file);
}
