import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen, signOutCitizen } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, formatEuros, plural } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';

type Rules =
  | { kind: 'approval'; minChoices: number; maxChoices: number }
  | { kind: 'knapsack' }
  | { kind: 'cumulative'; points: number; maxPerProject: number };

interface BallotProject {
  id: string;
  title: string;
  summary: string;
  cost: number;
}

interface BallotEnvelope {
  id: string;
  name: string;
  amount: number;
  kind: 'territory' | 'departement';
  projects: BallotProject[];
}

/** Where the voter stands, from the API (never from this browser's clock). */
interface VoterState {
  status: 'open' | 'not-open' | 'paused' | 'closed' | 'voted';
  opensAt: string;
  closesAt: string;
}

/** `GET .../ballot`. */
interface Ballot {
  rules: Rules;
  envelopes: BallotEnvelope[];
  notice: string;
  state?: VoterState;
}

/** The edition's time zone, for dates people read. */
const TIME_ZONE = 'Europe/Paris';

/** `POST .../ballots`. */
interface CastAnswer {
  receipt: string;
  envelopes: string[];
  notice: string;
  receiptEmail: 'not-requested' | 'sent' | 'already-sent' | 'failed';
}

const RECEIPT_EMAIL_TEXT: Record<CastAnswer['receiptEmail'], string> = {
  'not-requested': '',
  sent: 'Ce code vous a aussi été envoyé par courriel.',
  'already-sent': 'Ce code vous a déjà été envoyé par courriel.',
  failed:
    'Le courriel n’a pas pu être envoyé : notez ce code ou imprimez cette page. Votre vote est bien enregistré.',
};

type Choices = Record<string, string[] | Record<string, number>>;

/** One key per ballot, kept across a reload until the vote is stored: a retry gets the same receipt. */
const KEY_STORAGE = 'bp.vote.idempotency-key';

function idempotencyKey(): string {
  let key = sessionStorage.getItem(KEY_STORAGE);
  if (!key) {
    key = crypto.randomUUID();
    sessionStorage.setItem(KEY_STORAGE, key);
  }
  return key;
}

function rulesText(rules: Rules): string {
  switch (rules.kind) {
    case 'approval':
      return `Dans chaque enveloppe, choisissez de ${rules.minChoices} à ${rules.maxChoices} projets. Vous pouvez laisser une enveloppe vide : c’est une abstention dans cette enveloppe.`;
    case 'knapsack':
      return 'Dans chaque enveloppe, choisissez des projets sans dépasser son budget. Vous pouvez laisser une enveloppe vide.';
    case 'cumulative':
      return `Dans chaque enveloppe, répartissez jusqu’à ${rules.points} points (au plus ${rules.maxPerProject} par projet).`;
  }
}

/** What is chosen in one envelope, read from the form. */
function chosen(envelope: BallotEnvelope, rules: Rules): string[] | Record<string, number> {
  if (rules.kind === 'cumulative') {
    const points: Record<string, number> = {};
    for (const project of envelope.projects) {
      const value = Number(byId<HTMLInputElement>(`p-${envelope.id}-${project.id}`).value);
      if (value > 0) points[project.id] = value;
    }
    return points;
  }
  return envelope.projects
    .filter((project) => byId<HTMLInputElement>(`p-${envelope.id}-${project.id}`).checked)
    .map((project) => project.id);
}

