import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  eraseRetentionBatch,
  retentionDate,
  startRetention,
} from '../../functions/identity/erase-expired-data.ts';
import {
  dynamoIdentityRepository,
  RETENTION_SHARDS,
  retentionShardOf,
} from '../../functions/identity/identity-repository.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { RetentionBatchRequested } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { busEvents, fireScheduleOnce, localBus, putEvent } from '../support/local-bus.ts';
import { localDocuments, seedIdentities } from '../support/retention.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const config = parsed.config;
const territory = config.territories[0]?.id ?? 'nantes';
const { dynamo, documents } = localDocuments(stack.dynamodbUrl);
const identities = dynamoIdentityRepository(documents, stack.tableName);
afterAll(() => dynamo.destroy());

/** The repository over a client that records every command it sends. */
function recordedRepository() {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return documents.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { sent, repository: dynamoIdentityRepository(client, stack.tableName) };
}

/** The citizen ids still listed for the retention, all shards, read page by page. */
async function stillListed(): Promise<string[]> {
  const ids: string[] = [];
  for (let shard = 0; shard < RETENTION_SHARDS; shard++) {
    let after: string | undefined;
    for (;;) {
      const page = await identities.listUnerased(shard, { after, limit: 100 });
      ids.push(...page.citizenIds);
      after = page.citizenIds.at(-1);
      if (!page.more || !after) break;
    }
  }
  return ids;
}

describe('personal-data retention at scale', () => {
  it('lists what to erase from the sparse index, page by page, never with a scan, and leaves it empty', async () => {
    // Prepare: 30 identities, one of them already erased (its own request, say).
    const ids = await seedIdentities(identities, territory, 30);
    const [first] = ids as [string];
    const earlier = new Date('2028-01-01T00:00:00.000Z');
    expect(await identities.erase(first, earlier)).toBe(true);
    expect(await stillListed()).not.toContain(first);
    const { sent, repository } = recordedRepository();
    const requests: unknown[] = [];
    const events: EventPublisher = {
      publish: async (contract, detail) => {
        if (contract.detailType === RetentionBatchRequested.detailType) requests.push(detail);
      },
    };
    const at = new Date(retentionDate(config).getTime() + 3600_000);

    // Act: the run, then each batch it asks for (pages of 4), as the bus would deliver them.
    const started = await startRetention({ identities: repository, events }, config, { at, batchSize: 4 });
    let erased = 0;
    for (let i = 0; i < requests.length; i++) {
      const detail = RetentionBatchRequested.detail.parse({ ...(requests[i] as object), version: 1 });
      const result = await eraseRetentionBatch(
        { identities: repository, events, now: () => new Date() },
        config,
        {
          ...detail,
          eventId: `event-${i}`,
        },
      );
      erased += result.erased;
      expect(result.erased + result.skipped).toBeLessThanOrEqual(4);
      if (i === 0) {
        // The first request delivered again (another event id) while its shard still lists identities.
        const asked = requests.length;
        const duplicate = await eraseRetentionBatch(
          { identities: repository, events, now: () => new Date() },
          config,
          { ...detail, eventId: 'duplicate-0' },
        );
        expect(duplicate).toEqual({ outcome: 'replayed', erased: 0, skipped: 0, next: false });
        expect(requests).toHaveLength(asked);
      }
    }

    // Assess: no scan; queries of gsi1 only, bounded by the page size; every identity erased once.
    expect(sent.map(({ name }) => name)).not.toContain('ScanCommand');
    const queries = sent.filter(({ name }) => name === 'QueryCommand');
    expect(queries.length).toBeGreaterThan(0);
    for (const { input } of queries) {
      expect(input).toMatchObject({ IndexName: 'gsi1' });
      expect(Number(input.Limit)).toBeLessThanOrEqual(4);
    }
    expect(started).toEqual({
      due: true,
      shards: new Set(ids.slice(1).map(retentionShardOf)).size,
    });
    expect(erased).toBe(29);
    expect(await stillListed()).toEqual([]);
    expect((await identities.get(first))?.erasedAt).toBe(earlier.toISOString());
    for (const id of ids.slice(1)) {
      expect(await identities.get(id)).toMatchObject({
        email: '',
        firstName: '',
        lastName: '',
        birthDate: '',
        commune: '',
        erasedAt: at.toISOString(),
      });
    }
    // An identity already erased is skipped, never an error, and keeps its first date.
    expect(await identities.erase(first, at)).toBe(false);
    expect((await identities.get(first))?.erasedAt).toBe(earlier.toISOString());
  });

  it('through the daily schedule: erases identities beyond one page batch by batch, and a replayed batch changes nothing', async () => {
    // Prepare: 40 identities, pages of 2 (so most shards need several batches).
    const ids = await seedIdentities(identities, territory, 40);
    const scheduledAt = new Date(retentionDate(config).getTime() + 2 * 86_400_000);

    // Act: the schedule's run, through the local Scheduler and bus.
    await fireScheduleOnce(stack, 'identity', {
      kind: 'personal-data-retention',
      scheduledAt: scheduledAt.toISOString(),
      batchSize: 2,
    });

    // Assess: every identity erased, by batches of at most 2, chains of several batches.
    const after = await Promise.all(ids.map((id) => identities.get(id)));
    for (const identity of after) {
      expect(identity).toMatchObject({ firstName: '', email: '', erasedAt: scheduledAt.toISOString() });
    }
    const batches = (await busEvents(stack, 'RetentionBatchRequested')).filter(
      (event) => event.detail.erasedAt === scheduledAt.toISOString(),
    );
    expect(batches.every((event) => event.detail.batchSize === 2)).toBe(true);
    expect(Math.max(...batches.map((event) => event.detail.batch))).toBeGreaterThan(1);
    expect(new Set(batches.map((event) => `${event.detail.shard}#${event.detail.batch}`)).size).toBe(
      batches.length,
    );
    expect(await stillListed()).toEqual([]);

    // Act: every batch delivered again, and the same occurrence run again.
    const snapshot = JSON.stringify(after);
    for (const event of batches) await putEvent(stack, RetentionBatchRequested, event.detail);
    await localBus(stack, 'idle', {});
    await fireScheduleOnce(stack, 'identity', {
      kind: 'personal-data-retention',
      scheduledAt: scheduledAt.toISOString(),
      batchSize: 2,
    });

    // Assess: no new batch asked for, nothing changed, nothing in the dead-letter queue.
    const all = (await busEvents(stack, 'RetentionBatchRequested')).filter(
      (event) => event.detail.erasedAt === scheduledAt.toISOString(),
    );
    expect(all).toHaveLength(batches.length * 2);
    expect(JSON.stringify(await Promise.all(ids.map((id) => identities.get(id))))).toBe(snapshot);
    expect((await localBus(stack, 'dlq')).deadLetters).toEqual([]);
  });
});
