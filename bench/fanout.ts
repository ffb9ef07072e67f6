/**
 * `npm run bench:fanout`: the results e-mail fan-out at Département scale on the local stack. Seeds N citizens
 * (identities with an address, as `bench:retention` does) who asked for the results by email, and published
 * results; then publishes `ResultsPublished` on the local bus as the results function does. The mail fan-out
 * function plans the batches (`ResultsMailBatchRequested`, 500 recipients each) and the bus runs each batch in its
 * own invocation, with the rule's retries and dead-letter list: the deployed path. Timed from the event until the
 * bus is idle. Checks afterwards (not timed) that the email log holds one `sent` results-news line per citizen.
 * With BENCH_AUDIENCE=followers, the N citizens follow a winner instead, and the event is `RealisationUpdated`
 * (batches of `RealisationMailBatchRequested`, one `realisation-updated` line per follower).
 * The last line is the summary:
 * `bench:fanout audience=A recipients=N sent=N seconds=S per_second=R batches=B max_batch_seconds=X plan_seconds=P
 *  aws_minutes_at_pace=M`, where the last figure is what the deployed pace allows (2 batches at a time, 7 sends a
 * second each: MAIL_FANOUT_SENDS_PER_SECOND and the reserved concurrency in shared/manifest.ts).
 * Env: BENCH_AUDIENCE (news | followers, news), BENCH_RECIPIENTS (50000), BENCH_SENDS_PER_SECOND (0: unpaced, to
 * measure the path itself), BENCH_SEED_CONCURRENCY (32).
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoIdentityRepository } from '../functions/identity/identity-repository.ts';
import { dynamoFollowUpRepository } from '../functions/results/follow-up-repository.ts';
import { createClock } from '../local/clock.ts';
import type { InvocationRecord } from '../local/lambda-runtime.ts';
import { REGION, startLocalStack } from '../local/stack.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import {
  RealisationMailBatchRequested,
  RealisationUpdated,
  ResultsMailBatchRequested,
  ResultsPublished,
} from '../shared/events/catalogue.ts';
import { FUNCTIONS } from '../shared/manifest.ts';
import { localDocuments, seedIdentities } from '../test/support/retention.ts';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 50_000);
const SENDS_PER_SECOND = process.env.BENCH_SENDS_PER_SECOND ?? '0';
const SEED_CONCURRENCY = Number(process.env.BENCH_SEED_CONCURRENCY ?? 32);
const AUDIENCE = process.env.BENCH_AUDIENCE ?? 'news';
if (AUDIENCE !== 'news' && AUDIENCE !== 'followers') throw new Error('BENCH_AUDIENCE: news or followers');
/** What each audience times: the event that starts the fan-out, its batch event, the email log's template. */
const PATH =
  AUDIENCE === 'news'
    ? { plan: ResultsPublished, batch: ResultsMailBatchRequested, template: 'results-news' }
    : { plan: RealisationUpdated, batch: RealisationMailBatchRequested, template: 'realisation-updated' };
/** The deployed pace: the fan-out's reserved concurrency times its sends a second per invocation (default 7). */
const FANOUT = FUNCTIONS.find((fn) => fn.name === 'mail-fanout');
const DEPLOYED_RATE = (FANOUT?.reservedConcurrency ?? 1) * 7;