/** Why this envelope's choice would be refused, in French, or `undefined` when the API will accept it. */
function envelopeProblem(envelope: BallotEnvelope, rules: Rules): string | undefined {
  const choice = chosen(envelope, rules);
  if (rules.kind === 'cumulative') {
    const values = Object.values(choice as Record<string, number>);
    if (values.some((p) => !Number.isInteger(p) || p > rules.maxPerProject))
      return `Donnez à chaque projet un nombre entier de 0 à ${rules.maxPerProject} points.`;
    const total = values.reduce((sum, p) => sum + p, 0);
    if (total > rules.points)
      return `Vous avez ${rules.points} points à répartir : vous en avez donné ${total}. Retirez-en ${total - rules.points}.`;
    return undefined;
  }
  const ids = choice as string[];
  if (ids.length === 0) return undefined;
  if (rules.kind === 'approval') {
    if (ids.length < rules.minChoices)
      return `Choisissez au moins ${rules.minChoices} projets ici (${ids.length} pour l’instant), ou aucun pour vous abstenir dans cette enveloppe.`;
    if (ids.length > rules.maxChoices) return `Choisissez au plus ${rules.maxChoices} projets ici.`;
    return undefined;
  }
  const total = costOf(envelope, ids);
  return total > envelope.amount
    ? `Vos projets coûtent ${formatEuros(total)}, plus que le budget de l’enveloppe (${formatEuros(envelope.amount)}).`
    : undefined;
}

function costOf(envelope: BallotEnvelope, ids: string[]): number {
  const set = new Set(ids);
  return envelope.projects.filter((p) => set.has(p.id)).reduce((sum, p) => sum + p.cost, 0);
}

/**
 * The live count (approval, cumulative) or budget bar (knapsack) of an envelope, and the rules enforced as
 * people tick: past the maximum, or beyond the budget, the other projects cannot be ticked.
 */
function updateCount(envelope: BallotEnvelope, rules: Rules): void {
  if (envelope.projects.length === 0) return;
  const choice = chosen(envelope, rules);
  const counter = byId(`count-${envelope.id}`);
  // The vote never opens on such a list; an envelope without project still says so plainly.
  if (envelope.projects.length === 0) {
    fill(counter, 'Aucun projet dans cette enveloppe.');
    return;
  }
  if (rules.kind === 'approval') {
    const n = (choice as string[]).length;
    fill(
      counter,
      n === 0
        ? `Aucun projet choisi : choisissez-en de ${rules.minChoices} à ${rules.maxChoices}, ou laissez cette enveloppe vide pour vous abstenir.`
        : n >= rules.maxChoices
          ? `${plural(n, 'projet choisi', 'projets choisis')} : c’est le maximum.`
          : `${plural(n, 'projet choisi', 'projets choisis')} (de ${rules.minChoices} à ${rules.maxChoices}).`,
    );
    counter.classList.toggle('count-over', n > rules.maxChoices);
    for (const project of envelope.projects) {
      const box = byId<HTMLInputElement>(`p-${envelope.id}-${project.id}`);
      box.disabled = !box.checked && n >= rules.maxChoices;
    }
  } else if (rules.kind === 'knapsack') {
    const ids = choice as string[];
    const total = costOf(envelope, ids);
    const left = envelope.amount - total;
    const bar = byId<HTMLProgressElement>(`budget-${envelope.id}`);
    bar.value = Math.min(total, envelope.amount);
    fill(
      counter,
      ids.length === 0
        ? `Aucun projet choisi. Budget de l’enveloppe : ${formatEuros(envelope.amount)}.`
        : `${formatEuros(total)} choisis sur ${formatEuros(envelope.amount)} (reste ${formatEuros(Math.max(0, left))}).`,
    );
    counter.classList.toggle('count-over', total > envelope.amount);
    for (const project of envelope.projects) {
      const box = byId<HTMLInputElement>(`p-${envelope.id}-${project.id}`);
      box.disabled = !box.checked && project.cost > left;
    }
  } else {
    const total = Object.values(choice as Record<string, number>).reduce((sum, p) => sum + p, 0);
    fill(
      counter,
      total === 0
        ? `Aucun point donné : vous avez ${rules.points} points à répartir, ou laissez cette enveloppe vide.`
        : `${plural(total, 'point donné', 'points donnés')} sur ${rules.points}.`,
    );
    counter.classList.toggle('count-over', total > rules.points);
  }
  const problem = byId(`problem-${envelope.id}`);
  const text = envelopeProblem(envelope, rules);
  // Only shown once it cannot be fixed by ticking more (too many, over budget): "too few" waits for "Vérifier".
  if (!text) fill(problem);
  else if (problem.textContent || rules.kind !== 'approval' || (choice as string[]).length > rules.maxChoices)
    fill(problem, text);
}

