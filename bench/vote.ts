/**
 * `npm run bench:vote`: the vote's hot path on the local stack. Registers N voters (identity items and
 * tokens written directly, as test/support/citizens.ts does), casts their ballots through the real HTTP
 * adapter and voting handler at concurrency C, measures raw TransactWriteItems of the same shape (phase,
 * window and identity checks, marker, turnout counter, ballot) against the same DynamoDB Local for N other
 * voters, then sends duplicate attempts (another Idempotency-Key for a voter who already voted: all must be
 * refused). Each round's rates go to stderr; the last line is the summary; `ratio` = api_votes_per_s /
 * raw_transact_per_s.
 *
 * Both measured loads run the same way: C concurrent requests from one worker thread, so that the
 * client's own work (fetch, JSON, the SDK's serialisation for the raw writes) does not share the event loop
 * of the server it measures (in AWS, callers are not on the API's machine). The raw writes use a DynamoDB
 * client built as the functions build theirs (same SDK defaults, same endpoint from the environment) and
 * the same `castTransaction` as the voting function. Both warm up first (JIT, connections; not timed), then
 * run in R interleaved rounds (API casts of N/R voters, then N/R raw writes, and again), so that a change of
 * load on the machine during the run weighs on both sides alike. Caveat, measured on the loaded 2-core dev
 * machine: raw writes sent from the worker ran ~15 % slower than the same writes sent from the main thread
 * (order of the two swapped, same result), so this ratio reads some points higher than one taken against a
 * main-thread raw baseline.
 * Env: BENCH_VOTERS (2000), BENCH_CONCURRENCY (32), BENCH_DUPLICATES (200), BENCH_ROUNDS (4).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dateIn } from '../functions/voting/cast-ballot.ts';
import { newReceiptCode } from '../functions/voting/receipt-seal.ts';
import { BALLOT_SHARDS, castTransaction, TURNOUT_SHARDS } from '../functions/voting/voting-repository.ts';
import { createClock } from '../local/clock.ts';
import { signIn } from '../local/cognito.ts';
import { startLocalStack } from '../local/stack.ts';
import { installTimeShift } from '../local/time-shift.ts';
import { createDocumentClient } from '../shared/dynamo/document-client.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { toInstant } from '../shared/time/zoned.ts';
import { citizenFactory, type SeededCitizen } from '../test/support/citizens.ts';

const VOTERS = Number(process.env.BENCH_VOTERS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const DUPLICATES = Math.min(Number(process.env.BENCH_DUPLICATES ?? 200), VOTERS);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));
const WARM_UP = 20;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Runs `task` over `items` with `concurrency` workers; the wall time in seconds. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
  return (performance.now() - t0) / 1000;
}

/** One voter as the load worker needs it. */
interface LoadVoter {
  citizenId: string;
  territory: string;
  token: string;
  choices: string[];
}

/** What a load worker runs: casts through the HTTP API, or raw transactions against DynamoDB Local. */
type LoadJob =
  | { kind: 'api'; castUrl: string; voters: LoadVoter[]; warmUp: LoadVoter[]; concurrency: number }
  | {
      kind: 'raw';
      tableName: string;
      edition: string;
      timeZone: string;
      /** The stack's clock runs in the vote; a worker has the real `Date`. */
      clockOffsetMs: number;
      voters: LoadVoter[];
      warmUp: LoadVoter[];
      concurrency: number;
    };

interface LoadResult {
  seconds: number;
  latencies: number[];
  statuses: { status: number; code: string | undefined; receipt?: string }[];
}

/** The raw writes' client, kept across rounds as a function keeps its own across invocations. */
let rawClient: ReturnType<typeof createDocumentClient> | undefined;

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: LoadResult['statuses'] = [];
  if (job.kind === 'api') {
    const post = async (voter: LoadVoter, choices: string[]) => {
      const response = await fetch(job.castUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${voter.token}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ choices: { [voter.territory]: choices } }),
      });
      const body = (await response.json()) as { code?: string; receipt?: string };
      return { status: response.status, code: body.code, receipt: body.receipt };
    };
    // Ballots the rules refuse: nothing is stored.
    for (const voter of job.warmUp) {
      const result = await post(voter, []);
      if (result.status !== 422) throw new Error(`warm-up: ${result.status}`);
    }
    const seconds = await pool(job.voters, job.concurrency, async (voter) => {
      const t0 = performance.now();
      statuses.push(await post(voter, voter.choices));
      latencies.push(performance.now() - t0);
    });
    return { seconds, latencies, statuses };
  }
  rawClient ??= createDocumentClient();
  const documents = rawClient;
  const write = async (voter: LoadVoter) => {
    const now = Date.now() + job.clockOffsetMs;
    const receipt = newReceiptCode();
    await documents.send(
      new TransactWriteCommand(
        castTransaction(job.tableName, job.edition, {
          voterId: voter.citizenId,
          territory: voter.territory,
          channel: 'online',
          date: dateIn(job.timeZone, new Date(now)),
          receipt,
          sealedReceipt: receipt,
          ballots: [{ ballotId: randomUUID(), envelope: voter.territory, choices: voter.choices }],
          ballotShard: randomInt(BALLOT_SHARDS),
          turnoutShard: randomInt(TURNOUT_SHARDS),
          nowMs: now,
          refuseInPersonIdentity: true,
        }),
      ),
    );
  };
  for (const voter of job.warmUp) await write(voter);
  const seconds = await pool(job.voters, job.concurrency, async (voter) => {
    const t0 = performance.now();
    await write(voter);
    latencies.push(performance.now() - t0);
    statuses.push({ status: 200, code: undefined });
  });
  return { seconds, latencies, statuses };
}

