import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { RetentionBatchRequested } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import { type IdentityRepository, RETENTION_SHARDS } from './identity-repository.ts';

/** Identities erased per batch unless the schedule's input says otherwise (one batch ≈ 1 s locally). */
export const DEFAULT_RETENTION_BATCH_SIZE = 100;
/** Erasures of one batch in flight together. */
const ERASE_CONCURRENCY = 10;

/** When the personal data of the edition must be gone: `personalDataRetentionDays` after the results. */
export function retentionDate(config: EditionConfig): Date {
  const results = toInstant(config.calendar.resultsAt, config.timeZone);
  return new Date(results.getTime() + config.personalDataRetentionDays * 86_400_000);
}

/**
 * RGPD retention, the daily run: once `retentionDate` has passed at the run's occurrence `at`, asks for the
 * first batch of every shard of the retention index that still lists an identity (one `Limit 1` query per
 * shard, one `RetentionBatchRequested` each). It erases nothing itself: the batches do, each in its own
 * invocation (see {@link eraseRetentionBatch}). Idempotent: a second run of the same occurrence asks for
 * batches already claimed, which do nothing; once everything is erased a run publishes nothing.
 */
export async function startRetention(
  deps: { identities: IdentityRepository; events: EventPublisher },
  config: EditionConfig,
  run: { at: Date; batchSize?: number },
): Promise<{ due: boolean; shards: number }> {
  if (run.at.getTime() < retentionDate(config).getTime()) return { due: false, shards: 0 };
  const shards = Array.from({ length: RETENTION_SHARDS }, (_, shard) => shard);
  const started = await Promise.all(
    shards.map(async (shard) => {
      const { citizenIds } = await deps.identities.listUnerased(shard, { limit: 1 });
      if (citizenIds.length === 0) return false;
      await deps.events.publish(RetentionBatchRequested, {
        edition: config.id,
        erasedAt: run.at.toISOString(),
        shard,
        batch: 1,
        batchSize: run.batchSize ?? DEFAULT_RETENTION_BATCH_SIZE,
      });
      return true;
    }),
  );
  return { due: true, shards: started.filter(Boolean).length };
}

export interface RetentionBatchResult {
  /** `not-due`: the run's occurrence is before the retention date; `replayed`: another event runs this batch. */
  outcome: 'done' | 'not-due' | 'replayed';
  erased: number;
  /** Listed but already erased (or gone) when reached: nothing written. */
  skipped: number;
  /** Whether the next batch of the shard was asked for. */
  next: boolean;
}

/**
 * One batch of the retention: claims the batch for this event (a replayed or duplicated request finds it
 * claimed and does nothing, so one chain runs per shard and run), erases the personal data of up to
 * `batchSize` identities of the shard after `after`, as `DELETE .../me` blanks them (ids and keyed hashes
 * stay), then asks for the next batch if the shard may hold more. Erases nothing before the retention date. An identity already erased is skipped,
 * never an error; a retry of the same event after a failure erases what is left and goes on.
 */
export async function eraseRetentionBatch(
  deps: { identities: IdentityRepository; events: EventPublisher; now: () => Date },
  config: EditionConfig,
  request: DetailOf<typeof RetentionBatchRequested> & { eventId: string },
): Promise<RetentionBatchResult> {
  const erasedAt = new Date(request.erasedAt);
  // Any publisher on the bus could send this event: before the retention date by the function's own clock,
  // or for a run stamped before it, it erases nothing.
  const due = retentionDate(config).getTime();
  if (erasedAt.getTime() < due || deps.now().getTime() < due) {
    return { outcome: 'not-due', erased: 0, skipped: 0, next: false };
  }
  const claimed = await deps.identities.claimRetentionBatch({
    run: request.erasedAt,
    shard: request.shard,
    batch: request.batch,
    eventId: request.eventId,
  });
  if (!claimed) return { outcome: 'replayed', erased: 0, skipped: 0, next: false };

  const page = await deps.identities.listUnerased(request.shard, {
    after: request.after,
    limit: request.batchSize,
  });
  let erased = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(ERASE_CONCURRENCY, page.citizenIds.length) }, async () => {
      while (next < page.citizenIds.length) {
        const citizenId = page.citizenIds[next++] as string;
        if (await deps.identities.erase(citizenId, erasedAt)) erased++;
      }
    }),
  );
  const last = page.citizenIds.at(-1);
  const more = page.more && last !== undefined;
  // Asked for last: a failure before this point retries the whole batch, which erases nothing twice.
  if (more) {
    await deps.events.publish(RetentionBatchRequested, {
      edition: config.id,
      erasedAt: request.erasedAt,
      shard: request.shard,
      batch: request.batch + 1,
      after: last,
      batchSize: request.batchSize,
    });
  }
  return { outcome: 'done', erased, skipped: page.citizenIds.length - erased, next: more };
}
