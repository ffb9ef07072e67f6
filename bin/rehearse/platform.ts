/**
 * What the rehearsal needs of the platform besides its HTTP API: its time, a way to let what fell due happen,
 * its dead letters, and how many events and asynchronous invocations the edition cost. Two kinds:
 * - **local** (`npm start`, a test stack): the local bus's control API moves the clock, waits until nothing is
 *   pending, lists the dead letters and counts the deliveries;
 * - **deployed** (a staging edition on AWS): time is real. The server's clock is read from the API's `Date`
 *   header, "move to T" waits until that clock reaches T (refused up front beyond `--max-wait`), "idle" polls
 *   for the effect the driver waits for, dead letters come from the edition's SQS queues (`bp dlq list`'s code),
 *   and the bill's events and asynchronous invocations are estimated.
 * See docs/rehearsal.md, « Against a deployed staging stack ».
 */
import { PHASE_TRANSITIONS } from '../../shared/edition/phases.ts';

export type PlatformKind = 'local' | 'deployed';

/** Events and asynchronous invocations (rule deliveries, schedule runs) during the rehearsal. */
export interface Usage {
  events: number;
  asyncInvocations: number;
  /** True when the platform could not count them and they are an estimate. */
  estimated: boolean;
}

/** What the driver is waiting for after a step whose effects are asynchronous (emails, mostly). */
export interface Effect {
  /** A figure that grows while the effect happens (the emails received so far). */
  progress: () => Promise<number>;
  /** True once everything awaited is there; until then the wait goes on, quiet or not (up to its bound). */
  done?: () => boolean;
}

