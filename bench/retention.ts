/**
 * `npm run bench:retention`: the daily personal-data retention at Département scale on the local stack.
 * Seeds N identities through the identity repository (as `test/support/citizens.ts` does: no email round
 * trip), then runs the retention as deployed: a one-time schedule with the manifest's input fires the
 * identity function, which asks for one `RetentionBatchRequested` per shard of the sparse index; the bus
 * delivers each batch to the identity function, which erases its page and asks for the next. Timed from the
 * schedule's fire until the bus is idle. Checks afterwards (not timed) that the index is empty and counts the
 * erased identities. The last line is the summary:
 * `bench:retention identities=N erased=N seconds=S batches=B max_batch_seconds=X`.
 * Env: BENCH_IDENTITIES (100000), BENCH_BATCH_SIZE (the function's default), BENCH_SEED_CONCURRENCY (32).
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_RETENTION_BATCH_SIZE, retentionDate } from '../functions/identity/erase-expired-data.ts';
import { dynamoIdentityRepository, RETENTION_SHARDS } from '../functions/identity/identity-repository.ts';
import { createClock } from '../local/clock.ts';
import type { InvocationRecord } from '../local/lambda-runtime.ts';
import { ACCOUNT, REGION, startLocalStack } from '../local/stack.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { RetentionBatchRequested } from '../shared/events/catalogue.ts';
import { FUNCTIONS } from '../shared/manifest.ts';
import { localDocuments, seedIdentities } from '../test/support/retention.ts';

const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 100_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? DEFAULT_RETENTION_BATCH_SIZE);
const SEED_CONCURRENCY = Number(process.env.BENCH_SEED_CONCURRENCY ?? 32);

async function main() {
  const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const config = parsed.config;
  const clock = createClock();
  const invocations: InvocationRecord[] = [];
  let recording = false;
  const dataDir = resolve('.local/bench-retention');
  const stack = await startLocalStack({
    config,
    port: 0,
    dataDir,
    cacheDir: resolve('.cache'),
    persistent: false,
    clock,
    // Only what went wrong (a failed attempt, a dead letter): the rest is noise at this scale.
    log: (line) => {
      if (/failed|dead letter|error/i.test(line)) process.stderr.write(`${line}\n`);
    },
    onInvoke: (record) => {
      if (recording && record.functionName === 'identity') invocations.push(record);
    },
  });
  const { dynamo, documents } = localDocuments(stack.urls.dynamodb);
  const scheduler = new SchedulerClient({
    endpoint: stack.urls.bus,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    // Seed (not timed).
    const identities = dynamoIdentityRepository(documents, stack.tableName);
    const territory = config.territories[0]?.id ?? 'nantes';
    const seedStart = performance.now();
    await seedIdentities(identities, territory, IDENTITIES, {
      concurrency: SEED_CONCURRENCY,
      onProgress: (done) => {
        if (done % 10_000 === 0) process.stderr.write(`seeded ${done}/${IDENTITIES}\n`);
      },
    });
    process.stderr.write(
      `seeded ${IDENTITIES} identities in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`,
    );

    // The retention's schedule input, as the manifest declares it, for an occurrence after the date.
    const retention = FUNCTIONS.find((fn) => fn.name === 'identity')
      ?.schedules(config)
      .find((schedule) => schedule.id === 'personal-data-retention');
    if (!retention) throw new Error('no personal-data-retention schedule in the manifest');
    const scheduledAt = new Date(retentionDate(config).getTime() + 3600_000);
    const fireAt = new Date(Math.ceil(clock.now().getTime() / 1000) * 1000 + 60_000);
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'bench-personal-data-retention',
        ScheduleExpression: `at(${fireAt.toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:identity`,
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler-identity`,
          Input: JSON.stringify({
            ...retention.input,
            // The occurrence the run decides on: after the retention date.
            scheduledAt: scheduledAt.toISOString(),
            ...(process.env.BENCH_BATCH_SIZE ? { batchSize: BATCH_SIZE } : {}),
          }),
        },
      }),
    );
    await stack.bus.idle();

    // Timed: from the fire until no batch is in flight.
    recording = true;
    const started = performance.now();
    clock.advance(120_000);
    await stack.bus.idle();
    const seconds = (performance.now() - started) / 1000;
    recording = false;
    process.stderr.write(`retention run: ${seconds.toFixed(1)} s; checking\n`);

    // Checks (not timed): the retention index is empty, every identity carries the run's erasedAt.
    for (let shard = 0; shard < RETENTION_SHARDS; shard++) {
      const { citizenIds } = await identities.listUnerased(shard, { limit: 1 });
      if (citizenIds.length > 0) throw new Error(`shard ${shard} still lists ${citizenIds[0]}`);
    }
    // A scan here is the bench's own check, not the retention's: pages of 2,000 items, a patient client.
    const patient = localDocuments(stack.urls.dynamodb, 300_000);
    let erased = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await patient.documents.send(
        new ScanCommand({
          TableName: stack.tableName,
          FilterExpression: 'entity = :identity AND erasedAt = :at AND firstName = :blank',
          ExpressionAttributeValues: {
            ':identity': 'Identity',
            ':at': scheduledAt.toISOString(),
            ':blank': '',
          },
          Select: 'COUNT',
          Limit: 2000,
          ExclusiveStartKey: start,
        }),
      );
      erased += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    patient.dynamo.destroy();
    const batches = invocations.filter((record) => record.detailType === RetentionBatchRequested.detailType);
    const failed = invocations.filter((record) => !record.ok).length;
    const deadLetters = stack.bus.deadLetters().length;
    if (failed > 0 || deadLetters > 0) {
      process.stderr.write(`failed invocations: ${failed}, dead letters: ${deadLetters}\n`);
    }
    const maxBatch = Math.max(0, ...batches.map((record) => record.durationMs)) / 1000;
    console.log(
      `bench:retention identities=${IDENTITIES} erased=${erased} seconds=${seconds.toFixed(1)} batches=${batches.length} max_batch_seconds=${maxBatch.toFixed(2)}`,
    );
    if (erased !== IDENTITIES) process.exitCode = 1;
  } finally {
    scheduler.destroy();
    dynamo.destroy();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
