/**
 * The deployed platform of `bp rehearse` (bin/rehearse/platform.ts): real time read from the server's `Date`,
 * waits bounded by `--max-wait` and refused up front, quiet waits for emails, dead letters from the edition's SQS
 * queues through `bp dlq`'s code (mocked SQS, as test/unit/ops-dlq.test.ts does), and the choice of platform.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deadLetterCounts } from '../../bin/commands/dlq.ts';
import { rehearseCommand } from '../../bin/commands/rehearse.ts';
import { arrivalCurve, compressedArrivalCurve } from '../../bin/rehearse/driver.ts';
import {
  type DeployedPlatformOptions,
  deployedPlatform,
  httpServerClock,
  parseDuration,
  platformKind,
  serverTime,
} from '../../bin/rehearse/platform.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A server whose clock runs at `rate` of the local one (a slow or fast clock), a sleep that moves local time
 * without waiting, and what was slept.
 */
function fakeTime(start: string, rate = 1) {
  let local = 0;
  const sleeps: number[] = [];
  const origin = Date.parse(start);
  return {
    sleeps,
    serverNow: async () => new Date(origin + Math.floor(local * rate)),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      local += ms;
    },
    elapsed: () => local,
  };
}

async function deployed(time: ReturnType<typeof fakeTime>, options: Partial<DeployedPlatformOptions> = {}) {
  const lines: string[] = [];
  const platform = await deployedPlatform({
    serverNow: time.serverNow,
    sleep: time.sleep,
    elapsed: time.elapsed,
    deadLetterCounts: async () => new Map(),
    maxWaitMs: 2 * HOUR,
    log: (line) => lines.push(line),
    ...options,
  });
  return { platform, lines };
}

describe('the deployed platform: real time', () => {
  it('waits until the server’s time reaches the target, reading the server’s clock again as it goes', async () => {
    // Prepare: the server's clock runs at 90 % of the local one, so one sleep of the whole gap is not enough.
    const time = fakeTime('2026-12-07T16:00:00Z', 0.9);
    const { platform } = await deployed(time);
    const target = new Date('2026-12-07T16:05:00Z');

    // Act
    await platform.moveTo(target);

    // Assess
    expect((await platform.now()).getTime()).toBeGreaterThanOrEqual(target.getTime());
    expect(time.sleeps.every((ms) => ms > 0 && ms <= 30_000)).toBe(true);
    // Five minutes of server time at 0.9: about 333 s of sleeps, not a minute more.
    const slept = time.sleeps.reduce((sum, ms) => sum + ms, 0);
    expect(slept).toBeGreaterThanOrEqual((5 * MINUTE) / 0.9 - 1_000);
    expect(slept).toBeLessThan((5 * MINUTE) / 0.9 + 30_000);
  });

  it('does not wait for a time the server has already passed (time never goes back)', async () => {
    const time = fakeTime('2026-12-07T16:00:00Z');
    const { platform } = await deployed(time);

    await platform.moveTo(new Date('2026-12-07T15:59:00Z'));
    await platform.moveTo(new Date('2026-12-07T16:00:00Z'));

    expect(time.sleeps).toEqual([]);
  });

  it('refuses up front a calendar that would make the run wait beyond --max-wait, and waits for nothing', async () => {
    const time = fakeTime('2026-12-07T16:00:00Z');
    const { platform } = await deployed(time, { maxWaitMs: 2 * HOUR });

    await expect(platform.plan(new Date('2026-12-07T18:01:00Z'))).rejects.toThrow(
      /wait until 2026-12-07T18:01:00\.000Z, 121 min after the server's time \(2026-12-07T16:00:00\.000Z\), more than --max-wait 120 min: rehearse a staging edition whose calendar is minutes apart/,
    );
    await expect(platform.moveTo(new Date('2026-12-08T16:00:00Z'))).rejects.toThrow(/more than --max-wait/);
    await expect(platform.plan(new Date('2026-12-07T18:00:00Z'))).resolves.toBeUndefined();
    expect(time.sleeps).toEqual([]);
  });

  it('reads the server’s time from Date, plus Age when a cache served the answer', () => {
    expect(serverTime({ date: 'Mon, 07 Dec 2026 16:00:00 GMT' }).toISOString()).toBe(
      '2026-12-07T16:00:00.000Z',
    );
    expect(serverTime({ date: 'Mon, 07 Dec 2026 16:00:00 GMT', age: '42' }).toISOString()).toBe(
      '2026-12-07T16:00:42.000Z',
    );
    expect(() => serverTime({ date: null })).toThrow(/without a Date header/);
  });
});

