import type { EnvelopeReview } from '../../shared/voting/ballot-list-review.ts';
import type { Project } from '../../shared/voting/projects.ts';
import type { Problem } from './lib/api.ts';
import { apiRequest } from './lib/api.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatEuros, plural } from './lib/format.ts';
import { territoryName, themeName } from './lib/ideas.ts';
import {
  actorText,
  asProblem,
  type BallotList,
  dateTime,
  focusOn,
  hasRole,
  type InstructionContext,
  instructionContext,
  setFieldError,
  showApiFieldErrors,
  showFailure,
} from './lib/instruction-labels.ts';

interface Page {
  context: InstructionContext;
  /** The list as last shown: what a validation attests (its SHA-256). */
  list?: BallotList;
}

function stateView(page: Page, list: BallotList): (HTMLElement | null)[] {
  const { edition } = page.context;
  const validated = list.state === 'validated';
  return [
    h(
      'p',
      { class: 'phase-now' },
      h(
        'strong',
        {},
        validated
          ? 'Liste validée par le Comité citoyen : elle est gelée.'
          : 'Liste ouverte : pas encore validée par le Comité citoyen.',
      ),
    ),
    h('p', {}, 'Empreinte SHA-256 de la liste :'),
    h('p', { class: 'hash' }, h('code', { id: 'co-sha' }, list.listSha256)),
    list.validation
      ? h(
          'p',
          {},
          validated ? 'Validée le ' : 'Dernière validation, avant la réouverture : le ',
          dateTime(list.validation.at, edition),
          `, par ${actorText(list.validation.by)}, empreinte ${list.validation.listSha256.slice(0, 12)}…`,
        )
      : null,
    list.lastReopening
      ? h(
          'div',
          { class: 'notice notice-info' },
          h(
            'p',
            {},
            'Dernière réouverture le ',
            dateTime(list.lastReopening.at, edition),
            `, par ${actorText(list.lastReopening.by)}.`,
          ),
          h('p', {}, `Motif : ${list.lastReopening.reason}`),
        )
      : null,
  ];
}

/**
 * One envelope of the list: its projects, their total cost against the envelope's amount, what blocks the
 * vote (no project, too few for the ballot, nothing within budget) and a warning when the demand is below the
 * budget. An envelope without project says so plainly.
 */
function envelopeSection(page: Page, envelope: EnvelopeReview, projects: Project[]): HTMLElement {
  const headingId = `env-${envelope.id}`;
  return h(
    'section',
    { class: 'card envelope-review', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, envelope.name),
    envelope.projects === 0
      ? h('p', {}, h('strong', {}, 'Aucun projet.'), ` Enveloppe de ${formatEuros(envelope.amount)}.`)
      : h(
          'p',
          {},
          `${plural(envelope.projects, 'projet')}, pour un coût total de ${formatEuros(envelope.totalCost)}, sur une enveloppe de ${formatEuros(envelope.amount)}.`,
        ),
    envelope.problem
      ? h(
          'div',
          { class: 'notice notice-error' },
          h('p', {}, h('strong', {}, 'Vote impossible dans cette enveloppe')),
          h('p', {}, envelope.problem.message),
        )
      : null,
    envelope.warning
      ? h(
          'div',
          { class: 'notice notice-warning' },
          h('p', {}, h('strong', {}, 'Budget en partie inutilisé')),
          h('p', {}, envelope.warning),
        )
      : null,
    projects.length > 0
      ? h('ul', { class: 'project-list' }, ...projects.map((project) => projectItem(page, project)))
      : null,
  );
}

/** The server's refusal, in French, with the reason for each envelope it names. */
function refusalNotice(problem: Problem): HTMLElement {
  const errors = problem.errors ?? [];
  return h(
    'div',
    { class: 'notice notice-error' },
    h('p', {}, h('strong', {}, problem.title)),
    problem.detail ? h('p', {}, problem.detail) : null,
    errors.length > 0 ? h('ul', {}, ...errors.map((error) => h('li', {}, error.message))) : null,
  );
}

function projectItem(page: Page, project: Project): HTMLElement {
  const { edition } = page.context;
  const headingId = `pr-${project.id}`;
  return h(
    'li',
    { class: 'project-card' },
    h(
      'article',
      { 'aria-labelledby': headingId },
      h('h4', { id: headingId }, project.title),
      h('p', { class: 'project-cost' }, formatEuros(project.cost)),
      h('p', { class: 'project-summary' }, project.summary),
      h(
        'dl',
        { class: 'data-list' },
        h('dt', {}, 'Enveloppe'),
        h('dd', {}, territoryName(edition, project.envelope)),
        project.territory ? h('dt', {}, 'Territoire') : null,
        project.territory ? h('dd', {}, territoryName(edition, project.territory)) : null,
        h('dt', {}, 'Thème'),
        h('dd', {}, themeName(edition, project.theme)),
      ),
    ),
  );
}

