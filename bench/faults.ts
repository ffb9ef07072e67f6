/**
 * `npm run bench:faults`: the platform under injected AWS faults (local/fault-proxy.ts between the
 * functions and DynamoDB Local / the SES emulator). Two workloads run at BENCH_FAULT_RATE (10 %):
 * citizens submit ideas (acknowledgement emails) and a moderator publishes them (publication emails);
 * then, in the vote, registered voters cast ballots concurrently. The client behaves as the site does:
 * on a 503 (or 429) it waits Retry-After and sends the same request again with the same Idempotency-Key.
 * Then the faults stop, the clock moves two minutes (the outbox sweep runs), the bus drains, and the
 * table (read directly, not through the proxy) and the mailbox are checked:
 * - every acknowledged ballot (201/200 with a receipt) is stored exactly once (by its receipt code), and
 *   markers and ballots match one to one;
 * - every refused answer was a 503 problem+json with Retry-After (a 500 or a network error is a failure);
 * - every expected email (one acknowledgement per stored idea, one publication per published idea)
 *   arrived exactly once, or its event is in the DLQ (listed).
 * `lost` and `doubled` count ballots and emails together (detail lines above the last line say which).
 * Env: BENCH_VOTERS (300), BENCH_IDEAS (40), BENCH_CONCURRENCY (16), BENCH_FAULT_RATE (0.1),
 * BENCH_SEED (1), BENCH_FAULT_KINDS (comma list, default all of local/fault-proxy.ts).
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createClock } from '../local/clock.ts';
import { signIn } from '../local/cognito.ts';
import { FaultKind } from '../local/fault-proxy.ts';
import { readMailbox } from '../local/ses.ts';
import { startLocalStack } from '../local/stack.ts';
import { installTimeShift } from '../local/time-shift.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { toInstant } from '../shared/time/zoned.ts';
import { citizenFactory, type SeededCitizen } from '../test/support/citizens.ts';

const VOTERS = Number(process.env.BENCH_VOTERS ?? 300);
const IDEAS = Number(process.env.BENCH_IDEAS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RATE = Number(process.env.BENCH_FAULT_RATE ?? 0.1);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const KINDS = process.env.BENCH_FAULT_KINDS
  ? process.env.BENCH_FAULT_KINDS.split(',').map((kind) => FaultKind.parse(kind.trim()))
  : undefined;
/** A client gives up after this many attempts (then the request is neither acknowledged nor lost). */
const MAX_ATTEMPTS = 8;

async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const config = parsed.config;
const at = (local: string, plusMs: number) => new Date(toInstant(local, config.timeZone).getTime() + plusMs);
// The call for ideas first (one hour in), then the clock jumps to one hour into the vote.
const clock = createClock({ realNow: Date.now, start: at(config.calendar.ideasOpen, 3600_000) });
installTimeShift(clock);
const dataDir = resolve('.local/bench-faults');
const stack = await startLocalStack({
  config,
  port: 0,
  dataDir,
  cacheDir: resolve('.cache'),
  persistent: false,
  clock,
  retry: { attempts: 3, baseDelayMs: 200 },
  faults: { rate: 0, seed: SEED, ...(KINDS ? { kinds: KINDS } : {}) },
});
const edition = `${stack.urls.api}/editions/${config.id}`;

/** What the client saw of every answer that was not a success. */
const refusals = { total: 0, retryable: 0, bad: [] as string[] };

// biome-ignore lint/suspicious/noExplicitAny: bench reads JSON bodies by path
type Answer = { status: number; body: any; attempts: number };

/** A client as the site is: same Idempotency-Key on every attempt, waits Retry-After on 503/429. */
async function call(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; key?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.key) headers['idempotency-key'] = options.key;
  let last: Answer = { status: 0, body: undefined, attempts: 0 };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      refusals.total++;
      refusals.bad.push(`${method} ${url}: ${String(error)}`);
      last = { status: 0, body: undefined, attempts: attempt };
      await sleep(500);
      continue;
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    last = { status: response.status, body, attempts: attempt };
    if (response.status < 500 && response.status !== 429) return last;
    refusals.total++;
    const retryAfter = Number(response.headers.get('retry-after'));
    const problem = (response.headers.get('content-type') ?? '').startsWith('application/problem+json');
    if ((response.status === 503 || response.status === 429) && problem && retryAfter > 0) {
      refusals.retryable++;
      await sleep(retryAfter * 1000);
    } else {
      refusals.bad.push(`${method} ${url}: ${response.status} ${text.slice(0, 200)}`);
      await sleep(1000);
    }
  }
  return last;
}