describe('the deployed platform: the server clock over HTTP', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.setHeader('date', 'Mon, 07 Dec 2026 16:00:00 GMT');
      response.setHeader('age', '5');
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/editions/x`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('takes the API’s Date header as the time', async () => {
    expect((await httpServerClock(url)()).toISOString()).toBe('2026-12-07T16:00:05.000Z');
  });
});

describe('the deployed platform: waiting for emails', () => {
  it('returns once the count has not moved for the quiet period', async () => {
    const time = fakeTime('2026-12-07T16:00:00Z');
    const { platform } = await deployed(time, { quietMs: 10_000, pollMs: 1_000 });
    // Emails arrive for five seconds, then nothing more.
    const progress = async () => Math.min(5, Math.floor(time.elapsed() / 1_000));

    await platform.idle({ progress });

    expect(time.elapsed()).toBe(15_000);
  });

  it('waits past a quiet period while an awaited email is missing, up to its bound', async () => {
    const time = fakeTime('2026-12-07T16:00:00Z');
    const { platform, lines } = await deployed(time, { quietMs: 10_000, idleMaxMs: 60_000, pollMs: 1_000 });
    let done = false;

    // The last email comes after 30 s of silence.
    await platform.idle({
      progress: async () => (time.elapsed() >= 30_000 ? 1 : 0),
      done: () => time.elapsed() >= 30_000,
    });
    const after = time.elapsed();
    // One that never comes: the wait ends at its bound, and says so.
    await platform.idle({ progress: async () => 0, done: () => done });
    done = true;

    expect(after).toBe(40_000);
    expect(time.elapsed() - after).toBe(60_000);
    expect(lines).toContain('rehearse: still receiving after 1 min; going on');
  });

  it('waits for nothing when there is no effect to watch (the driver polls the phase itself)', async () => {
    const time = fakeTime('2026-12-07T16:00:00Z');
    const { platform } = await deployed(time);
    await platform.idle();
    expect(time.sleeps).toEqual([]);
  });

  it('prints its events and asynchronous invocations as an estimate', async () => {
    const { platform } = await deployed(fakeTime('2026-12-07T16:00:00Z'));
    expect(await platform.usage({ emails: 120 })).toEqual({
      events: 120,
      asyncInvocations: 126,
      estimated: true,
    });
  });
});

describe('the deployed platform: dead letters from the edition’s SQS queues', () => {
  const sqs = mockClient(SQSClient);
  const PREFIX = 'https://sqs.eu-west-3.amazonaws.com/111111111111/Bp-loire-atlantique-demo-Functions-';
  const DELIVERY = `${PREFIX}notificationsDeliveryDlq-AbC`;
  const FAILURES = `${PREFIX}votingFailureDlq-XyZ`;
  const counts = (visible: string, inFlight = '0') => ({
    Attributes: { ApproximateNumberOfMessages: visible, ApproximateNumberOfMessagesNotVisible: inFlight },
  });

  beforeEach(() => {
    sqs.reset();
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [FAILURES, DELIVERY] });
  });
  afterEach(() => sqs.restore());

  it('counts only the letters that appeared during the rehearsal, and says which were there before', async () => {
    // Prepare: two letters of an earlier run wait in the delivery queue; during the rehearsal one more comes
    // there and one in the voting queue (one still in flight).
    sqs.on(GetQueueAttributesCommand, { QueueUrl: DELIVERY }).resolvesOnce(counts('2')).resolves(counts('3'));
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: FAILURES })
      .resolvesOnce(counts('0'))
      .resolves(counts('0', '1'));
    const client = new SQSClient({ region: 'eu-west-3' });
    const time = fakeTime('2026-12-07T16:00:00Z');

    // Act
    const { platform, lines } = await deployed(time, {
      deadLetterCounts: () => deadLetterCounts(client, 'loire-atlantique-demo'),
    });
    const letters = await platform.deadLetters();

    // Assess
    expect(sqs.commandCalls(ListQueuesCommand)[0]?.args[0].input).toMatchObject({
      QueueNamePrefix: 'Bp-loire-atlantique-demo-Functions-',
    });
    expect(letters).toEqual([
      'Bp-loire-atlantique-demo-Functions-notificationsDeliveryDlq-AbC',
      'Bp-loire-atlantique-demo-Functions-votingFailureDlq-XyZ',
    ]);
    expect(lines).toEqual([
      "rehearse: 2 dead letters were already waiting in the edition's queues (left out; bp dlq list)",
    ]);
  });

  it('finds no dead letter when the queues are as they were', async () => {
    sqs.on(GetQueueAttributesCommand).resolves(counts('1'));
    const client = new SQSClient({ region: 'eu-west-3' });
    const { platform } = await deployed(fakeTime('2026-12-07T16:00:00Z'), {
      deadLetterCounts: () => deadLetterCounts(client, 'loire-atlantique-demo'),
    });
    expect(await platform.deadLetters()).toEqual([]);
  });
});

describe('the choice of platform', () => {
  it('is the local bus on the loopback or with --bus, a deployed edition elsewhere or with --deployed', () => {
    expect(platformKind({ url: 'http://127.0.0.1:4100' })).toBe('local');
    expect(platformKind({ url: 'http://localhost:3000' })).toBe('local');
    expect(platformKind({ url: 'https://staging.example', busUrl: 'http://10.0.0.2:4113' })).toBe('local');
    expect(platformKind({ url: 'https://budget.staging.example' })).toBe('deployed');
    expect(platformKind({ url: 'http://127.0.0.1:4100', deployed: true })).toBe('deployed');
    expect(() =>
      platformKind({ url: 'http://127.0.0.1:4100', busUrl: 'http://127.0.0.1:4113', deployed: true }),
    ).toThrow(/--deployed et --bus/);
  });

  it('refuses --deployed with --bus and a malformed --max-wait before sending anything', async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (line: string) => err.push(line) };
    const both = await rehearseCommand.run(
      ['--url', 'http://127.0.0.1:9', '--deployed', '--bus', 'http://127.0.0.1:22'],
      io,
    );
    const wait = await rehearseCommand.run(['--url', 'https://x.example', '--max-wait', 'deux heures'], io);
    expect([both, wait]).toEqual([2, 2]);
    expect(err).toEqual([
      'bp rehearse : --deployed et --bus : une édition déployée n’a pas de bus local',
      'bp rehearse : « deux heures » : une durée attendue (2h, 90m, 45s)',
    ]);
  });

  it('reads --max-wait as hours, minutes or seconds', () => {
    expect([parseDuration('2h'), parseDuration('90m'), parseDuration('45s'), parseDuration('30')]).toEqual([
      2 * HOUR,
      90 * MINUTE,
      45_000,
      30 * MINUTE,
    ]);
  });
});

describe('the arrival curve of a compressed calendar', () => {
  it('keeps every slice and share of a three-week vote, inside a vote of twenty minutes', () => {
    const opens = new Date('2026-12-07T16:30:00Z');
    const closes = new Date('2026-12-07T16:50:00Z');

    const curve = compressedArrivalCurve(opens, closes);

    expect(curve.map((slice) => [slice.label, slice.share])).toEqual(
      arrivalCurve(new Date('2026-01-05T08:00:00Z'), new Date('2026-01-26T22:59:00Z')).map((slice) => [
        slice.label,
        slice.share,
      ]),
    );
    expect(curve).toHaveLength(8);
    expect(curve[0]?.at.toISOString()).toBe('2026-12-07T16:31:00.000Z');
    const times = curve.map((slice) => slice.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.max(...times)).toBeLessThanOrEqual(closes.getTime() - 2 * MINUTE);
    expect(curve.reduce((sum, slice) => sum + slice.share, 0)).toBeCloseTo(1);
    // The local curve, drawn for weeks, has no slice within these twenty minutes.
    expect(arrivalCurve(opens, closes).filter((slice) => slice.at >= opens)).toEqual([]);
  });

  it('refuses a vote of three minutes or less', () => {
    expect(() =>
      compressedArrivalCurve(new Date('2026-12-07T16:30:00Z'), new Date('2026-12-07T16:33:00Z')),
    ).toThrow(/The vote lasts 3 min: a rehearsal needs more than 3/);
  });
});