/**
 * The load thread: this same module in a worker (through tsx, whose hooks are per thread in Node 20),
 * running one job per message.
 */
function loadWorker() {
  const self = JSON.stringify(import.meta.url);
  const worker = new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${self}, ${self}))`, {
    eval: true,
  });
  let failed: Error | undefined;
  worker.on('error', (error) => {
    failed = error;
  });
  return {
    run: (job: LoadJob) =>
      new Promise<LoadResult>((resolvePromise, reject) => {
        if (failed) return reject(failed);
        const onError = (error: Error) => reject(error);
        worker.once('error', onError);
        worker.once('message', (message: { result?: LoadResult; error?: string }) => {
          worker.off('error', onError);
          if (message.result) resolvePromise(message.result);
          else reject(new Error(`load worker: ${message.error}`));
        });
        worker.postMessage(job);
      }),
    stop: () => worker.terminate(),
  };
}

if (!isMainThread) {
  parentPort?.on('message', (job: LoadJob) => {
    runLoad(job).then(
      (result) => parentPort?.postMessage({ result }),
      (error: unknown) => parentPort?.postMessage({ error: String(error) }),
    );
  });
} else {
  await main();
}

async function main() {
  const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const config = parsed.config;
  // As `npm start` does: this process's Date follows the local clock, set one hour into the vote.
  const realNow = Date.now;
  const clock = createClock({
    realNow,
    start: new Date(toInstant(config.calendar.voteOpen, config.timeZone).getTime() + 3600_000),
  });
  installTimeShift(clock);
  const dataDir = resolve('.local/bench-vote');
  const stack = await startLocalStack({
    config,
    port: 0,
    dataDir,
    cacheDir: resolve('.cache'),
    persistent: false,
    clock,
  });
  const edition = `/api/editions/${config.id}`;
  try {
    const admin = stack.staff.find((user) => user.role === 'admin');
    if (!admin) throw new Error('no admin');
    const { idToken } = await signIn(stack.pool, stack.urls.cognito, admin.username, admin.password);
    const opened = await fetch(`${stack.urls.api}/editions/${config.id}/staff/phase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'vote', reason: 'Banc d’essai du vote' }),
    });
    if (opened.status !== 200) throw new Error(`phase: ${opened.status}`);
    await fetch(`${stack.urls.bus}/__local/idle`, { method: 'POST' });

    const factory = await citizenFactory({
      siteUrl: stack.urls.site,
      dynamodbUrl: stack.urls.dynamodb,
      secretsUrl: stack.urls.secrets,
      tableName: stack.tableName,
      edition: config.id,
    });
    const territories = config.territories.map((t) => t.id);
    const register = async (count: number) => {
      const out: SeededCitizen[] = [];
      await pool(
        Array.from({ length: count }, (_, i) => territories[i % territories.length] as string),
        32,
        async (territory) => {
          out.push(await factory.create(territory));
        },
      );
      return out;
    };
    const voters = await register(VOTERS);
    const rawVoters = await register(VOTERS + WARM_UP);
    const choicesOf = new Map<string, string[]>();
    for (const territory of territories) {
      const sample = voters.find((v) => v.territory === territory) as SeededCitizen;
      const ballot = (await (
        await fetch(`${stack.urls.site}${edition}/ballot`, {
          headers: { authorization: `Bearer ${sample.token}` },
        })
      ).json()) as { envelopes: { id: string; projects: { id: string }[] }[] };
      choicesOf.set(territory, ballot.envelopes[0]?.projects.slice(0, 3).map((p) => p.id) ?? []);
    }
    const load = (citizens: SeededCitizen[]): LoadVoter[] =>
      citizens.map(({ citizenId, territory, token }) => ({
        citizenId,
        territory,
        token,
        choices: choicesOf.get(territory) ?? [],
      }));
    const castUrl = `${stack.urls.site}${edition}/ballots`;

    const worker = loadWorker();
    const rawJob = (batch: SeededCitizen[], warmUp: SeededCitizen[]): LoadJob => ({
      kind: 'raw',
      tableName: stack.tableName,
      edition: config.id,
      timeZone: config.timeZone,
      clockOffsetMs: Date.now() - realNow(),
      voters: load(batch),
      warmUp: load(warmUp),
      concurrency: CONCURRENCY,
    });
    // Warm-up (JIT, connections, JWKS, snapshot cache): ballots the rules refuse (nothing stored), and
    // raw writes of voters kept apart for it.
    await worker.run({
      kind: 'api',
      castUrl,
      voters: [],
      warmUp: load(voters.slice(0, WARM_UP)),
      concurrency: 1,
    });
    await worker.run(rawJob([], rawVoters.slice(0, WARM_UP)));

    let apiSeconds = 0;
    let rawSeconds = 0;
    const apiLatencies: number[] = [];
    const apiStatuses: LoadResult['statuses'] = [];
    const measured = rawVoters.slice(WARM_UP);
    for (let round = 0; round < ROUNDS; round++) {
      const slice = <T>(all: T[]) =>
        all.slice(Math.floor((round * all.length) / ROUNDS), Math.floor(((round + 1) * all.length) / ROUNDS));
      const api = await worker.run({
        kind: 'api',
        castUrl,
        voters: load(slice(voters)),
        warmUp: [],
        concurrency: CONCURRENCY,
      });
      apiSeconds += api.seconds;
      apiLatencies.push(...api.latencies);
      apiStatuses.push(...api.statuses);
      const raw = await worker.run(rawJob(slice(measured), []));
      rawSeconds += raw.seconds;
      console.error(
        `round ${round + 1}/${ROUNDS}: api ${(api.latencies.length / api.seconds).toFixed(1)}/s, raw ${(raw.latencies.length / raw.seconds).toFixed(1)}/s`,
      );
    }
    const accepted = apiStatuses.filter((s) => s.status === 201).length;
    for (const refused of apiStatuses.filter((s) => s.status !== 201))
      console.error(`refused ${refused.status} ${refused.code}`);
    const duplicates = await worker.run({
      kind: 'api',
      castUrl,
      voters: load(voters.slice(0, DUPLICATES)),
      warmUp: [],
      concurrency: CONCURRENCY,
    });
    await worker.stop();
    const duplicatesRefused = duplicates.statuses.filter(
      (s) => s.status === 409 && s.code === 'already_voted',
    ).length;

    /** Items of `entity` whose `attribute` is one of `values` (the raw writes' items share the table). */
    const count = async (entity: string, attribute: string, values: Set<string>) => {
      let total = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await factory.documents.send(
          new ScanCommand({
            TableName: stack.tableName,
            FilterExpression: 'entity = :entity',
            ExpressionAttributeValues: { ':entity': entity },
            ProjectionExpression: '#attribute',
            ExpressionAttributeNames: { '#attribute': attribute },
            ExclusiveStartKey: start,
          }),
        );
        total += (page.Items ?? []).filter((item) => values.has(String(item[attribute]))).length;
        start = page.LastEvaluatedKey;
      } while (start);
      return total;
    };
    const receipts = new Set(apiStatuses.flatMap((s) => (s.status === 201 && s.receipt ? [s.receipt] : [])));
    const ballots = await count('Ballot', 'receipt', receipts);
    const markers = await count('VoteMarker', 'pk', new Set(voters.map((v) => `VOTER#${v.citizenId}`)));
    factory.close();

    const latencies = apiLatencies.sort((a, b) => a - b);
    const apiPerSecond = accepted / apiSeconds;
    const rawPerSecond = measured.length / rawSeconds;
    const f1 = (n: number) => n.toFixed(1);
    console.log(
      `bench:vote voters=${VOTERS} concurrency=${CONCURRENCY} accepted=${accepted} duplicates_refused=${duplicatesRefused} ballots=${ballots} markers=${markers} api_votes_per_s=${f1(apiPerSecond)} raw_transact_per_s=${f1(rawPerSecond)} ratio=${(apiPerSecond / rawPerSecond).toFixed(2)} p50_ms=${f1(percentile(latencies, 50))} p99_ms=${f1(percentile(latencies, 99))}`,
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
