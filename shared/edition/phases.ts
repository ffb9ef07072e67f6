import * as z from 'zod/mini';
import { toInstant } from '../time/zoned.ts';
import type { EditionConfig } from './edition-config.ts';

/** The life of an edition, in order. */
export const PHASES = [
  'setup',
  'ideas',
  'instruction',
  'ballot-preparation',
  'vote',
  'counting',
  'results',
] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

export const PHASE_LABELS: Record<Phase, string> = {
  setup: 'Préparation de l’édition',
  ideas: 'Appel à idées',
  instruction: 'Instruction des idées',
  'ballot-preparation': 'Préparation du vote',
  vote: 'Vote',
  counting: 'Dépouillement',
  results: 'Résultats',
};

/** Phases in which the vote is closed: entering one closes the vote for good (see `phaseMoveRefusal`). */
export const CLOSED_VOTE_PHASES: readonly Phase[] = ['counting', 'results'];

export const isClosedVotePhase = (phase: Phase) => CLOSED_VOTE_PHASES.includes(phase);

/**
 * Why the phase cannot move from `from` to `to`, in French, or `undefined` when it can. Once the vote has
 * closed (`voteClosed`: the marker written with the close, or a phase after the vote), the machine goes
 * forward only: never back to `vote` or before, never from `results` back to `counting`. A recount goes
 * through the results function; an annulment is its own audited operation, never a reopening.
 */
export function phaseMoveRefusal(from: Phase, to: Phase, voteClosed: boolean): string | undefined {
  const closed = voteClosed || isClosedVotePhase(from);
  if (!closed) return undefined;
  const index = (phase: Phase) => PHASES.indexOf(phase);
  if (index(to) <= index('vote'))
    return `Le vote est clos : l’édition ne peut pas revenir à la phase « ${PHASE_LABELS[to]} ». Un nouveau dépouillement passe par le recomptage des résultats ; une annulation du vote par l’opération d’annulation.`;
  if (index(to) < index(from))
    return `Le vote est clos : la phase ne revient pas de « ${PHASE_LABELS[from]} » à « ${PHASE_LABELS[to]} ».`;
  return undefined;
}

/** Which calendar date opens which phase: the schedules and the clock both derive from this table. */
export const PHASE_TRANSITIONS = [
  { at: 'ideasOpen', phase: 'ideas' },
  { at: 'ideasClose', phase: 'instruction' },
  { at: 'instructionEnd', phase: 'ballot-preparation' },
  { at: 'voteOpen', phase: 'vote' },
  { at: 'voteClose', phase: 'counting' },
  { at: 'resultsAt', phase: 'results' },
] as const satisfies ReadonlyArray<{ at: keyof EditionConfig['calendar']; phase: Phase }>;

export interface PhaseTransition {
  phase: Phase;
  localTime: string;
  instant: Date;
}

/** Every scheduled phase change of an edition, with its instant in the edition's time zone. */
export function phaseTransitions(config: Pick<EditionConfig, 'calendar' | 'timeZone'>): PhaseTransition[] {
  return PHASE_TRANSITIONS.map(({ at, phase }) => ({
    phase,
    localTime: config.calendar[at],
    instant: toInstant(config.calendar[at], config.timeZone),
  }));
}

/** The phase the calendar says the edition is in at `now`. */
export function phaseAt(config: Pick<EditionConfig, 'calendar' | 'timeZone'>, now: Date): Phase {
  let current: Phase = 'setup';
  for (const transition of phaseTransitions(config)) {
    if (transition.instant.getTime() <= now.getTime()) current = transition.phase;
  }
  return current;
}