function projectCard(envelope: BallotEnvelope, project: BallotProject, rules: Rules): HTMLElement {
  const id = `p-${envelope.id}-${project.id}`;
  const described = `${id}-details`;
  const control =
    rules.kind === 'cumulative'
      ? h('input', {
          type: 'number',
          id,
          min: 0,
          max: rules.maxPerProject,
          value: 0,
          inputmode: 'numeric',
          'aria-describedby': described,
        })
      : h('input', { type: 'checkbox', id, value: project.id, 'aria-describedby': described });
  return h(
    'li',
    { class: 'project-card' },
    h(
      'div',
      { class: rules.kind === 'cumulative' ? 'field' : 'field-check' },
      control,
      h('label', { for: id }, project.title),
    ),
    h(
      'div',
      { id: described },
      h('p', { class: 'project-cost' }, `Coût : ${formatEuros(project.cost)}`),
      h('p', { class: 'project-summary' }, project.summary),
    ),
  );
}

function renderBallot(ballot: Ballot): void {
  fill(byId('ballot-rules'), rulesText(ballot.rules));
  fill(
    byId('envelopes'),
    ...ballot.envelopes.map((envelope) => {
      const legend = h(
        'legend',
        {},
        `${envelope.kind === 'departement' ? 'Enveloppe départementale' : 'Enveloppe de votre territoire'} : ${envelope.name} (${formatEuros(envelope.amount)})`,
      );
      if (envelope.projects.length === 0) {
        return h(
          'fieldset',
          { class: 'fieldset envelope', id: `envelope-${envelope.id}` },
          legend,
          h('p', {}, 'Aucun projet n’est soumis au vote dans cette enveloppe : rien à choisir ici.'),
        );
      }
      return h(
        'fieldset',
        {
          class: 'fieldset envelope',
          id: `envelope-${envelope.id}`,
          'aria-describedby': `count-${envelope.id} problem-${envelope.id}`,
        },
        legend,
        ballot.rules.kind === 'knapsack'
          ? h('progress', {
              id: `budget-${envelope.id}`,
              max: envelope.amount,
              value: 0,
              'aria-label': `Budget utilisé dans ${envelope.name}`,
            })
          : null,
        h('p', { id: `count-${envelope.id}`, class: 'count', 'aria-live': 'polite' }),
        h('p', { id: `problem-${envelope.id}`, class: 'field-error', 'aria-live': 'polite' }),
        h(
          'ul',
          { class: 'project-list' },
          ...envelope.projects.map((p) => projectCard(envelope, p, ballot.rules)),
        ),
      );
    }),
  );
  for (const envelope of ballot.envelopes) {
    byId(`envelope-${envelope.id}`).addEventListener('input', () => updateCount(envelope, ballot.rules));
    updateCount(envelope, ballot.rules);
  }
}

function summary(ballot: Ballot, choices: Choices): HTMLElement {
  return h(
    'dl',
    { class: 'data-list' },
    ...ballot.envelopes.flatMap((envelope) => {
      const choice = choices[envelope.id];
      const titles = (ids: string[]) =>
        ids.map((id) => envelope.projects.find((p) => p.id === id)?.title ?? id);
      const items = !choice
        ? ['Aucun projet (abstention)']
        : Array.isArray(choice)
          ? titles(choice)
          : Object.entries(choice).map(([id, points]) => `${titles([id])[0]} : ${plural(points, 'point')}`);
      return [
        h('dt', {}, envelope.name),
        h('dd', {}, h('ul', {}, ...items.map((item) => h('li', {}, item)))),
      ];
    }),
  );
}

