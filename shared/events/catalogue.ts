import * as z from 'zod';
import { Phase } from '../edition/phases.ts';
import { defineEvent } from './define-event.ts';

/** Who caused a change: a schedule, or a staff member known by their pseudonymous Cognito `sub`. */
const Actor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('schedule') }),
  z.object({ kind: z.literal('staff'), sub: z.string().min(1), role: z.string().min(1) }),
]);

export const PhaseChanged = defineEvent({
  source: 'bp.editions',
  detailType: 'PhaseChanged',
  version: 1,
  detail: {
    /** Stable id of the change: consumers deduplicate on it, whatever the EventBridge event id. */
    changeId: z.string().min(1),
    from: Phase,
    to: Phase,
    changedAt: z.iso.datetime(),
    reason: z.string().max(500).optional(),
    actor: Actor,
  },
});

/**
 * A person's identity is verified (by email code or in person). Pseudonymous: the citizen id and the
 * territory, never an email, a name or a birth date (events are archived 90 days).
 */
export const CitizenVerified = defineEvent({
  source: 'bp.identity',
  detailType: 'CitizenVerified',
  version: 1,
  detail: {
    citizenId: z.string().min(1),
    territory: z.string().min(1),
    /** `held`: a probable second identity of someone, waiting for a coordinator; it cannot vote. */
    status: z.enum(['verified', 'held']),
    channel: z.enum(['email', 'in-person']),
    verifiedAt: z.iso.datetime(),
  },
});

/** A new identity looks like a second one of the same person; a coordinator must review it. No PII. */
export const DuplicateSuspected = defineEvent({
  source: 'bp.identity',
  detailType: 'DuplicateSuspected',
  version: 1,
  detail: {
    /** Stable id of the review: consumers deduplicate on it. */
    reviewId: z.string().min(1),
    heldCitizenId: z.string().min(1),
    otherCitizenIds: z.array(z.string().min(1)).min(1),
    territory: z.string().min(1),
    suspectedAt: z.iso.datetime(),
  },
});

/**
 * The vote is open: the ballot rules, envelopes, projects and counting rule are frozen (their SHA-256 is
 * `snapshotHash`). Emitted by voting for each `PhaseChanged` to `vote` (same `changeId`: dedupe on it).
 */
export const VotingOpened = defineEvent({
  source: 'bp.voting',
  detailType: 'VotingOpened',
  version: 1,
  detail: {
    changeId: z.string().min(1),
    openedAt: z.iso.datetime(),
    snapshotHash: z.string().min(1),
    projects: z.number().int().nonnegative(),
  },
});

/** The vote is closed (phase `counting`): results may count. Same `changeId` as the phase change. */
export const VotingClosed = defineEvent({
  source: 'bp.voting',
  detailType: 'VotingClosed',
  version: 1,
  detail: {
    changeId: z.string().min(1),
    closedAt: z.iso.datetime(),
  },
});

/** An admin paused, resumed or extended the vote, with a reason; coordinators and committee are told. */
export const VoteWindowChanged = defineEvent({
  source: 'bp.voting',
  detailType: 'VoteWindowChanged',
  version: 1,
  detail: {
    /** Stable id of the change: consumers deduplicate on it. */
    changeId: z.string().min(1),
    action: z.enum(['pause', 'resume', 'extend']),
    reason: z.string().min(1).max(500),
    /** When the vote now closes (ISO instant), after an extension or not. */
    closesAt: z.iso.datetime(),
    paused: z.boolean(),
    changedAt: z.iso.datetime(),
    actor: Actor,
  },
});

/** The staff member who moderated an idea (pseudonymous Cognito `sub`). */
const StaffActor = z.object({ kind: z.literal('staff'), sub: z.string().min(1), role: z.string().min(1) });
/** Pseudonymous citizen ids (never an email or a name): notifications resolve addresses itself. */
const CitizenIds = z.array(z.string().min(1)).min(1);

