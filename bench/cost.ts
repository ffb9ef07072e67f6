/**
 * `npm run bench:cost`: what an edition costs on AWS, from what one citizen and one staff journey
 * consume on the local stack. Measured per segment of the journeys (through local/fault-proxy.ts at
 * rate 0, which asks DynamoDB Local for ConsumedCapacity; the Lambda runtime's invocation hook; the
 * local bus counters; the SES mailbox):
 * - citizen: verify by email code (author), propose an idea; verify (voter), read the ballot, vote;
 *   read the results and check the receipt;
 * - staff: phase changes, moderation (publish), close the vote (count), publish the results;
 * BENCH_EXTRA_VOTERS more ballots are cast (unmetered) so that the count's reads can be scaled by ballot.
 * Then extrapolates to BENCH_VOTERS (100,000) voters and BENCH_IDEAS (2,000) ideas in eu-west-3 with
 * bench/aws-prices.eu-west-3.json and prints the bill line by line. Assumptions that no local run can
 * measure (page views, log volume, table size, alarms) are env knobs, printed with the bill.
 * Lambda durations are those of this machine (in-process handlers, emulators, shared CPU): an upper
 * bound of what Lambda on ARM would bill, not a measurement of it.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClock } from '../local/clock.ts';
import { signIn } from '../local/cognito.ts';
import type { InvocationRecord } from '../local/lambda-runtime.ts';
import { parseScheduleExpression } from '../local/schedule-expression.ts';
import { readMailbox } from '../local/ses.ts';
import { startLocalStack } from '../local/stack.ts';
import { installTimeShift } from '../local/time-shift.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { FUNCTIONS } from '../shared/manifest.ts';
import { toInstant } from '../shared/time/zoned.ts';
import { citizenFactory } from '../test/support/citizens.ts';
import { price, priceFile } from './aws-prices.ts';
import { synthInventory } from './stack-inventory.ts';

const VOTERS = Number(process.env.BENCH_VOTERS ?? 100_000);
const IDEAS = Number(process.env.BENCH_IDEAS ?? 2_000);
const EXTRA_VOTERS = Number(process.env.BENCH_EXTRA_VOTERS ?? 20);
/** Site pages a voter loads over the edition (sign-in, ballot, receipt, results, browsing ideas). */
const PAGE_VIEWS_PER_VOTER = Number(process.env.BENCH_PAGE_VIEWS_PER_VOTER ?? 6);
/** CloudFront requests per page view (HTML, JS, CSS, config, icons; most come from the browser cache). */
const REQUESTS_PER_PAGE_VIEW = Number(process.env.BENCH_REQUESTS_PER_PAGE_VIEW ?? 6);
/** Share of the whole built site a page view transfers (first visits all of it, later ones little). */
const UNCACHED_SHARE = Number(process.env.BENCH_UNCACHED_SHARE ?? 0.4);
/** START/END/REPORT lines plus the function's own INFO lines. */
const LOG_BYTES_PER_INVOCATION = Number(process.env.BENCH_LOG_BYTES_PER_INVOCATION ?? 1200);
const LOG_RETENTION_MONTHS = 3;
const TABLE_BYTES_PER_VOTER = Number(process.env.BENCH_TABLE_BYTES_PER_VOTER ?? 2500);
const TABLE_BYTES_PER_IDEA = Number(process.env.BENCH_TABLE_BYTES_PER_IDEA ?? 6000);
/** Staff accounts active in a month (Cognito bills monthly active users on the Plus plan). */
const STAFF_ACTIVE = Number(process.env.BENCH_STAFF_ACTIVE ?? 40);

interface Meter {
  rru: number;
  wru: number;
  dynamoRequests: number;
  invocations: number;
  httpRequests: number;
  gbSeconds: number;
  events: number;
  schedules: number;
  emails: number;
}
const ZERO: Meter = {
  rru: 0,
  wru: 0,
  dynamoRequests: 0,
  invocations: 0,
  httpRequests: 0,
  gbSeconds: 0,
  events: 0,
  schedules: 0,
  emails: 0,
};
const combine = (a: Meter, b: Meter, factor = 1): Meter =>
  Object.fromEntries(
    Object.keys(ZERO).map((key) => [key, a[key as keyof Meter] + factor * b[key as keyof Meter]]),
  ) as unknown as Meter;

