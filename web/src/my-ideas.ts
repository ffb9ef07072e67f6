import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen, signOutCitizen } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { currentStatus, type IdeaPath, ideaPath, pathList } from './lib/idea-path.ts';
import { editionPath, type IdeasWindow, type IdeaView, ideaFacts } from './lib/ideas.ts';
import type { EditionView } from './lib/types.ts';

/** `GET .../me/ideas`. */
interface MyIdeas {
  items: (IdeaView & { path?: IdeaPath })[];
  draft?: { savedAt: string; title: string };
}

const EDITABLE = ['submitted', 'changes-requested', 'published'];
const WITHDRAWABLE_NOT = ['withdrawn', 'merged'];

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
