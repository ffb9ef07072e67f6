import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { BallotRules, Counting, type EditionConfig } from '../edition/edition-config.ts';
import { toInstant } from '../time/zoned.ts';
import { envelopesOf, Project } from './projects.ts';

export const Envelope = z.object({ id: z.string(), name: z.string(), amount: z.number().check(z.int()) });
export type Envelope = z.infer<typeof Envelope>;

/**
 * What governs the vote, frozen when it opens (ARCHITECTURE.md, "Time"): the ballot rules, the envelopes,
 * the projects and the counting rule. Casting, the ballot page and (later) counting read this, never the
 * live config or project items, so nothing changed after the opening can reach a ballot.
 */
export const VoteSnapshot = z.object({
  rules: BallotRules,
  envelopes: z.array(Envelope),
  departementWide: z.optional(z.string()),
  projects: z.array(Project),
  counting: Counting,
  /** ISO instants of the configured window (an admin may extend the close: see the window item). */
  opensAt: z.iso.datetime(),
  closesAt: z.iso.datetime(),
  timeZone: z.string(),
});
export type VoteSnapshot = z.infer<typeof VoteSnapshot>;

export function buildSnapshot(config: EditionConfig, projects: readonly Project[]): VoteSnapshot {
  const envelopes = envelopesOf(config);
  const known = new Set(envelopes.map((e) => e.id));
  return {
    rules: config.ballot,
    envelopes,
    ...(config.budget.departementWide ? { departementWide: config.budget.departementWide.id } : {}),
    projects: [...projects]
      .filter((p) => known.has(p.envelope))
      .sort((a, b) => (a.envelope + a.id < b.envelope + b.id ? -1 : 1)),
    counting: config.counting,
    opensAt: toInstant(config.calendar.voteOpen, config.timeZone).toISOString(),
    closesAt: toInstant(config.calendar.voteClose, config.timeZone).toISOString(),
    timeZone: config.timeZone,
  };
}

/** SHA-256 of the canonical JSON: equal hashes, equal rules. */
export function snapshotHash(snapshot: VoteSnapshot): string {
  return createHash('sha256').update(JSON.stringify(snapshot)).digest('hex');
}

/** The envelopes a voter of `territory` votes in: theirs, then the Département-wide one if any. */
export function voterEnvelopes(snapshot: VoteSnapshot, territory: string): Envelope[] {
  return snapshot.envelopes.filter((e) => e.id === territory || e.id === snapshot.departementWide);
}