const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const config = parsed.config;
const at = (local: string, plusMs = 0) => new Date(toInstant(local, config.timeZone).getTime() + plusMs);
const clock = createClock({ realNow: Date.now, start: at(config.calendar.ideasOpen, 3600_000) });
installTimeShift(clock);
const invocations: InvocationRecord[] = [];
const dataDir = resolve('.local/bench-cost');
const stack = await startLocalStack({
  config,
  port: 0,
  dataDir,
  cacheDir: resolve('.cache'),
  persistent: false,
  clock,
  faults: { rate: 0, countCapacity: true },
  onInvoke: (record) => invocations.push(record),
});
const edition = `${stack.urls.api}/editions/${config.id}`;
const busIdle = () => fetch(`${stack.urls.bus}/__local/idle`, { method: 'POST' }).then((r) => r.text());

async function read(): Promise<Meter> {
  const operations = Object.values(stack.faults?.dynamodb.stats().operations ?? {});
  const bus = stack.bus.stats();
  return {
    rru: operations.reduce((sum, op) => sum + op.read, 0),
    wru: operations.reduce((sum, op) => sum + op.write, 0),
    dynamoRequests: operations.reduce((sum, op) => sum + op.requests, 0),
    invocations: invocations.length,
    httpRequests: invocations.filter((record) => record.trigger === 'http').length,
    // Lambda bills each invocation by the millisecond, rounded up.
    gbSeconds: invocations.reduce(
      (sum, r) => sum + (Math.ceil(r.durationMs) / 1000) * (r.memoryMb / 1024),
      0,
    ),
    events: bus.events,
    schedules: bus.scheduleInvocations,
    emails: (await readMailbox(stack.urls.mailbox)).length,
  };
}

const segments = new Map<string, Meter>();
async function measure<T>(name: string, work: () => Promise<T>): Promise<T> {
  await busIdle();
  const before = await read();
  const result = await work();
  await busIdle();
  await sleep(200);
  await busIdle();
  segments.set(name, combine(await read(), before, -1));
  return result;
}

// biome-ignore lint/suspicious/noExplicitAny: bench reads JSON bodies by path
type Json = any;

async function call(
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Json> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(method === 'GET' ? {} : { 'idempotency-key': randomUUID() }),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function staffToken(role: string) {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`no ${role}`);
  return (await signIn(stack.pool, stack.urls.cognito, user.username, user.password)).idToken;
}

async function movePhase(to: string) {
  if ((await call('GET', edition)).phase.current === to) return;
  await call('POST', `${edition}/staff/phase`, {
    token: await staffToken('admin'),
    body: { to, reason: `Banc d’essai du coût : passage en ${to}` },
  });
}

/** The citizen's sign-in: a code by email (read back from the mailbox), then a session. */
async function verify(tag: string): Promise<string> {
  const email = `${tag}-${randomUUID().slice(0, 8)}@exemple.fr`;
  await call('POST', `${edition}/identity/code`, { body: { email } });
  let code: string | undefined;
  for (let i = 0; i < 50 && !code; i++) {
    const mail = (await readMailbox(stack.urls.mailbox))
      .filter((m) => m.destination.to.includes(email))
      .at(-1);
    code = mail?.subject.match(/(\d{6})$/)?.[1];
    if (!code) await sleep(100);
  }
  if (!code) throw new Error('no code email');
  const letters = randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8);
  const session = await call('POST', `${edition}/identity/session`, {
    body: {
      email,
      code,
      profile: {
        firstName: 'Camille',
        lastName: `Le Goff ${letters}`,
        birthDate: '1990-05-14',
        commune: '44109',
      },
    },
  });
  return session.token as string;
}