async function main() {
  const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const config = parsed.config;
  const invocations: InvocationRecord[] = [];
  let recording = false;
  const dataDir = resolve('.local/bench-fanout');
  const stack = await startLocalStack({
    config,
    port: 0,
    dataDir,
    cacheDir: resolve('.cache'),
    persistent: false,
    clock: createClock(),
    functionEnv: { MAIL_FANOUT_SENDS_PER_SECOND: SENDS_PER_SECOND },
    log: (line) => {
      if (/failed|dead letter|error/i.test(line)) process.stderr.write(`${line}\n`);
    },
    onInvoke: (record) => {
      if (recording && record.functionName === 'mail-fanout') invocations.push(record);
    },
  });
  const { dynamo, documents } = localDocuments(stack.urls.dynamodb, 60_000);
  const bus = new EventBridgeClient({
    endpoint: stack.urls.bus,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    // Seed (not timed): citizens with an address who asked for the results, and the published results.
    const identities = dynamoIdentityRepository(documents, stack.tableName);
    const followUps = dynamoFollowUpRepository(documents, stack.tableName, config.id);
    const territory = config.territories[0]?.id ?? 'nantes';
    const seedStart = performance.now();
    const citizenIds = await seedIdentities(identities, territory, RECIPIENTS, {
      concurrency: SEED_CONCURRENCY,
      onProgress: (done) => {
        if (done % 10_000 === 0) process.stderr.write(`seeded ${done}/${RECIPIENTS} identities\n`);
      },
    });
    const at = new Date().toISOString();
    for (let i = 0; i < citizenIds.length; i += SEED_CONCURRENCY) {
      await Promise.all(
        citizenIds
          .slice(i, i + SEED_CONCURRENCY)
          .map((id) =>
            AUDIENCE === 'news' ? followUps.setResultsNews(id, true, at) : followUps.follow(id, 'p1', at),
          ),
      );
    }
    const resultsId = randomUUID();
    await documents.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          pk: `EDITION#${config.id}#RESULTS`,
          sk: 'RESULTS',
          resultsId,
          publishedAt: at,
          resultsJson: JSON.stringify({
            envelopes: [
              {
                id: 'bench',
                name: 'Enveloppe du banc d’essai',
                projects: [{ id: 'p1', title: 'Jardin partagé', selected: true, explanation: 'Retenu.' }],
              },
            ],
          }),
        },
      }),
    );
    process.stderr.write(
      `seeded ${RECIPIENTS} ${AUDIENCE === 'news' ? 'subscribers' : 'followers'} in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`,
    );

    // Timed: from ResultsPublished (or RealisationUpdated) until no batch is in flight.
    recording = true;
    const started = performance.now();
    await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'bp-local',
            Source: PATH.plan.source,
            DetailType: PATH.plan.detailType,
            Detail: JSON.stringify(
              AUDIENCE === 'news'
                ? {
                    version: ResultsPublished.version,
                    edition: config.id,
                    resultsId,
                    publishedAt: at,
                    reason: 'Banc d’essai de l’envoi des résultats',
                    actor: { kind: 'staff', sub: 'bench', role: 'admin' },
                  }
                : {
                    version: RealisationUpdated.version,
                    edition: config.id,
                    updateId: 'p1#1',
                    projectId: 'p1',
                    title: 'Jardin partagé',
                    status: 'travaux',
                    milestones: [{ kind: 'travaux', date: '2027-03-01', done: false }],
                    updatedAt: at,
                    actor: { kind: 'staff', sub: 'bench', role: 'coordinator' },
                  },
            ),
          },
        ],
      }),
    );
    await stack.bus.idle();
    const seconds = (performance.now() - started) / 1000;
    recording = false;

    // Checks (not timed): one `sent` line of the audience's template per recipient in the email log.
    let sent = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({
          TableName: stack.tableName,
          FilterExpression: 'entity = :entity AND template = :template AND #status = :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':entity': 'EmailLog', ':template': PATH.template, ':sent': 'sent' },
          Select: 'COUNT',
          Limit: 5000,
          ExclusiveStartKey: start,
        }),
      );
      sent += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    const batches = invocations.filter((record) => record.detailType === PATH.batch.detailType);
    const plan = invocations.find((record) => record.detailType === PATH.plan.detailType);
    const failed = invocations.filter((record) => !record.ok).length;
    const deadLetters = stack.bus.deadLetters().filter((letter) => letter.target === 'mail-fanout').length;
    if (failed > 0 || deadLetters > 0)
      process.stderr.write(`failed invocations: ${failed}, dead letters: ${deadLetters}\n`);
    const maxBatch = Math.max(0, ...batches.map((record) => record.durationMs)) / 1000;
    console.log(
      `bench:fanout audience=${AUDIENCE} recipients=${RECIPIENTS} sent=${sent} seconds=${seconds.toFixed(1)} ` +
        `per_second=${(sent / seconds).toFixed(0)} batches=${batches.length} max_batch_seconds=${maxBatch.toFixed(2)} ` +
        `plan_seconds=${((plan?.durationMs ?? 0) / 1000).toFixed(2)} ` +
        `aws_minutes_at_pace=${(RECIPIENTS / DEPLOYED_RATE / 60).toFixed(0)}`,
    );
    if (sent !== RECIPIENTS || deadLetters > 0) process.exitCode = 1;
  } finally {
    bus.destroy();
    dynamo.destroy();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
