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

/** Every event the platform knows; extended by each issue. */
export const EVENT_CATALOGUE = [
  PhaseChanged,
  CitizenVerified,
  DuplicateSuspected,
  VotingOpened,
  VotingClosed,
  VoteWindowChanged,
] as const;