let exitCode = 0;
const factory = await citizenFactory({
  siteUrl: stack.urls.site,
  dynamodbUrl: stack.urls.dynamodb,
  secretsUrl: stack.urls.secrets,
  tableName: stack.tableName,
  edition: config.id,
});
try {
  const started = performance.now();
  // ---- The journeys ---------------------------------------------------------------------------------
  await measure('staff: open the call for ideas', () => movePhase('ideas'));
  const author = await measure('citizen: verify (author)', () => verify('autrice'));
  const idea = await measure('citizen: propose an idea', () =>
    call('POST', `${edition}/ideas`, {
      token: author,
      body: {
        title: 'Un jardin partagé à l’école',
        description: 'Un jardin partagé dans la cour de l’école, entretenu avec les habitants du quartier.',
        theme: config.themes[0]?.id,
        territory: 'nantes',
        commune: '44109',
        estimatedCost: 15_000,
        proposer: { kind: 'individual' },
      },
    }),
  );
  const moderator = await staffToken('moderator');
  await measure('staff: moderate (publish)', () =>
    call('POST', `${edition}/staff/ideas/${idea.id}/moderation`, {
      token: moderator,
      body: { action: 'publish' },
    }),
  );
  // The clock jumps seven months: the minute schedules catch up at once (up to 100 runs each), a burst no
  // deployed edition sees. Kept out of the segments; schedules are billed from one measured minute below.
  clock.set(at(config.calendar.voteOpen, 3600_000));
  await busIdle();
  await measure('staff: open the vote', () => movePhase('vote'));
  await measure('schedules: one minute', async () => {
    clock.advance(60_000);
    await busIdle();
  });
  const voter = await measure('citizen: verify (voter)', () => verify('votant'));
  const receipt = await measure('citizen: vote', async () => {
    const ballot = await call('GET', `${edition}/ballot`, { token: voter });
    const envelope = ballot.envelopes[0] as { id: string; projects: { id: string }[] };
    const cast = await call('POST', `${edition}/ballots`, {
      token: voter,
      body: { choices: { [envelope.id]: envelope.projects.slice(0, 3).map((p) => p.id) } },
    });
    return cast.receipt as string;
  });
  // More ballots (unmetered), so that the count's reads can be scaled per ballot.
  const territories = config.territories.map((t) => t.id);
  for (let i = 0; i < EXTRA_VOTERS; i++) {
    const extra = await factory.create(territories[i % territories.length] as string);
    const ballot = await call('GET', `${edition}/ballot`, { token: extra.token });
    const envelope = ballot.envelopes[0] as { id: string; projects: { id: string }[] };
    await call('POST', `${edition}/ballots`, {
      token: extra.token,
      body: { choices: { [envelope.id]: envelope.projects.slice(0, 3).map((p) => p.id) } },
    });
  }
  const admin = await staffToken('admin');
  await measure('staff: close the vote and count', async () => {
    await movePhase('counting');
    for (let i = 0; i < 300; i++) {
      const response = await fetch(`${edition}/staff/results`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      await response.arrayBuffer();
      if (response.status === 200) return;
      await sleep(100);
    }
    throw new Error('no results after 30 s');
  });
  await measure('staff: publish the results', () =>
    call('POST', `${edition}/staff/results/publish`, {
      token: admin,
      body: { reason: 'Banc d’essai du coût : publication' },
    }),
  );
  await measure('citizen: results and receipt', async () => {
    await call('GET', `${edition}/results`);
    await call('POST', `${edition}/receipts/check`, { body: { code: receipt } });
  });

  // ---- Extrapolation ------------------------------------------------------------------------------
  const seg = (name: string) => segments.get(name) ?? ZERO;
  const sum = (...names: string[]) => names.reduce((total, name) => combine(total, seg(name)), ZERO);
  const perVoter = sum('citizen: verify (voter)', 'citizen: vote', 'citizen: results and receipt');
  const perIdea = sum('citizen: verify (author)', 'citizen: propose an idea', 'staff: moderate (publish)');
  const count = seg('staff: close the vote and count');
  const ballotsCounted = 1 + EXTRA_VOTERS;
  // The count reads every ballot: its reads and duration grow with ballots; the rest of it does not.
  const countScale = VOTERS / ballotsCounted;
  const countAtScale: Meter = {
    ...count,
    rru: count.rru * countScale,
    gbSeconds: count.gbSeconds * countScale,
  };
  const fixed = combine(
    sum('staff: open the call for ideas', 'staff: open the vote', 'staff: publish the results'),
    countAtScale,
  );
  let edition100k = combine(combine(fixed, perVoter, VOTERS), perIdea, IDEAS);

  // Schedules over the edition: from the call for ideas to one month after the results.
  const from = at(config.calendar.ideasOpen).getTime();
  const until = at(config.calendar.resultsAt).getTime() + 30 * 86_400_000;
  const months = (until - from) / (30 * 86_400_000);
  let scheduledRuns = 0;
  for (const fn of FUNCTIONS) {
    for (const schedule of fn.schedules(config)) {
      const parsedSchedule = parseScheduleExpression(schedule.expression);
      if (parsedSchedule.kind === 'at') scheduledRuns += 1;
      else if (parsedSchedule.kind === 'rate') scheduledRuns += (until - from) / parsedSchedule.periodMs;
      // Crons of the platform run once a day.
      else scheduledRuns += (until - from) / 86_400_000;
    }
  }
  // What one scheduled run costs, from the measured minute (each run finds nothing or little to do).
  const tick = seg('schedules: one minute');
  const runs = Math.max(1, tick.schedules);
  edition100k = combine(edition100k, {
    ...ZERO,
    schedules: scheduledRuns,
    invocations: scheduledRuns,
    gbSeconds: (scheduledRuns * tick.gbSeconds) / runs,
    rru: (scheduledRuns * tick.rru) / runs,
    wru: (scheduledRuns * tick.wru) / runs,
  });
  const webDir = join(dataDir, 'web');
  const siteBytes = readdirSync(webDir, { recursive: true })
    .map((file) => join(webDir, String(file)))
    .filter((file) => /\.(html|js|css|json|svg)$/.test(file) && statSync(file).isFile())
    .reduce((total, file) => total + statSync(file).size, 0);
  const pageViews = VOTERS * PAGE_VIEWS_PER_VOTER;
  const cdnRequests = pageViews * REQUESTS_PER_PAGE_VIEW;
  // Each page view transfers UNCACHED_SHARE of the whole built site (the rest is in the browser cache).
  const cdnGb = (pageViews * siteBytes * UNCACHED_SHARE) / 1024 ** 3;
  const logGb = (edition100k.invocations * LOG_BYTES_PER_INVOCATION) / 1024 ** 3;
  const tableGb = (VOTERS * TABLE_BYTES_PER_VOTER + IDEAS * TABLE_BYTES_PER_IDEA) / 1024 ** 3;
  // The fixed items of the bill, counted in the synthesized stacks of this edition.
  const inventory = synthInventory(config, webDir);
  const plusPools = inventory.userPoolTiers.filter((tier) => tier === 'PLUS').length;

  const lines: [string, string, number][] = [
    [
      'DynamoDB write request units',
      fmt(edition100k.wru),
      (edition100k.wru / 1e6) * price('dynamodbWriteRequestUnitPerMillion'),
    ],
    [
      'DynamoDB read request units',
      fmt(edition100k.rru),
      (edition100k.rru / 1e6) * price('dynamodbReadRequestUnitPerMillion'),
    ],
    [
      'DynamoDB storage (GB-month)',
      `${tableGb.toFixed(2)} GB x ${months.toFixed(1)}`,
      tableGb * months * price('dynamodbStorageGbMonth'),
    ],
    [
      'DynamoDB point-in-time recovery',
      `${tableGb.toFixed(2)} GB x ${months.toFixed(1)}`,
      tableGb * months * price('dynamodbPitrGbMonth'),
    ],
    [
      'Lambda requests (ARM)',
      fmt(edition100k.invocations),
      (edition100k.invocations / 1e6) * price('lambdaRequestPerMillion'),
    ],
    [
      'Lambda duration (GB-s, ARM)',
      fmt(edition100k.gbSeconds),
      edition100k.gbSeconds * price('lambdaArmGbSecond'),
    ],
    [
      'API Gateway HTTP API requests',
      fmt(edition100k.httpRequests),
      (edition100k.httpRequests / 1e6) * price('httpApiRequestPerMillion'),
    ],
    [
      'EventBridge custom events',
      fmt(edition100k.events),
      (edition100k.events / 1e6) * price('eventBridgeCustomEventPerMillion'),
    ],
    [
      'EventBridge Scheduler invocations',
      fmt(scheduledRuns),
      (scheduledRuns / 1e6) * price('schedulerInvocationPerMillion'),
    ],
    ['SES emails', fmt(edition100k.emails), (edition100k.emails / 1000) * price('sesEmailPerThousand')],
    [
      'CloudFront requests (HTTPS)',
      fmt(cdnRequests),
      (cdnRequests / 1e4) * price('cloudFrontHttpsRequestsPerTenThousand'),
    ],
    [
      'CloudFront data transfer (Europe)',
      `${cdnGb.toFixed(1)} GB`,
      cdnGb * price('cloudFrontDataTransferEuropeGb'),
    ],
    [
      'S3 site storage and origin GETs',
      `${(siteBytes / 1024 ** 2).toFixed(1)} MB`,
      (siteBytes / 1024 ** 3) * months * price('s3StandardGbMonth') +
        ((cdnRequests * 0.01) / 1000) * price('s3GetPerThousand'),
    ],
    ['CloudWatch Logs ingestion', `${logGb.toFixed(2)} GB`, logGb * price('cloudWatchLogsIngestionGb')],
    [
      'CloudWatch Logs storage',
      `${logGb.toFixed(2)} GB x ${LOG_RETENTION_MONTHS}`,
      logGb * LOG_RETENTION_MONTHS * price('cloudWatchLogsStorageGbMonth'),
    ],
    [
      'CloudWatch alarms and dashboards',
      `${inventory.alarms} alarms + ${inventory.dashboards} dashboards x ${months.toFixed(1)}`,
      months *
        (inventory.alarms * price('cloudWatchAlarmMonth') +
          inventory.dashboards * price('cloudWatchDashboardMonth')),
    ],
    [
      'Cognito (staff only)',
      plusPools ? `${STAFF_ACTIVE} MAU (Plus) x ${months.toFixed(1)}` : 'free tier',
      plusPools
        ? plusPools * STAFF_ACTIVE * months * price('cognitoPlusMonthlyActiveUser')
        : STAFF_ACTIVE * months * price('cognitoStaffMonthlyActiveUser'),
    ],
    [
      'Secrets Manager',
      `${inventory.secrets} secrets x ${months.toFixed(1)}`,
      inventory.secrets * months * price('secretsManagerSecretMonth') +
        (edition100k.invocations / 100 / 1e4) * price('secretsManagerApiCallsPerTenThousand'),
    ],
    [
      'WAF (web ACLs and their rules)',
      `${inventory.webAcls} ACLs, ${inventory.wafRules} rules, ${fmt(edition100k.httpRequests + cdnRequests)} requests`,
      months * (inventory.webAcls * price('wafWebAclMonth') + inventory.wafRules * price('wafRuleMonth')) +
        ((edition100k.httpRequests + cdnRequests) / 1e6) * price('wafRequestPerMillion'),
    ],
    [
      'CloudWatch Synthetics canaries',
      `${fmt(inventory.canaryRunsPerMonth)} runs/month x ${months.toFixed(1)} + ${fmt(inventory.canaryRunsPerEdition)} during the vote`,
      (inventory.canaryRunsPerMonth * months + inventory.canaryRunsPerEdition) * price('syntheticsCanaryRun'),
    ],
    [
      'KMS keys',
      `${inventory.kmsKeys} keys x ${months.toFixed(1)}`,
      inventory.kmsKeys * months * price('kmsKeyMonth'),
    ],
  ];

  const show = (name: string, m: Meter) =>
    console.log(
      `  ${name.padEnd(34)} rru=${fmt(m.rru, 1)} wru=${fmt(m.wru, 1)} dynamo_calls=${m.dynamoRequests} lambda=${m.invocations} (http ${m.httpRequests}) gb_s=${m.gbSeconds.toFixed(3)} events=${m.events} schedules=${m.schedules} emails=${m.emails}`,
    );
  console.log(`measured on the local stack (${((performance.now() - started) / 1000).toFixed(1)} s):`);
  for (const [name, meter] of segments) show(name, meter);
  console.log(
    `  the count read ${ballotsCounted} ballots; its reads and duration are scaled x${countScale.toFixed(0)}`,
  );
  console.log(
    `assumptions: ${PAGE_VIEWS_PER_VOTER} page views/voter, ${REQUESTS_PER_PAGE_VIEW} requests/view, ${UNCACHED_SHARE * 100}% uncached, site ${(siteBytes / 1024).toFixed(0)} kB, ${LOG_BYTES_PER_INVOCATION} log bytes/invocation, ${TABLE_BYTES_PER_VOTER} table bytes/voter, ${STAFF_ACTIVE} staff active/month, ${months.toFixed(1)} months deployed, ${fmt(scheduledRuns)} scheduled runs`,
  );
  console.log(
    `prices: eu-west-3, USD, as of ${priceFile.asOf} (bench/aws-prices.eu-west-3.json; ${Object.values(priceFile.prices).filter((p) => !p.checked).length} not yet checked against the pricing pages), no free tier deducted`,
  );
  console.log(`bill of an edition of ${fmt(VOTERS)} voters and ${fmt(IDEAS)} ideas:`);
  let total = 0;
  for (const [name, quantity, usd] of lines) {
    total += usd;
    console.log(`  ${name.padEnd(38)} ${quantity.padStart(26)}  ${usd.toFixed(2).padStart(9)} USD`);
  }
  console.log(`  ${'total'.padEnd(38)} ${''.padStart(26)}  ${total.toFixed(2).padStart(9)} USD`);
  console.log(
    `bench:cost voters=${VOTERS} usd_total=${total.toFixed(2)} usd_per_1000_voters=${((total / VOTERS) * 1000).toFixed(2)}`,
  );
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  factory.close();
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}
