import { h } from './dom.ts';
import { formatDay, formatEuros } from './format.ts';
import { MILESTONE_LABELS, REALISATION_STATUS_LABELS } from './shared-data.ts';

/** The follow-up (suivi) of the winners, as the public page and the staff page both show it. */

export type Status = keyof typeof REALISATION_STATUS_LABELS;
export type MilestoneKind = keyof typeof MILESTONE_LABELS;
export interface Milestone {
  kind: MilestoneKind;
  date: string;
  done: boolean;
}

/** `GET .../realisations`: the published winners with their realisation (403 `results_not_published` before). */
export interface FollowUp {
  projects: {
    id: string;
    title: string;
    cost: number;
    envelope: { id: string; name: string };
    status: Status;
    reason?: string;
    milestones: Milestone[];
    updatedAt?: string;
  }[];
}
export type Winner = FollowUp['projects'][number];

export { MILESTONE_LABELS, REALISATION_STATUS_LABELS as STATUS_LABELS };

/** `2027-03-01` → `1er mars 2027`. */
export const frenchDate = (iso: string) => formatDay(iso);

/** Cost and status, the public reason, and the dated milestones of a winner. */
export function realisationDetails(
  winner: Winner,
  layout: { figuresClass: string; listTag: 'ol' | 'ul' },
): (HTMLElement | null)[] {
  return [
    h(
      'p',
      { class: layout.figuresClass },
      `${formatEuros(winner.cost)} · État : `,
      h('strong', {}, REALISATION_STATUS_LABELS[winner.status]),
    ),
    winner.reason
      ? h('p', {}, winner.status === 'abandonne' ? `Raison : ${winner.reason}` : winner.reason)
      : null,
    winner.milestones.length > 0
      ? h(
          layout.listTag,
          { class: 'milestones', 'aria-label': `Étapes de « ${winner.title} »` },
          ...winner.milestones.map((m) =>
            h(
              'li',
              {},
              h('strong', {}, MILESTONE_LABELS[m.kind]),
              ` : ${m.done ? 'étape franchie le' : 'date prévue :'} ${frenchDate(m.date)}`,
            ),
          ),
        )
      : h('p', {}, 'Pas encore d’étape datée.'),
  ];
}