function showReceipt(answer: CastAnswer): void {
  byId('ballot').hidden = true;
  byId('confirm').hidden = true;
  fill(byId('vote-status'));
  fill(byId('receipt-code'), answer.receipt);
  fill(byId('receipt-email'), RECEIPT_EMAIL_TEXT[answer.receiptEmail] ?? '');
  fill(byId('receipt-notice'), answer.notice);
  byId('receipt').hidden = false;
  byId('receipt-heading').focus();
  byId('receipt-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(answer.receipt);
      fill(byId('receipt-copied'), 'Code copié.');
    } catch {
      fill(byId('receipt-copied'), 'Copie impossible : notez le code à la main ou imprimez la page.');
    }
  });
  byId('receipt-print').addEventListener('click', () => window.print());
}

/** Says where the voter stands instead of the ballot, when the ballot cannot be filled now. */
function showState(state: VoterState): void {
  byId('ballot').hidden = true;
  byId('confirm').hidden = true;
  fill(byId('vote-status'));
  const when = (iso: string) => (Number.isNaN(Date.parse(iso)) ? undefined : formatDateTime(iso, TIME_ZONE));
  const opens = when(state.opensAt);
  const closes = when(state.closesAt);
  const content: Record<Exclude<VoterState['status'], 'open'>, (HTMLElement | null)[]> = {
    voted: [
      h('h2', { tabindex: '-1' }, 'Vous avez déjà voté'),
      h(
        'p',
        {},
        'Votre bulletin est enregistré (en ligne ou sur papier). Un vote ne peut pas être modifié après confirmation.',
      ),
      h(
        'p',
        {},
        'Avec le code de reçu reçu au moment du vote, vous pouvez vérifier que votre bulletin est bien dans l’urne : ',
        h('a', { href: 'recu.html' }, 'vérifier mon reçu'),
        '.',
      ),
    ],
    'not-open': [
      h('h2', { tabindex: '-1' }, 'Le vote n’est pas encore ouvert'),
      h('p', {}, opens ? `Il ouvrira le ${opens}.` : 'Il ouvrira selon le calendrier de l’édition.'),
      h('p', {}, h('a', { href: './' }, 'Voir le calendrier de l’édition')),
    ],
    paused: [
      h('h2', { tabindex: '-1' }, 'Le vote est suspendu'),
      h(
        'p',
        {},
        'L’équipe du budget participatif a momentanément suspendu le vote. Revenez plus tard : rien n’a été enregistré pour vous.',
      ),
      closes ? h('p', {}, `La fin du vote est prévue le ${closes}.`) : null,
    ],
    closed: [
      h('h2', { tabindex: '-1' }, 'Le vote est clos'),
      closes ? h('p', {}, `Le vote s’est terminé le ${closes}.`) : null,
      h('p', {}, h('a', { href: 'resultats.html' }, 'Voir les résultats')),
    ],
  };
  if (state.status === 'open') return;
  const box = byId('vote-state');
  fill(box, ...content[state.status]);
  box.hidden = false;
  box.querySelector<HTMLElement>('h2')?.focus();
}

/** A refusal that says where the vote stands (not open, closed), shown as information, not as an error. */
function showRefusalAsState(problem: { title: string; detail?: string }): void {
  fill(byId('vote-status'));
  const box = byId('vote-state');
  fill(box, h('h2', { tabindex: '-1' }, problem.title), problem.detail ? h('p', {}, problem.detail) : null);
  box.hidden = false;
}

function signedOut(message?: string): void {
  fill(byId('vote-status'), message ? h('p', { class: 'notice notice-info' }, message) : null);
  byId('vote-signed-out').hidden = false;
}