export interface Platform {
  readonly kind: PlatformKind;
  /** The platform's time. */
  now(): Promise<Date>;
  /** Refuses, before anything is sent, a run whose last move of time is `last`, when it cannot be reached. */
  plan(last: Date): Promise<void>;
  /** Brings the platform's time to `to` (never back) and lets what fell due happen. */
  moveTo(to: Date): Promise<void>;
  /** Lets the asynchronous work of the last steps finish (locally: the bus; deployed: until `effect` settles). */
  idle(effect?: Effect): Promise<void>;
  /** How long a phase change may lag behind its calendar time, as polls of the edition. */
  readonly phaseWait: { attempts: number; intervalMs: number };
  /** The dead letters that appeared since the platform was opened. */
  deadLetters(): Promise<unknown[]>;
  /** Events and asynchronous invocations since the platform was opened; `emails` is what the mailbox received. */
  usage(counted: { emails: number }): Promise<Usage>;
  /** Lets go of the platform's clients. */
  close?(): void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * `--deployed` forces a deployed platform (with `--bus`, refused); `--bus` or a loopback URL is the local stack;
 * any other URL is a deployed edition.
 */
export function platformKind(options: { url: string; busUrl?: string; deployed?: boolean }): PlatformKind {
  if (options.deployed && options.busUrl)
    throw new Error('--deployed et --bus : une édition déployée n’a pas de bus local');
  if (options.deployed) return 'deployed';
  if (options.busUrl) return 'local';
  return LOOPBACK.test(new URL(options.url).hostname) ? 'local' : 'deployed';
}

// ---- Local: the local bus's control API -------------------------------------------------------------------------

/** The local bus (`/__local/...`): clock, idle, dead letters, delivery counters. */
export async function localPlatform(busUrl: string): Promise<Platform> {
  const bus = async (path: string, body?: unknown) => {
    const response = await fetch(`${busUrl}/__local/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(600_000),
    });
    if (!response.ok) throw new Error(`${busUrl}/__local/${path}: ${response.status}`);
    // biome-ignore lint/suspicious/noExplicitAny: control API answers read by path
    return (await response.json()) as any;
  };
  const before = await bus('stats');
  const now = async () => new Date((await bus('clock')).now);
  return {
    kind: 'local',
    now,
    plan: async () => {},
    moveTo: async (to) => {
      if (to > (await now())) await bus('clock/advance', { to: to.toISOString() });
      await bus('idle', {});
    },
    idle: async () => {
      await bus('idle', {});
    },
    phaseWait: { attempts: 100, intervalMs: 200 },
    deadLetters: async () => (await bus('dlq')).deadLetters ?? [],
    usage: async () => {
      const after = await bus('stats');
      return {
        events: after.events - before.events,
        asyncInvocations:
          after.ruleDeliveries -
          before.ruleDeliveries +
          after.scheduleInvocations -
          before.scheduleInvocations,
        estimated: false,
      };
    },
  };
}

// ---- Deployed: real time --------------------------------------------------------------------------------------

/**
 * The server's time from an HTTP answer: its `Date` (whole seconds, so at most a second behind) plus its `Age`
 * when a cache (CloudFront) served it, since a cached answer keeps the `Date` of when the origin made it.
 */
export function serverTime(headers: { date?: string | null; age?: string | null }): Date {
  const date = Date.parse(headers.date ?? '');
  if (!Number.isFinite(date)) throw new Error('The API answered without a Date header: no server clock');
  const age = Number(headers.age ?? 0);
  return new Date(date + (Number.isFinite(age) && age > 0 ? age * 1000 : 0));
}

/** The server clock of a deployed edition: one GET of `url` (an API route), its `Date` header. */
export function httpServerClock(url: string): () => Promise<Date> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    await response.body?.cancel();
    return serverTime({ date: response.headers.get('date'), age: response.headers.get('age') });
  };
}

/** `2h`, `90m`, `45s` or a number of minutes, in ms. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(h|m|min|s)?$/.exec(text.trim());
  if (!match) throw new RangeError(`« ${text} » : une durée attendue (2h, 90m, 45s)`);
  const unit = match[2] === 'h' ? 3_600_000 : match[2] === 's' ? 1_000 : 60_000;
  return Number(match[1]) * unit;
}

const formatDuration = (ms: number) => {
  const minutes = Math.ceil(ms / 60_000);
  return minutes >= 180 ? `${(minutes / 60).toFixed(1)} h` : `${minutes} min`;
};

export interface DeployedPlatformOptions {
  /** The server's time (`httpServerClock`). */
  serverNow: () => Promise<Date>;
  /** Counts of the edition's dead-letter queues by name (`deadLetterCounts` of `bp dlq`). */
  deadLetterCounts: () => Promise<Map<string, number>>;
  /** The longest the whole run may wait for the calendar (`--max-wait`). */
  maxWaitMs: number;
  log: (line: string) => void;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** The local monotonic time, for the quiet waits. @default performance.now */
  elapsed?: () => number;
  /** An effect is settled when its progress has not moved for this long. @default 15_000 */
  quietMs?: number;
  /** The longest a quiet wait lasts. @default 180_000 */
  idleMaxMs?: number;
  /** Between two polls of an effect. @default 1_000 */
  pollMs?: number;
  /** The longest sleep between two readings of the server clock while waiting. @default 30_000 */
  clockPollMs?: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A deployed edition: its schedules fire at their calendar time, so the rehearsal follows the calendar in real
 * time. Every wait is bounded: the calendar by `maxWaitMs` (checked up front), an effect by `idleMaxMs`.
 */
export async function deployedPlatform(options: DeployedPlatformOptions): Promise<Platform> {
  const sleep = options.sleep ?? sleepFor;
  const elapsed = options.elapsed ?? (() => performance.now());
  const quietMs = options.quietMs ?? 15_000;
  const idleMaxMs = options.idleMaxMs ?? 180_000;
  const pollMs = options.pollMs ?? 1_000;
  const clockPollMs = options.clockPollMs ?? 30_000;
  // The queues keep their letters 14 days: those already there belong to earlier runs, not to this one.
  const before = await options.deadLetterCounts();
  const waitingBefore = [...before.values()].reduce((sum, n) => sum + n, 0);
  if (waitingBefore > 0)
    options.log(
      `rehearse: ${waitingBefore} dead letters were already waiting in the edition's queues (left out; bp dlq list)`,
    );
  const refuseBeyond = (to: Date, now: Date) => {
    const wait = to.getTime() - now.getTime();
    if (wait > options.maxWaitMs)
      throw new Error(
        `The edition's calendar would make this rehearsal wait until ${to.toISOString()}, ${formatDuration(wait)} after the server's time (${now.toISOString()}), more than --max-wait ${formatDuration(options.maxWaitMs)}: rehearse a staging edition whose calendar is minutes apart (docs/rehearsal.md)`,
      );
  };
  return {
    kind: 'deployed',
    now: options.serverNow,
    plan: async (last) => refuseBeyond(last, await options.serverNow()),
    moveTo: async (to) => {
      let now = await options.serverNow();
      if (now >= to) return;
      refuseBeyond(to, now);
      options.log(
        `  waiting for the calendar: ${to.toISOString()} (${formatDuration(to.getTime() - now.getTime())})`,
      );
      // The server's clock is read again at least every `clockPollMs`: the local clock may drift from it.
      while (now < to) {
        await sleep(Math.min(to.getTime() - now.getTime(), clockPollMs));
        now = await options.serverNow();
      }
    },
    idle: async (effect) => {
      // Time is real and the driver checks the phase itself: with nothing to watch, there is nothing to wait for.
      if (!effect) return;
      const started = elapsed();
      let last = await effect.progress();
      let changed = started;
      for (;;) {
        const at = elapsed();
        if (at - changed >= quietMs && (effect.done?.() ?? true)) return;
        if (at - started >= idleMaxMs) {
          options.log(`rehearse: still receiving after ${formatDuration(idleMaxMs)}; going on`);
          return;
        }
        await sleep(pollMs);
        const progress = await effect.progress();
        if (progress !== last) {
          last = progress;
          changed = elapsed();
        }
      }
    },
    // The driver moves a minute or two past each calendar time; a schedule fires within seconds of its own.
    phaseWait: { attempts: 120, intervalMs: 1_000 },
    deadLetters: async () => {
      const letters: string[] = [];
      for (const [queue, count] of await options.deadLetterCounts())
        for (let i = 0; i < count - (before.get(queue) ?? 0); i++) letters.push(queue);
      return letters;
    },
    // No counter of deliveries from outside the account: an estimate, printed as such. A lower bound: one
    // event and one asynchronous invocation per email received (the notifications function sends each one on an
    // event), plus the edition's phase schedules.
    usage: async ({ emails }) => ({
      events: emails,
      asyncInvocations: emails + PHASE_TRANSITIONS.length,
      estimated: true,
    }),
  };
}
