import { type EditionConfig, publicEditionConfig } from '../../shared/edition/edition-config.ts';
import { PHASE_LABELS, type Phase, phaseAt, phaseTransitions } from '../../shared/edition/phases.ts';
import type { PhaseChange, PhaseRepository, PhaseState } from './phase-repository.ts';

export interface PhaseView {
  current: Phase;
  label: string;
  /** `null` while the edition has never changed phase. */
  since: string | null;
  /** What the calendar says at this instant; differs from `current` when an admin moved the phase. */
  calendarPhase: Phase;
}

function phaseView(config: EditionConfig, state: PhaseState | undefined, now: Date): PhaseView {
  const current = state?.current ?? 'setup';
  return {
    current,
    label: PHASE_LABELS[current],
    since: state?.since ?? null,
    calendarPhase: phaseAt(config, now),
  };
}

/** The public face of an edition: its config without staff contacts, its phase and its calendar. */
export async function readPublicEdition(
  deps: { phases: PhaseRepository; now: () => Date },
  config: EditionConfig,
) {
  const state = await deps.phases.getState();
  return {
    edition: publicEditionConfig(config),
    phase: phaseView(config, state, deps.now()),
    calendar: phaseTransitions(config).map((transition) => ({
      phase: transition.phase,
      label: PHASE_LABELS[transition.phase],
      at: transition.instant.toISOString(),
      localTime: transition.localTime,
    })),
  };
}

/** The phase and its history, for staff. */
export async function readPhaseHistory(
  deps: { phases: PhaseRepository; now: () => Date },
  config: EditionConfig,
) {
  const [state, history] = await Promise.all([deps.phases.getState(), deps.phases.history(50)]);
  return {
    ...phaseView(config, state, deps.now()),
    history: history.map(({ published: _published, changeId: _changeId, ...change }: PhaseChange) => change),
  };
}
