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

/** Every event the platform knows; extended by each issue. */
export const EVENT_CATALOGUE = [PhaseChanged, CitizenVerified, DuplicateSuspected] as const;
