import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen, signOutCitizen } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, formatDay } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { editionPath, type IdeasWindow, type IdeaView, ideaFacts, statusName } from './lib/ideas.ts';
import { CHARTER_RULE_LABELS } from './lib/shared-data.ts';
import type { EditionView } from './lib/types.ts';

/** What became of a published idea (functions/ideas/idea-paths.ts), each step once it happened. */
interface IdeaPath {
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

/** `GET .../me/ideas`. */
interface MyIdeas {
  items: (IdeaView & { path?: IdeaPath })[];
  draft?: { savedAt: string; title: string };
}

const EDITABLE = ['submitted', 'changes-requested', 'published'];
const WITHDRAWABLE_NOT = ['withdrawn', 'merged'];

/** Phases in which the instruction has started (ideas published before are being studied). */
const AFTER_CALL = new Set(['instruction', 'vote', 'counting', 'results']);

interface Step {
  title: string;
  text: (string | HTMLElement)[];
}

/** One idea's path, step by step: deposit, moderation, instruction, ballot, vote, realisation. */
function ideaPath(idea: IdeaView & { path?: IdeaPath }, phase: string, timeZone: string): Step[] {
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
      steps.push({ title: 'Retrait', text: ['Vous avez retiré cette idée.'] });
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
function currentStatus(idea: IdeaView & { path?: IdeaPath }, phase: string): string {
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

function pathList(steps: Step[], headingId: string): HTMLElement {
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

function signedOut(message?: string): void {
  fill(byId('mine-status'), message ? h('p', { class: 'notice notice-info' }, message) : null);
  byId('mine').hidden = true;
  byId('mine-signed-out').hidden = false;
}

async function main(): Promise<void> {
  const citizen = currentCitizen();
  if (!citizen) return signedOut();
  let config: SiteConfig;
  let edition: EditionView['edition'];
  let phase: string;
  let callWindow: IdeasWindow;
  const load = () => apiRequest<MyIdeas>(config, `${editionPath(config)}/me/ideas`, { token: citizen.token });
  let mine: MyIdeas;
  try {
    config = await loadConfig();
    let view: EditionView;
    [view, callWindow, mine] = await Promise.all([
      apiRequest<EditionView>(config, editionPath(config)),
      apiRequest<IdeasWindow>(config, `${editionPath(config)}/ideas-window`),
      load(),
    ]);
    edition = view.edition;
    phase = view.phase.current;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOutCitizen();
      return signedOut('Votre session a expiré. Vérifiez à nouveau votre identité.');
    }
    fill(byId('mine-status'));
    fill(byId('mine-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    return;
  }

  fill(
    byId('mine-window'),
    callWindow.open
      ? `L’appel à idées est ouvert jusqu’au ${formatDateTime(callWindow.closesAt, edition.timeZone)} : vous pouvez modifier vos idées jusque-là (une idée modifiée repasse en modération).`
      : 'L’appel à idées est clos : vos idées ne peuvent plus être modifiées ni retirées. Voici ce que chacune est devenue.',
  );

  const render = (message?: HTMLElement) => {
    fill(byId('mine-status'), message ?? null);
    fill(
      byId('mine-draft'),
      mine.draft
        ? h(
            'p',
            { class: 'notice notice-info' },
            `Un brouillon${mine.draft.title ? ` « ${mine.draft.title} »` : ''} est enregistré (${formatDateTime(mine.draft.savedAt, edition.timeZone)}). `,
            h('a', { href: 'proposer.html' }, 'Reprendre le brouillon'),
          )
        : null,
    );
    const list = byId('mine-list');
    if (mine.items.length === 0) {
      fill(list, h('li', {}, 'Vous n’avez encore proposé aucune idée.'));
    } else {
      fill(list, ...mine.items.map((idea) => card(idea)));
    }
    byId('mine').hidden = false;
  };

  const card = (idea: MyIdeas['items'][number]): HTMLElement => {
    const headingId = `idea-${idea.id}-heading`;
    const confirmId = `idea-${idea.id}-confirm`;
    const result = h('div', { role: 'status', 'aria-live': 'polite' });
    const withdraw = h('button', { type: 'button', class: 'button button-danger' }, 'Retirer…');
    const yes = h('button', { type: 'button', class: 'button button-danger' }, 'Oui, retirer cette idée');
    const no = h('button', { type: 'button', class: 'button button-secondary' }, 'Annuler');
    const question = h(
      'p',
      { tabindex: '-1' },
      h('strong', {}, `Retirer « ${idea.title} » ? Elle ne sera plus proposée ni publiée.`),
    );
    const confirm = h(
      'div',
      { class: 'confirm', id: confirmId, hidden: true },
      question,
      h('p', { class: 'actions' }, yes, no),
    );
    withdraw.addEventListener('click', () => {
      confirm.hidden = false;
      question.focus();
    });
    no.addEventListener('click', () => {
      confirm.hidden = true;
      withdraw.focus();
    });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await apiRequest(config, `${editionPath(config)}/ideas/${encodeURIComponent(idea.id)}`, {
          method: 'PATCH',
          token: citizen.token,
          body: { status: 'withdrawn' },
        });
        mine = await load();
        render(h('p', { class: 'notice notice-success' }, `« ${idea.title} » est retirée.`));
      } catch (error) {
        yes.disabled = false;
        fill(result, problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
      }
    });
    const canEdit = callWindow.open && idea.isAuthor !== false && EDITABLE.includes(idea.status);
    // Withdrawing is part of the call for ideas: afterwards the idea is studied, voted on, built.
    const canWithdraw = callWindow.open && idea.isAuthor !== false && !WITHDRAWABLE_NOT.includes(idea.status);
    return h(
      'li',
      { class: 'idea-card' },
      h(
        'article',
        { 'aria-labelledby': headingId },
        h('h2', { id: headingId }, idea.title),
        h('p', { class: 'idea-status' }, `Statut : ${currentStatus(idea, phase)}`),
        h('h3', { class: 'path-heading' }, 'Ce que votre idée est devenue'),
        pathList(ideaPath(idea, phase, edition.timeZone), headingId),
        ideaFacts(edition, idea),
        h(
          'p',
          { class: 'actions' },
          h('a', { href: `idee.html?id=${encodeURIComponent(idea.id)}` }, 'Voir l’idée'),
          canEdit
            ? h(
                'a',
                {
                  class: 'button button-secondary',
                  href: `proposer.html?modifier=${encodeURIComponent(idea.id)}`,
                },
                'Modifier',
              )
            : null,
          canWithdraw ? withdraw : null,
        ),
        confirm,
        result,
      ),
    );
  };

  render();
}

void main();
