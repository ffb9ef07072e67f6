import { ResultsComputed } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { countEnvelope, describeCounting, sha256 } from './count-envelope.ts';
import { buildOpenData } from './open-data.ts';
import type { PublicResults } from './results-model.ts';
import type { ResultsRepository, StoredResults } from './results-repository.ts';

export interface ComputeResultsDeps {
  edition: string;
  results: ResultsRepository;
  events: EventPublisher;
  logger: Logger;
  now: () => Date;
  newId: () => string;
}

export type ComputeOutcome = 'computed' | 'unchanged' | 'published-already' | 'no-vote';

/** Who asked for a count and why: the system at the close, or an admin's recount (audited as `recounted`). */
export interface CountTrigger {
  changeId: string;
  recount?: { actor: string; actorRole: string; actorName?: string | undefined; reason: string };
}

async function publishComputed(deps: ComputeResultsDeps, stored: StoredResults) {
  await deps.events.publish(ResultsComputed, {
    edition: deps.edition,
    resultsId: stored.resultsId,
    changeId: stored.changeId,
    computedAt: stored.computedAt,
    snapshotHash: stored.snapshotHash,
    envelopes: stored.results.envelopes.map((e) => ({
      id: e.id,
      ballots: e.ballots,
      winners: e.selected.length,
      ballotsSha256: e.ballotsSha256,
    })),
  });
  await deps.results.clearEventPending(stored.resultsId, 'eventPending');
}

/**
 * Counts every envelope of the closed vote from the stored ballots with the FROZEN snapshot's rule, budgets
 * and tie-break; stores the results, their open data files and the receipt codes they counted, then emits
 * `ResultsComputed`. Idempotent: the results id is the hash of the snapshot and of the canonical ballot
 * files, so a replayed `VotingClosed` finds the same id and changes nothing (it only republishes an event
 * that did not make it). Published results are never replaced.
 */
export async function computeResults(
  deps: ComputeResultsDeps,
  closing: CountTrigger,
): Promise<ComputeOutcome> {
  const frozen = await deps.results.getSnapshot();
  if (!frozen) return 'no-vote';
  const existing = await deps.results.getResults();
  if (existing?.publishedAt) {
    await deps.results.audit({
      auditId: deps.newId(),
      action: 'recount-refused',
      at: deps.now().toISOString(),
      actor: 'system',
      reason: `Clôture ${closing.changeId} après la publication : les résultats publiés restent.`,
    });
    return 'published-already';
  }
  const { snapshot, hash: snapshotHash } = frozen;
  const receipts = new Map<string, string[]>();
  const counted = await Promise.all(
    snapshot.envelopes.map(async (envelope) => {
      const ballots = await deps.results.readBallots(envelope.id);
      for (const { receipt } of ballots) {
        if (receipt) receipts.set(receipt, [...(receipts.get(receipt) ?? []), envelope.id]);
      }
      return countEnvelope(
        snapshot,
        envelope,
        ballots.map(({ choices }) => choices),
        deps.edition,
      );
    }),
  );
  const resultsId = sha256(
    [snapshotHash, ...counted.map(({ result }) => `${result.id}:${result.ballotsSha256}`)].join('\n'),
  ).slice(0, 32);
  const recountAudit = (detail: string) =>
    closing.recount
      ? {
          auditId: deps.newId(),
          action: 'recounted' as const,
          at: deps.now().toISOString(),
          actor: closing.recount.actor,
          actorRole: closing.recount.actorRole,
          ...(closing.recount.actorName ? { actorName: closing.recount.actorName } : {}),
          reason: closing.recount.reason,
          detail,
        }
      : undefined;
  if (existing?.resultsId === resultsId) {
    const audit = recountAudit(`unchanged:${resultsId}`);
    if (audit) await deps.results.audit(audit);
    if (existing.eventPending) await publishComputed(deps, existing);
    return 'unchanged';
  }
  const withoutFiles: Omit<PublicResults, 'files'> = {
    edition: deps.edition,
    resultsId,
    snapshotHash,
    counting: describeCounting(snapshot),
    envelopes: counted.map(({ result }) => result),
  };
  const { files, manifest } = buildOpenData(
    snapshot,
    withoutFiles,
    new Map(counted.map(({ result, ballotsFile }) => [result.id, ballotsFile])),
  );
  await deps.results.putFiles(resultsId, files);
  // Before the results: whatever is ever published has its receipt index (the public check answers from it).
  await deps.results.putCountedReceipts(resultsId, receipts);
  const computedAt = deps.now().toISOString();
  const stored: StoredResults = {
    resultsId,
    changeId: closing.changeId,
    computedAt,
    snapshotHash,
    results: { ...withoutFiles, files: manifest },
    eventPending: true,
    version: (existing?.version ?? 0) + 1,
  };
  await deps.results.putResults(
    stored,
    existing?.version ?? 0,
    recountAudit(`changed:${resultsId}`) ?? {
      auditId: deps.newId(),
      action: 'computed',
      at: computedAt,
      actor: 'system',
      reason: 'Dépouillement à la clôture du vote',
      detail: resultsId,
    },
  );
  deps.logger.info('results computed', {
    resultsId,
    envelopes: counted.length,
    ballots: counted.reduce((sum, { result }) => sum + result.ballots, 0),
  });
  await publishComputed(deps, stored);
  return 'computed';
}
