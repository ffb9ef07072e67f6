import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { buildSnapshot, snapshotHash, type VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';
import type { Project } from '../../shared/voting/projects.ts';
import type { VotingRepository } from './voting-repository.ts';

export interface SnapshotDeps {
  votes: VotingRepository;
  config: () => Promise<EditionConfig>;
  projects: () => Promise<Project[]>;
  now: () => Date;
  newId: () => string;
}

/**
 * The frozen snapshot, cached for the life of the instance (it never changes once written). When the
 * phase is `vote` and nothing is frozen yet (the `PhaseChanged` event not consumed yet), freezes it here:
 * whoever comes first freezes, the others read the same item.
 */
export function snapshotSource(deps: SnapshotDeps) {
  let cached: { snapshot: VoteSnapshot; hash: string } | undefined;
  const read = async (options: { freezeIfVote: boolean }) => {
    if (cached) return cached;
    const stored = await deps.votes.getSnapshot();
    if (stored) {
      cached = stored;
      return stored;
    }
    if (!options.freezeIfVote || (await deps.votes.getPhase()) !== 'vote') return undefined;
    await freezeVote(deps, 'vote-opened');
    return read({ freezeIfVote: false });
  };
  return read;
}

/**
 * Freezes the ballot rules, envelopes, projects and counting rule once. Called again while frozen (a
 * replayed event, a redeploy that changed the config or the projects), it keeps the snapshot and audits a
 * refused change when the live data now differ. Returns the hash in force and what happened.
 */
export async function freezeVote(
  deps: SnapshotDeps,
  reason: string,
): Promise<{ hash: string; projects: number; outcome: 'frozen' | 'unchanged' | 'change-refused' }> {
  const [config, projects] = await Promise.all([deps.config(), deps.projects()]);
  const snapshot = buildSnapshot(config, projects);
  const hash = snapshotHash(snapshot);
  const at = deps.now().toISOString();
  const result = await deps.votes.freeze(snapshot, hash, {
    auditId: deps.newId(),
    action: 'freeze',
    reason,
    at,
    actor: 'system',
    detail: hash,
  });
  if (result === 'frozen') return { hash, projects: snapshot.projects.length, outcome: 'frozen' };
  const stored = await deps.votes.getSnapshot();
  if (!stored) throw new Error('Vote snapshot vanished');
  if (stored.hash === hash) return { hash, projects: stored.snapshot.projects.length, outcome: 'unchanged' };
  await deps.votes.audit({
    auditId: deps.newId(),
    action: 'change-refused',
    reason:
      'Les règles, enveloppes, projets ou la règle de dépouillement ont changé après l’ouverture du vote : refusé, le vote garde les règles gelées.',
    at,
    actor: 'system',
    detail: `gelé ${stored.hash} ; proposé ${hash}`,
  });
  return { hash: stored.hash, projects: stored.snapshot.projects.length, outcome: 'change-refused' };
}
