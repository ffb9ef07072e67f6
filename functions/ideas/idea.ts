import * as z from 'zod/mini';
import {
  CHARTER_RULES,
  IDEA_STATUS_LABELS,
  IDEA_STATUSES,
  Location,
  PROPOSER_KINDS,
} from '../../shared/http/idea-schemas.ts';

export { IDEA_STATUS_LABELS, IDEA_STATUSES };

export const IdeaStatus = z.enum(IDEA_STATUSES);
export type IdeaStatus = z.infer<typeof IdeaStatus>;

export const Moderation = z.object({
  moderationId: z.string(),
  action: z.enum(['publish', 'request-change', 'hide', 'merge']),
  /** Staff `sub` (pseudonymous). */
  by: z.string(),
  at: z.iso.datetime(),
  reason: z.optional(z.string()),
  rule: z.optional(z.enum(CHARTER_RULES)),
});
export type Moderation = z.infer<typeof Moderation>;

export const Idea = z.object({
  ideaId: z.string(),
  /** Who submitted it and may edit or withdraw it (pseudonymous citizen id). */
  authorId: z.string(),
  /** Everyone credited: the author first, then the authors of ideas merged into this one. */
  authorIds: z.array(z.string()).check(z.minLength(1)),
  status: IdeaStatus,
  title: z.string(),
  description: z.string(),
  theme: z.string(),
  territory: z.string(),
  commune: z.optional(z.string()),
  estimatedCost: z.number(),
  proposer: z.object({ kind: z.enum(PROPOSER_KINDS), name: z.optional(z.string()) }),
  /** Where in the commune, in words (an address, a place name). */
  place: z.optional(z.string()),
  location: z.optional(Location),
  /**
   * Its pictures in the site bucket (`uploads/<edition>/<idea>/...`), each with the text alternative its author
   * wrote. Items written before text alternatives existed hold a bare key (read with an empty alternative).
   */
  pictures: z._default(
    z.array(
      z.union([
        z.object({ key: z.string(), alt: z.string() }),
        z.pipe(
          z.string(),
          z.transform((key) => ({ key, alt: '' })),
        ),
      ]),
    ),
    [],
  ),
  submittedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  publishedAt: z.optional(z.iso.datetime()),
  /** The last moderation decision (the whole trail is in the audit items). */
  moderation: z.optional(Moderation),
  mergedInto: z.optional(z.string()),
  /** Ideas merged into this one. */
  mergedFrom: z._default(z.array(z.string()), []),
  /** Optimistic concurrency: every write checks and bumps it. */
  revision: z.number().check(z.int()),
});
export type Idea = z.infer<typeof Idea>;

/**
 * Where an idea's pictures live in the site bucket. Never served as they are: readers get a short-lived
 * presigned URL, and only while they may read the idea (`functions/ideas/picture-views.ts`).
 */
export const picturePrefix = (edition: string, ideaId: string) => `uploads/${edition}/${ideaId}/`;

/** What anyone may read of a published idea: no citizen id (they would link a person's ideas). */
export function publicIdea(idea: Idea) {
  return {
    id: idea.ideaId,
    status: idea.status,
    title: idea.title,
    description: idea.description,
    theme: idea.theme,
    territory: idea.territory,
    ...(idea.commune ? { commune: idea.commune } : {}),
    estimatedCost: idea.estimatedCost,
    proposer: idea.proposer,
    ...(idea.place ? { place: idea.place } : {}),
    ...(idea.location ? { location: idea.location } : {}),
    pictures: idea.pictures.map(({ key, alt }) => ({ key, alt })),
    submittedAt: idea.submittedAt,
    ...(idea.publishedAt ? { publishedAt: idea.publishedAt } : {}),
    authorsCount: idea.authorIds.length,
    mergedFrom: idea.mergedFrom,
    ...(idea.mergedInto ? { mergedInto: idea.mergedInto } : {}),
  };
}

/** What an author (or a moderator) reads: the public view, the status and the last moderation reason. */
export function authorIdea(idea: Idea, viewer: string) {
  return {
    ...publicIdea(idea),
    statusLabel: IDEA_STATUS_LABELS[idea.status],
    updatedAt: idea.updatedAt,
    isAuthor: idea.authorId === viewer,
    ...(idea.moderation
      ? {
          moderation: {
            action: idea.moderation.action,
            at: idea.moderation.at,
            ...(idea.moderation.reason ? { reason: idea.moderation.reason } : {}),
            ...(idea.moderation.rule ? { rule: idea.moderation.rule } : {}),
          },
        }
      : {}),
  };
}