async function main(): Promise<void> {
  const citizen = currentCitizen();
  if (!citizen) return signedOut();
  let config: SiteConfig;
  let ballot: Ballot;
  const base = (c: SiteConfig) => `/editions/${encodeURIComponent(c.edition)}`;
  try {
    config = await loadConfig();
    ballot = await apiRequest<Ballot>(config, `${base(config)}/ballot`, { token: citizen.token });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOutCitizen();
      return signedOut('Votre session a expiré. Vérifiez à nouveau votre identité pour voter.');
    }
    if (error instanceof ApiError && ['vote_not_open', 'vote_closed'].includes(error.problem.code ?? ''))
      return showRefusalAsState(error.problem);
    fill(byId('vote-status'));
    fill(byId('vote-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    return;
  }
  fill(byId('vote-status'));
  if (ballot.state && ballot.state.status !== 'open') return showState(ballot.state);
  renderBallot(ballot);
  byId('ballot').hidden = false;

  let choices: Choices = {};
  byId('ballot').addEventListener('submit', (event) => {
    event.preventDefault();
    fill(byId('vote-error'));
    choices = {};
    const invalid = ballot.envelopes.filter((envelope) => {
      const text = envelopeProblem(envelope, ballot.rules);
      if (text) fill(byId(`problem-${envelope.id}`), text);
      return text !== undefined;
    });
    const firstInvalid = invalid[0];
    if (firstInvalid) {
      fill(
        byId('vote-error'),
        h(
          'div',
          { class: 'notice notice-error' },
          h(
            'p',
            {},
            invalid.length > 1
              ? 'Vos choix ne respectent pas le règlement dans plusieurs enveloppes : voir les messages sous chacune.'
              : `Vos choix ne respectent pas le règlement dans « ${firstInvalid.name} » : voir le message sous l’enveloppe.`,
          ),
        ),
      );
      byId(`envelope-${firstInvalid.id}`).querySelector<HTMLElement>('input:not([disabled])')?.focus();
      return;
    }
    for (const envelope of ballot.envelopes) {
      const choice = chosen(envelope, ballot.rules);
      if (Array.isArray(choice) ? choice.length > 0 : Object.keys(choice).length > 0)
        choices[envelope.id] = choice;
    }
    if (Object.keys(choices).length === 0) {
      fill(
        byId('vote-error'),
        h(
          'div',
          { class: 'notice notice-error' },
          h('p', {}, 'Choisissez des projets dans au moins une enveloppe.'),
        ),
      );
      return;
    }
    fill(byId('confirm-summary'), summary(ballot, choices));
    byId('ballot').hidden = true;
    byId('confirm').hidden = false;
    byId('confirm-heading').focus();
  });
  byId('confirm-back').addEventListener('click', () => {
    byId('confirm').hidden = true;
    byId('ballot').hidden = false;
    byId<HTMLButtonElement>('ballot').querySelector<HTMLElement>('input')?.focus();
  });
  byId('confirm-yes').addEventListener('click', async () => {
    const yes = byId<HTMLButtonElement>('confirm-yes');
    yes.disabled = true;
    fill(byId('vote-error'));
    fill(byId('vote-status'), h('p', { class: 'loading' }, 'Enregistrement de votre vote…'));
    try {
      const answer = await apiRequest<CastAnswer>(config, `${base(config)}/ballots`, {
        method: 'POST',
        token: citizen.token,
        body: { choices, emailReceipt: byId<HTMLInputElement>('confirm-email-receipt').checked },
        headers: { 'Idempotency-Key': idempotencyKey() },
      });
      sessionStorage.removeItem(KEY_STORAGE);
      showReceipt(answer);
    } catch (error) {
      fill(byId('vote-status'));
      const problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      // A refusal (already voted, closed, rules): this key is spent, the next attempt is a new ballot.
      if (problem.status >= 400 && problem.status < 500) sessionStorage.removeItem(KEY_STORAGE);
      const states: Record<string, VoterState['status']> = {
        already_voted: 'voted',
        vote_paused: 'paused',
      };
      const status = states[problem.code ?? ''];
      if (status)
        return showState({
          status,
          opensAt: ballot.state?.opensAt ?? '',
          closesAt: ballot.state?.closesAt ?? '',
        });
      if (['vote_not_open', 'vote_closed'].includes(problem.code ?? '')) {
        byId('confirm').hidden = true;
        return showRefusalAsState(problem);
      }
      fill(byId('vote-error'), problemNotice(problem));
      byId('confirm-heading').focus();
    } finally {
      yes.disabled = false;
    }
  });
}

void main();
