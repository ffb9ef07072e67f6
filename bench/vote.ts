/**
 * `npm run bench:vote`: the vote's hot path on the local stack. Registers N voters (identity items and
 * tokens written directly, as test/support/citizens.ts does), casts their ballots through the real HTTP
 * adapter and voting handler at concurrency C, sends duplicate attempts (another Idempotency-Key for a
 * voter who already voted: all must be refused), then measures raw TransactWriteItems of the same shape
 * (phase, window and identity checks, marker, turnout counter, ballot) against the same DynamoDB Local.
 * The last line is the summary; `ratio` = api_votes_per_s / raw_transact_per_s.
 * Env: BENCH_VOTERS (2000), BENCH_CONCURRENCY (32), BENCH_DUPLICATES (200).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dateIn } from '../functions/voting/cast-ballot.ts';
import { newReceiptCode } from '../functions/voting/receipt-seal.ts';
import { BALLOT_SHARDS, castTransaction, TURNOUT_SHARDS } from '../functions/voting/voting-repository.ts';
import { createClock } from '../local/clock.ts';
import { signIn } from '../local/cognito.ts';
import { startLocalStack } from '../local/stack.ts';
import { installTimeShift } from '../local/time-shift.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { toInstant } from '../shared/time/zoned.ts';
import { citizenFactory, type SeededCitizen } from '../test/support/citizens.ts';

const VOTERS = Number(process.env.BENCH_VOTERS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const DUPLICATES = Math.min(Number(process.env.BENCH_DUPLICATES ?? 200), VOTERS);

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

const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const config = parsed.config;
// As `npm start` does: this process's Date follows the local clock, set one hour into the vote.
const clock = createClock({
  realNow: Date.now,
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
  const rawVoters = await register(VOTERS);
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

  const castOnce = async (voter: SeededCitizen) => {
    const t0 = performance.now();
    const response = await fetch(`${stack.urls.site}${edition}/ballots`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${voter.token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({ choices: { [voter.territory]: choicesOf.get(voter.territory) } }),
    });
    const body = (await response.json()) as { code?: string };
    return { status: response.status, code: body.code, ms: performance.now() - t0 };
  };

  // Warm-up (JIT, connections, JWKS, snapshot cache) with ballots the rules refuse: nothing is stored.
  for (const voter of voters.slice(0, 20)) {
    const response = await fetch(`${stack.urls.site}${edition}/ballots`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${voter.token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({ choices: { [voter.territory]: [] } }),
    });
    if (response.status !== 422) throw new Error(`warm-up: ${response.status}`);
  }

  const latencies: number[] = [];
  let accepted = 0;
  const apiSeconds = await pool(voters, CONCURRENCY, async (voter) => {
    const result = await castOnce(voter);
    latencies.push(result.ms);
    if (result.status === 201) accepted++;
    else console.error(`refused ${result.status} ${result.code}`);
  });
  let duplicatesRefused = 0;
  await pool(voters.slice(0, DUPLICATES), CONCURRENCY, async (voter) => {
    const result = await castOnce(voter);
    if (result.status === 409 && result.code === 'already_voted') duplicatesRefused++;
  });

  const count = async (entity: string) => {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await factory.documents.send(
        new ScanCommand({
          TableName: stack.tableName,
          FilterExpression: 'entity = :entity',
          ExpressionAttributeValues: { ':entity': entity },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      total += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return total;
  };
  const ballots = await count('Ballot');
  const markers = await count('VoteMarker');

  const now = new Date();
  const rawSeconds = await pool(rawVoters, CONCURRENCY, async (voter) => {
    const receipt = newReceiptCode();
    await factory.documents.send(
      new TransactWriteCommand(
        castTransaction(stack.tableName, config.id, {
          voterId: voter.citizenId,
          territory: voter.territory,
          channel: 'online',
          date: dateIn(config.timeZone, now),
          receipt,
          sealedReceipt: receipt,
          ballots: [
            {
              ballotId: randomUUID(),
              envelope: voter.territory,
              choices: choicesOf.get(voter.territory) ?? [],
            },
          ],
          ballotShard: randomInt(BALLOT_SHARDS),
          turnoutShard: randomInt(TURNOUT_SHARDS),
          nowMs: Date.now(),
          refuseInPersonIdentity: true,
        }),
      ),
    );
  });
  factory.close();

  latencies.sort((a, b) => a - b);
  const apiPerSecond = accepted / apiSeconds;
  const rawPerSecond = rawVoters.length / rawSeconds;
  const f1 = (n: number) => n.toFixed(1);
  console.log(
    `bench:vote voters=${VOTERS} concurrency=${CONCURRENCY} accepted=${accepted} duplicates_refused=${duplicatesRefused} ballots=${ballots} markers=${markers} api_votes_per_s=${f1(apiPerSecond)} raw_transact_per_s=${f1(rawPerSecond)} ratio=${(apiPerSecond / rawPerSecond).toFixed(2)} p50_ms=${f1(percentile(latencies, 50))} p99_ms=${f1(percentile(latencies, 99))}`,
  );
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
