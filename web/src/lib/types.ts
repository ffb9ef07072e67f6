import type { StaffRole } from '../../../shared/auth/roles.ts';
import type { PublicEditionConfig } from '../../../shared/edition/edition-config.ts';
import type { Phase } from '../../../shared/edition/phases.ts';

export type { Phase, StaffRole };

/** `GET /api/editions/{edition}`. */
export interface EditionView {
  edition: PublicEditionConfig;
  phase: PhaseState;
  calendar: { phase: Phase; label: string; at: string; localTime: string }[];
}

export interface PhaseState {
  current: Phase;
  label: string;
  /** ISO instant. */
  since: string;
  /** The phase the calendar alone would give; differs after a manual change. */
  calendarPhase: Phase;
}

export type PhaseActor = { kind: 'schedule' } | { kind: 'staff'; sub: string; role: string };

/** `GET`/`POST /api/editions/{edition}/staff/phase`. */
export interface StaffPhaseView extends PhaseState {
  history: { from: Phase; to: Phase; at: string; reason?: string; actor: PhaseActor }[];
}
