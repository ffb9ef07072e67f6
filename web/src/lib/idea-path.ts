import { h } from './dom.ts';
import { formatDay } from './format.ts';
import { type IdeaView, statusName } from './ideas.ts';
import { CHARTER_RULE_LABELS } from './shared-data.ts';

/** What became of a published idea (functions/ideas/idea-paths.ts), each step once it happened. */
export interface IdeaPath {
  instruction?: {
    outcome: string;
    outcomeLabel: string;
    final: boolean;
    reasonLabel: string;
    reasonText: string;
    at: string;
  };
  ballot?: { state: 'waiting' | 'on-ballot' | 'not-on-ballot'; projectTitle?: string };
  result?: { selected: boolean; explanation: string; projectTitle: string };
  realisation?: { status: string; statusLabel: string; reason?: string; updatedAt: string };
  mergedInto?: { id: string; title: string };
}

/** Phases in which the instruction has started (ideas published before are being studied). */
const AFTER_CALL = new Set(['instruction', 'vote', 'counting', 'results']);

export interface Step {
  title: string;
  text: (string | HTMLElement)[];
}

/** One idea's path, step by step: deposit, moderation, instruction, ballot, vote, realisation. */
export function ideaPath(
  idea: IdeaView & { path?: IdeaPath },
  phase: string,
  timeZone: string,
  reader: 'author' | 'public' = 'author',
): Step[] {
  const path = idea.path ?? {};
  const steps: Step[] = [{ title: 'Dépôt', text: [`Déposée le ${formatDay(idea.submittedAt, timeZone)}.`] }];
  const moderation = idea.moderation;
  const mergedLink = (title: string) =>
    path.mergedInto
      ? [
          `${title} `,
          h(
            'a',
            { href: `idee.html?id=${encodeURIComponent(path.mergedInto.id)}` },
            `« ${path.mergedInto.title} »`,
          ),
          '.',
        ]
      : [`${title} une autre idée.`];
  switch (idea.status) {
    case 'submitted':
      steps.push({ title: 'Modération', text: ['En attente de modération.'] });
      return steps;
    case 'changes-requested':
      steps.push({
        title: 'Modération',
        text: [
          `Modification demandée par la modération${moderation?.reason ? ` : ${moderation.reason}` : '.'}`,
        ],
      });
      return steps;
    case 'hidden': {
      const rule = CHARTER_RULE_LABELS[moderation?.rule as keyof typeof CHARTER_RULE_LABELS];
      steps.push({
        title: 'Modération',
        text: [`Masquée${rule ? ` (${rule})` : ''}${moderation?.reason ? ` : ${moderation.reason}` : '.'}`],
      });
      return steps;
    }
    case 'merged':
      steps.push({ title: 'Modération', text: mergedLink('Regroupée avec l’idée semblable') });
      return steps;
    case 'withdrawn':
      steps.push({
        title: 'Retrait',
        text: [reader === 'author' ? 'Vous avez retiré cette idée.' : 'Retirée par son auteur.'],
      });
      return steps;
  }
  steps.push({
    title: 'Modération',
    text: [idea.publishedAt ? `Publiée le ${formatDay(idea.publishedAt, timeZone)}.` : 'Publiée.'],
  });

  const instruction = path.instruction;
  if (!instruction) {
    steps.push({
      title: 'Étude par le Département',
      text: [
        AFTER_CALL.has(phase)
          ? 'En cours d’étude par les services du Département (recevabilité, faisabilité, coût).'
          : 'Les services du Département l’étudieront après la fin de l’appel à idées.',
      ],
    });
    return steps;
  }
  const who = instruction.final ? 'Décision de la coordination' : 'Avis du service chargé de l’étude';
  const why = [instruction.reasonLabel, instruction.reasonText].filter(Boolean).join(' — ');
  steps.push({
    title: 'Étude par le Département',
    text:
      instruction.outcome === 'merged'
        ? [
            ...mergedLink('Regroupée avec'),
            ` ${who}, le ${formatDay(instruction.at, timeZone)}. Motif : ${why}`,
          ]
        : [
            `${VERDICT_TEXT[instruction.outcome] ?? instruction.outcomeLabel} ${who}, le ${formatDay(instruction.at, timeZone)}.`,
            h('br', {}),
            `Motif : ${why}`,
          ],
  });
  const ballot = path.ballot;
  if (!ballot) return steps;
  const named = ballot.projectTitle ? ` sous le titre « ${ballot.projectTitle} »` : '';
  steps.push({
    title: 'Liste soumise au vote',
    text: [
      ballot.state === 'waiting'
        ? `Devenue un projet${named}. La liste des projets attend la validation du Comité citoyen.`
        : ballot.state === 'on-ballot'
          ? `Soumise au vote des habitants${named}.`
          : 'Le Comité citoyen n’a pas retenu ce projet sur la liste soumise au vote.',
    ],
  });
  if (ballot.state !== 'on-ballot') return steps;
  const result = path.result;
  if (!result) {
    steps.push({ title: 'Résultats du vote', text: ['Les résultats ne sont pas encore publiés.'] });
    return steps;
  }
  steps.push({
    title: 'Résultats du vote',
    text: [
      result.selected ? 'Lauréat : le projet sera réalisé. ' : 'Non retenu par le vote. ',
      result.explanation,
    ],
  });
  if (!result.selected) return steps;
  const realisation = path.realisation;
  steps.push({
    title: 'Réalisation',
    text: realisation
      ? [
          `${realisation.statusLabel} (mis à jour le ${formatDay(realisation.updatedAt, timeZone)})${realisation.reason ? ` : ${realisation.reason}` : '.'} `,
          h('a', { href: 'suivi.html' }, 'Suivre la réalisation'),
        ]
      : [
          'À l’étude par les services du Département. ',
          h('a', { href: 'suivi.html' }, 'Suivre la réalisation'),
        ],
  });
  return steps;
}