async function setFaultRate(rate: number) {
  for (const proxy of [stack.faults?.dynamodb, stack.faults?.ses]) {
    if (!proxy) continue;
    const response = await fetch(`${proxy.endpoint}/__local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rate }),
    });
    if (!response.ok) throw new Error(`fault control: ${response.status}`);
  }
}

const busIdle = () => fetch(`${stack.urls.bus}/__local/idle`, { method: 'POST' }).then((r) => r.text());

async function staffToken(role: string) {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`no ${role}`);
  return (await signIn(stack.pool, stack.urls.cognito, user.username, user.password)).idToken;
}

async function movePhase(to: string) {
  const phase = await call('GET', edition);
  if (phase.body?.phase?.current === to) return;
  const moved = await call('POST', `${edition}/staff/phase`, {
    token: await staffToken('admin'),
    body: { to, reason: `Banc d’essai des pannes : passage en ${to}` },
  });
  if (moved.status !== 200) throw new Error(`phase ${to}: ${moved.status} ${JSON.stringify(moved.body)}`);
  await busIdle();
}

async function scanAll(entity: string, projection: string, names: Record<string, string> = {}) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await factory.documents.send(
      new ScanCommand({
        TableName: stack.tableName,
        FilterExpression: '#entity = :entity',
        ProjectionExpression: projection,
        ExpressionAttributeNames: { '#entity': 'entity', ...names },
        ExpressionAttributeValues: { ':entity': entity },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const factory = await citizenFactory({
  siteUrl: stack.urls.site,
  dynamodbUrl: stack.urls.dynamodb,
  secretsUrl: stack.urls.secrets,
  tableName: stack.tableName,
  edition: config.id,
});
let exitCode = 0;
try {
  const t0 = performance.now();
  const territories = config.territories.map((t) => t.id);
  const communeOf = (territory: string) =>
    config.territories.find((t) => t.id === territory)?.communes[0] as string;
  const register = async (count: number) => {
    const out: SeededCitizen[] = [];
    await pool(
      Array.from({ length: count }, (_, i) => territories[i % territories.length] as string),
      16,
      async (territory) => {
        out.push(await factory.create(territory));
      },
    );
    return out;
  };

  // ---- Ideas and their emails, under faults ------------------------------------------------------
  await movePhase('ideas');
  const authors = await register(IDEAS);
  const moderator = await staffToken('moderator');
  const theme = config.themes[0]?.id;
  await setFaultRate(RATE);
  const acknowledgedIdeas: string[] = [];
  await pool(authors, CONCURRENCY, async (author) => {
    const answer = await call('POST', `${edition}/ideas`, {
      token: author.token,
      key: randomUUID(),
      body: {
        title: `Un abri vélo ${author.citizenId.slice(0, 8)}`,
        description:
          'Un abri pour vélos couvert et éclairé, près de la gare, pour les habitants du quartier.',
        theme,
        territory: author.territory,
        commune: communeOf(author.territory),
        estimatedCost: 20_000,
        proposer: { kind: 'individual' },
      },
    });
    if (answer.status === 201 || answer.status === 200) acknowledgedIdeas.push(answer.body.id as string);
    else if (answer.status < 500) refusals.bad.push(`idea: ${answer.status} ${JSON.stringify(answer.body)}`);
  });
  await pool(acknowledgedIdeas, CONCURRENCY, async (id) => {
    const answer = await call('POST', `${edition}/staff/ideas/${id}/moderation`, {
      token: moderator,
      body: { action: 'publish' },
    });
    // A retry after a lost answer finds the idea published already: that is the expected 409.
    const replayed =
      answer.status === 409 && answer.attempts > 1 && answer.body?.code === 'moderation_not_allowed';
    if (answer.status !== 200 && !replayed && answer.status < 500) {
      refusals.bad.push(`publish: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });

  // ---- The vote, under faults --------------------------------------------------------------------
  await setFaultRate(0);
  await busIdle();
  clock.set(at(config.calendar.voteOpen, 3600_000));
  await busIdle();
  await movePhase('vote');
  const voters = await register(VOTERS);
  const choicesOf = new Map<string, Record<string, string[]>>();
  for (const territory of territories) {
    const sample = voters.find((v) => v.territory === territory) as SeededCitizen;
    const ballot = await call('GET', `${edition}/ballot`, { token: sample.token });
    if (ballot.status !== 200)
      throw new Error(`ballot shape: ${ballot.status} ${JSON.stringify(ballot.body)}`);
    const envelopes = ballot.body.envelopes as { id: string; projects: { id: string }[] }[];
    choicesOf.set(territory, {
      [envelopes[0]?.id as string]: envelopes[0]?.projects.slice(0, 3).map((p) => p.id) ?? [],
    });
  }
  await setFaultRate(RATE);
  const receipts = new Map<string, string>();
  let gaveUp = 0;
  await pool(voters, CONCURRENCY, async (voter) => {
    const answer = await call('POST', `${edition}/ballots`, {
      token: voter.token,
      key: randomUUID(),
      body: { choices: choicesOf.get(voter.territory) },
    });
    if (answer.status === 201 || answer.status === 200) receipts.set(voter.citizenId, answer.body.receipt);
    else if (answer.status >= 500 || answer.status === 0) gaveUp++;
    else refusals.bad.push(`ballot: ${answer.status} ${JSON.stringify(answer.body)}`);
  });

  // ---- Faults stop; everything pending settles ---------------------------------------------------
  await setFaultRate(0);
  const injectedStats = [stack.faults?.dynamodb.stats(), stack.faults?.ses.stats()];
  await busIdle();
  // The ideas outbox sweep runs every minute: let it publish what the bus refused under faults.
  clock.advance(120_000);
  await busIdle();
  await sleep(500);
  await busIdle();

  // ---- Checks, reading the table directly ----------------------------------------------------------
  const ballots = await scanAll('Ballot', 'receipt, envelope');
  const markers = await scanAll('VoteMarker', 'pk');
  const perReceipt = new Map<string, number>();
  for (const ballot of ballots) {
    const key = `${ballot.receipt as string}`;
    perReceipt.set(key, (perReceipt.get(key) ?? 0) + 1);
  }
  let ballotsLost = 0;
  let ballotsDoubled = 0;
  for (const receipt of receipts.values()) {
    const count = perReceipt.get(receipt) ?? 0;
    if (count === 0) ballotsLost++;
    if (count > 1) ballotsDoubled++;
  }
  const orphans = Math.abs(markers.length - perReceipt.size);
  const stored = perReceipt.size;

  const ideas = await scanAll('Idea', 'ideaId, authorId, #status', { '#status': 'status' });
  const emailOf = new Map(authors.map((author) => [author.citizenId, author.email]));
  const mailbox = await readMailbox(stack.urls.mailbox);
  const dlq = (await (await fetch(`${stack.urls.bus}/__local/dlq`)).json()) as {
    deadLetters: {
      target: string;
      event: { 'detail-type'?: string; detail?: { ideaId?: string } };
      error: string;
    }[];
  };
  const expected: { to: string; subject: string; ideaId: string; detailType: string }[] = [];
  for (const idea of ideas) {
    const to = emailOf.get(idea.authorId as string);
    if (!to) continue;
    const ideaId = idea.ideaId as string;
    expected.push({ to, subject: 'bien reçu votre idée', ideaId, detailType: 'IdeaSubmitted' });
    if (idea.status === 'published')
      expected.push({ to, subject: 'Votre idée est publiée', ideaId, detailType: 'IdeaPublished' });
  }
  let emailsDelivered = 0;
  let emailsDoubled = 0;
  let emailsLost = 0;
  const inDlq: string[] = [];
  for (const mail of expected) {
    const count = mailbox.filter(
      (m) => m.destination.to.includes(mail.to) && m.subject.includes(mail.subject),
    ).length;
    if (count >= 1) emailsDelivered++;
    if (count > 1) emailsDoubled++;
    if (count === 0) {
      const letter = dlq.deadLetters.find(
        (l) => l.event?.detail?.ideaId === mail.ideaId && l.event['detail-type'] === mail.detailType,
      );
      if (letter) inDlq.push(`${mail.detailType} ${mail.ideaId}: ${letter.error}`);
      else emailsLost++;
    }
  }

  const injected = injectedStats.reduce((sum, s) => sum + (s?.injected ?? 0), 0);
  const byKind = injectedStats.flatMap((s) =>
    Object.entries(s?.byKind ?? {}).map(([kind, n]) => `${s?.service}.${kind}=${n}`),
  );
  console.log(`faults: rate=${RATE} seed=${SEED} ${byKind.join(' ')}`);
  console.log(
    `ideas: submitted_acknowledged=${acknowledgedIdeas.length}/${IDEAS} stored=${ideas.length} published=${ideas.filter((i) => i.status === 'published').length}`,
  );
  console.log(
    `ballots: voters=${VOTERS} acknowledged=${receipts.size} gave_up=${gaveUp} stored=${stored} markers=${markers.length} lost=${ballotsLost} doubled=${ballotsDoubled} marker_ballot_mismatch=${orphans}`,
  );
  console.log(
    `refusals: total=${refusals.total} retryable_503=${refusals.retryable} other=${refusals.bad.length}`,
  );
  for (const line of refusals.bad.slice(0, 20)) console.log(`  refused badly: ${line}`);
  console.log(
    `emails: expected=${expected.length} delivered=${emailsDelivered} doubled=${emailsDoubled} lost=${emailsLost} dlq=${inDlq.length} (all dead letters: ${dlq.deadLetters.length})`,
  );
  for (const line of inDlq) console.log(`  in DLQ: ${line}`);
  // Every dead letter, grouped (the clock jump's catch-up of daily schedules may add some of its own).
  const grouped = new Map<string, number>();
  for (const letter of dlq.deadLetters) {
    const key = `${letter.target} ${letter.event?.['detail-type'] ?? ''} ${letter.error.slice(0, 120)}`;
    grouped.set(key, (grouped.get(key) ?? 0) + 1);
  }
  for (const [key, n] of grouped) console.log(`  dead letters: ${n} x ${key}`);
  console.log(`time: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const lost = ballotsLost + emailsLost;
  const doubled = ballotsDoubled + emailsDoubled;
  if (lost > 0 || doubled > 0 || orphans > 0 || refusals.bad.length > 0) exitCode = 1;
  console.log(
    `bench:faults injected=${injected} acknowledged=${receipts.size} stored=${stored} lost=${lost} doubled=${doubled} emails_expected=${expected.length} emails_delivered=${emailsDelivered} dlq=${inDlq.length}`,
  );
} finally {
  factory.close();
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
