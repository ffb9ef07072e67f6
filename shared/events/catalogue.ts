import { z } from 'zod';
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

/** Every event the platform knows; extended by each issue. */
export const EVENT_CATALOGUE = [PhaseChanged] as const;