/** The verdict in a sentence for the author (the outcome codes of the instruction). */
const VERDICT_TEXT: Record<string, string> = {
  retained: 'Retenue : elle devient un projet soumis au vote.',
  'not-admissible': 'Non recevable.',
  'not-feasible': 'Non réalisable.',
  admissible: 'Recevable.',
  feasible: 'Réalisable.',
};

/** Where the idea stands now, in a few words (the moderation status until it is published). */
export function currentStatus(idea: IdeaView & { path?: IdeaPath }, phase: string): string {
  if (idea.status !== 'published') return statusName(idea);
  const { instruction, ballot, result, realisation } = idea.path ?? {};
  if (result) {
    if (!result.selected) return 'Non retenue par le vote';
    return realisation ? `Lauréate — ${realisation.statusLabel}` : 'Lauréate';
  }
  if (ballot)
    return ballot.state === 'on-ballot'
      ? 'Soumise au vote'
      : ballot.state === 'waiting'
        ? 'Retenue, liste des projets en attente de validation'
        : 'Non retenue sur la liste soumise au vote';
  if (instruction) {
    if (instruction.outcome === 'retained') return 'Retenue par le Département';
    if (instruction.outcome === 'not-admissible') return 'Non recevable';
    if (instruction.outcome === 'not-feasible') return 'Non réalisable';
    if (instruction.outcome === 'merged') return 'Regroupée avec une idée semblable';
    return 'À l’étude par le Département';
  }
  return AFTER_CALL.has(phase) ? 'À l’étude par le Département' : statusName(idea);
}

export function pathList(steps: Step[], headingId: string): HTMLElement {
  return h(
    'ol',
    { class: 'idea-path', 'aria-label': 'Parcours de l’idée', 'aria-describedby': headingId },
    ...steps.map((step, index) =>
      h(
        'li',
        index === steps.length - 1 ? { 'aria-current': 'step' } : {},
        h('strong', {}, `${step.title} : `),
        ...step.text,
      ),
    ),
  );
}