async function load(page: Page, message?: string): Promise<void> {
  const { context } = page;
  const status = byId('co-status');
  if (!message) fill(status, h('p', { class: 'loading' }, 'Chargement de la liste…'));
  fill(byId('co-error'));
  try {
    const list = await apiRequest<BallotList>(context.config, `${context.base}/ballot-list`, {
      token: context.session.idToken,
    });
    page.list = list;
    const projects = list.projects as Project[];
    fill(byId('co-state-body'), ...stateView(page, list));
    byId('co-state').hidden = false;
    const envelopes = list.envelopes ?? [];
    const blocked = envelopes.filter((envelope) => envelope.problem);
    fill(
      byId('co-projects-count'),
      `${plural(projects.length, 'projet')} dans ${plural(envelopes.length, 'enveloppe')}, pour un total de ${formatEuros(projects.reduce((sum, p) => sum + p.cost, 0))}, triés par identifiant.`,
      blocked.length > 0
        ? h(
            'span',
            { class: 'notice notice-error', role: 'note' },
            ` ${blocked.length === 1 ? 'Une enveloppe ne permet' : `${blocked.length} enveloppes ne permettent`} pas de voter : la liste ne peut pas être validée en l’état.`,
          )
        : null,
    );
    fill(
      byId('co-envelopes'),
      ...envelopes.map((envelope) =>
        envelopeSection(
          page,
          envelope,
          projects.filter((project) => project.envelope === envelope.id),
        ),
      ),
    );
    byId('co-projects').hidden = false;
    const { session } = context;
    byId('co-validate').hidden = !(
      hasRole(session, 'committee') &&
      list.state === 'open' &&
      projects.length > 0
    );
    fill(
      byId('co-checked-label'),
      `J’ai vérifié la liste des ${plural(projects.length, 'projet')} et son empreinte ${list.listSha256.slice(0, 12)}…`,
    );
    byId<HTMLInputElement>('co-checked').checked = false;
    byId('co-reopen').hidden = !(hasRole(session, 'coordinator', 'admin') && list.state === 'validated');
    if (message) {
      const notice = h('p', { class: 'notice notice-success', tabindex: -1 }, message);
      fill(status, notice);
      notice.focus();
    } else fill(status);
  } catch (error) {
    fill(status);
    showFailure(byId('co-error'), error);
  }
}

function setup(page: Page): void {
  const { context } = page;
  const validateForm = byId<HTMLFormElement>('co-validate-form');
  const checked = byId<HTMLInputElement>('co-checked');
  validateForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const alert = byId('co-validate-error');
    fill(alert);
    if (!checked.checked) {
      setFieldError(checked, 'Cochez la case pour attester que vous avez vérifié la liste.');
      checked.focus();
      return;
    }
    setFieldError(checked, undefined);
    const listSha256 = page.list?.listSha256;
    if (!listSha256) return;
    const submit = validateForm.querySelector('button') as HTMLButtonElement;
    submit.disabled = true;
    try {
      await apiRequest(context.config, `${context.base}/ballot-list/validation`, {
        method: 'POST',
        token: context.session.idToken,
        body: { listSha256 },
      });
      await load(page, 'Liste validée au nom du Comité citoyen : elle est désormais gelée.');
    } catch (error) {
      const problem = asProblem(error);
      if (problem.code === 'ballot_list_unvotable') fill(alert, refusalNotice(problem));
      else showFailure(alert, error);
      if (problem.code === 'ballot_list_changed') {
        await load(page);
        focusOn(byId('co-state-heading'));
      }
    } finally {
      submit.disabled = false;
    }
  });

  const reopenForm = byId<HTMLFormElement>('co-reopen-form');
  const reason = byId<HTMLTextAreaElement>('co-reason');
  reopenForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const alert = byId('co-reopen-error');
    fill(alert);
    const text = reason.value.trim();
    if (text.length < 5) {
      setFieldError(reason, 'Indiquez le motif de la réouverture (5 caractères au moins).');
      reason.focus();
      return;
    }
    setFieldError(reason, undefined);
    const submit = reopenForm.querySelector('button') as HTMLButtonElement;
    submit.disabled = true;
    try {
      await apiRequest(context.config, `${context.base}/ballot-list/reopening`, {
        method: 'POST',
        token: context.session.idToken,
        body: { reason: text },
      });
      reason.value = '';
      await load(page, 'Liste rouverte : le Comité citoyen en est informé et devra la valider à nouveau.');
    } catch (error) {
      showFailure(alert, error);
      showApiFieldErrors({ reason }, asProblem(error));
    } finally {
      submit.disabled = false;
    }
  });
}

async function main(): Promise<void> {
  const context = await instructionContext(['committee', 'coordinator', 'admin'], byId('co-error'), {
    title: 'Accès réservé',
    detail:
      'La liste des projets soumis au vote est réservée au Comité citoyen, à la coordination et à l’administration.',
  });
  if (!context) {
    fill(byId('co-status'));
    return;
  }
  fill(byId('co-edition'), context.edition.name);
  const page: Page = { context };
  setup(page);
  await load(page);
}

void main();