/** A citizen submitted an idea (first submission, not its edits). Author = pseudonymous citizen id. */
export const IdeaSubmitted = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaSubmitted',
  version: 1,
  detail: {
    ideaId: z.string().min(1),
    authorId: z.string().min(1),
    territory: z.string().min(1),
    commune: z.string().optional(),
    theme: z.string().min(1),
    submittedAt: z.iso.datetime(),
  },
});

/** A moderator published an idea: it is in the public list. `moderationId` is the audit entry's id. */
export const IdeaPublished = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaPublished',
  version: 1,
  detail: {
    moderationId: z.string().min(1),
    ideaId: z.string().min(1),
    authorIds: CitizenIds,
    publishedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** A moderator asks the authors to change their idea, with the reason (staff text, no personal data). */
export const IdeaChangeRequested = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaChangeRequested',
  version: 1,
  detail: {
    moderationId: z.string().min(1),
    ideaId: z.string().min(1),
    authorIds: CitizenIds,
    reason: z.string().min(1).max(1000),
    requestedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** A moderator hid an idea for a rule of the charter, with the reason; the authors are told. */
export const IdeaHidden = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaHidden',
  version: 1,
  detail: {
    moderationId: z.string().min(1),
    ideaId: z.string().min(1),
    authorIds: CitizenIds,
    rule: z.string().min(1),
    reason: z.string().min(1).max(1000),
    hiddenAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** A duplicate was merged into another idea; every author of both is credited on `intoIdeaId`. */
export const IdeasMerged = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeasMerged',
  version: 1,
  detail: {
    moderationId: z.string().min(1),
    mergedIdeaId: z.string().min(1),
    intoIdeaId: z.string().min(1),
    /** Every author credited on `intoIdeaId` after the merge. */
    authorIds: CitizenIds,
    reason: z.string().min(1).max(1000),
    mergedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/**
 * An extended vote window has reached its (new) close: voting asks the editions function to move the phase
 * to `counting`, which the original `voteClose` schedule declined while the extension ran. Published again
 * by every check until the phase has moved (`changeId` is stable per close instant: dedupe on it).
 */
export const VoteWindowEnded = defineEvent({
  source: 'bp.voting',
  detailType: 'VoteWindowEnded',
  version: 1,
  detail: {
    changeId: z.string().min(1),
    closedAt: z.iso.datetime(),
  },
});

/**
 * The results of the vote are computed (from the frozen snapshot and every stored ballot), not public yet:
 * coordinators and the committee review them. `resultsId` is stable for the same ballots and rules.
 */
export const ResultsComputed = defineEvent({
  source: 'bp.results',
  detailType: 'ResultsComputed',
  version: 1,
  detail: {
    resultsId: z.string().min(1),
    /** `changeId` of the `VotingClosed` that triggered the count. */
    changeId: z.string().min(1),
    computedAt: z.iso.datetime(),
    snapshotHash: z.string().min(1),
    envelopes: z.array(
      z.object({
        id: z.string().min(1),
        ballots: z.number().int().nonnegative(),
        winners: z.number().int().nonnegative(),
        ballotsSha256: z.string().length(64),
      }),
    ),
  },
});

/** An admin published the results (with a reason): the editions function moves the phase to `results`. */
export const ResultsPublished = defineEvent({
  source: 'bp.results',
  detailType: 'ResultsPublished',
  version: 1,
  detail: {
    resultsId: z.string().min(1),
    publishedAt: z.iso.datetime(),
    reason: z.string().min(1).max(500),
    actor: StaffActor,
  },
});

/** Every event the platform knows; extended by each issue. */
export const EVENT_CATALOGUE = [
  PhaseChanged,
  CitizenVerified,
  DuplicateSuspected,
  VotingOpened,
  VotingClosed,
  VoteWindowChanged,
  VoteWindowEnded,
  IdeaSubmitted,
  IdeaPublished,
  IdeaChangeRequested,
  IdeaHidden,
  IdeasMerged,
  ResultsComputed,
  ResultsPublished,
] as const;
