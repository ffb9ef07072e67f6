import { ApiError, apiRequest, type Problem } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, formatDay, plural } from './lib/format.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';
import { PHASE_LABELS, PHASES, ROLE_LABELS, STAFF_READ_ACCESS } from './lib/shared-data.ts';
import type { EditionView, Phase, PhaseActor, StaffPhaseView, StaffRole } from './lib/types.ts';

const SIGN_IN = 'index.html';

/** Roles allowed to force a phase; the API checks it again. */
const CAN_CHANGE_PHASE = new Set(['admin']);
/** The API's minimum for a reason (ChangePhaseBody). */
const REASON_MIN = 5;

interface Context {
  config: SiteConfig;
  session: StaffSession;
  timeZone: string;
}

function phaseLabel(phase: Phase): string {
  return PHASE_LABELS[phase] ?? phase;
}

function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}

function actorLabel(actor: PhaseActor): string {
  return actor.kind === 'schedule' ? 'le calendrier (automatique)' : roleLabel(actor.role);
}

function problemNotice(problem: Problem): HTMLElement {
  return h(
    'div',
    { class: 'notice notice-error' },
    h('p', {}, h('strong', {}, problem.title)),
    problem.detail ? h('p', {}, problem.detail) : null,
  );
}

/** A 401 means the token expired or was refused: back to the sign-in page. */
function expireSession(): void {
  signOut();
  location.replace(`${SIGN_IN}?session-expiree`);
}

function renderPhase(context: Context, view: StaffPhaseView): void {
  fill(byId('bo-phase-label'), view.label);
  // A phase never changed yet reports the epoch as its start.
  fill(
    byId('bo-phase-since'),
    Date.parse(view.since) > 0
      ? h(
          'span',
          {},
          'Depuis le ',
          h('time', { datetime: view.since }, formatDateTime(view.since, context.timeZone)),
          '.',
        )
      : null,
  );
  fill(
    byId('bo-phase-calendar'),
    view.calendarPhase === view.current
      ? 'Conforme au calendrier de l’édition.'
      : `Phase forcée\u00a0: le calendrier prévoit «\u00a0${phaseLabel(view.calendarPhase)}\u00a0».`,
  );
  const history = [...view.history].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  fill(
    byId('bo-history'),
    ...(history.length
      ? history.map((entry) =>
          h(
            'li',
            {},
            h('p', {}, h('time', { datetime: entry.at }, formatDateTime(entry.at, context.timeZone))),
            h('p', { class: 'change' }, `${phaseLabel(entry.from)} → ${phaseLabel(entry.to)}`),
            entry.reason ? h('p', {}, `Motif\u00a0: ${entry.reason}`) : null,
            h('p', {}, `Par\u00a0: ${actorLabel(entry.actor)}`),
          ),
        )
      : [h('li', {}, 'Aucun changement de phase pour le moment.')]),
  );
  byId('phase-section').hidden = false;
  // Only an admin has the phase-change form (removed from the page for the other roles).
  if (document.getElementById('phase-to')) fillPhaseOptions(view.current);
}

function fillPhaseOptions(current: Phase): void {
  const select = byId<HTMLSelectElement>('phase-to');
  const next = PHASES[PHASES.indexOf(current) + 1];
  fill(
    select,
    ...PHASES.map((phase) =>
      h(
        'option',
        { value: phase, disabled: phase === current, selected: phase === next },
        phase === current ? `${phaseLabel(phase)} (phase en cours)` : phaseLabel(phase),
      ),
    ),
  );
}

function setupPhaseChange(context: Context): void {
  const section = byId('phase-change');
  section.hidden = false;
  const form = byId<HTMLFormElement>('phase-change-form');
  const fields = {
    to: byId<HTMLSelectElement>('phase-to'),
    reason: byId<HTMLTextAreaElement>('phase-reason'),
  };
  const result = byId('phase-change-result');
  const alert = byId('phase-change-error');
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;

  const clearErrors = () => {
    fill(alert);
    for (const field of Object.values(fields)) {
      field.removeAttribute('aria-invalid');
      fill(byId(`${field.id}-error`));
    }
  };
  const showFieldErrors = (errors: { field: string; message: string }[]): boolean => {
    let first: HTMLElement | undefined;
    for (const { field, message } of errors) {
      // The API names body fields `body.reason`; local checks use the bare name.
      const input = fields[field.replace(/^body\./, '') as keyof typeof fields];
      if (!input) continue;
      input.setAttribute('aria-invalid', 'true');
      fill(byId(`${input.id}-error`), message);
      first ??= input;
    }
    first?.focus();
    return first !== undefined;
  };

  const confirm = byId('phase-confirm');
  const confirmText = byId('phase-confirm-text');
  let pending: { to: string; reason: string } | undefined;

  const send = async ({ to, reason }: { to: string; reason: string }) => {
    submit.disabled = true;
    fill(result, h('p', { class: 'loading' }, 'Changement de phase en cours…'));
    try {
      const view = await apiRequest<StaffPhaseView>(context.config, phasePath(context.config), {
        method: 'POST',
        body: { to, reason },
        token: context.session.idToken,
      });
      renderPhase(context, view);
      fields.reason.value = '';
      fill(
        result,
        h(
          'p',
          { class: 'notice notice-success' },
          `Phase modifiée\u00a0: «\u00a0${view.label}\u00a0» est désormais la phase en cours. La coordination en est informée par courriel.`,
        ),
      );
    } catch (error) {
      fill(result);
      if (error instanceof ApiError && error.status === 401) return expireSession();
      const problem = error instanceof ApiError ? error.problem : unexpected();
      fill(alert, problemNotice(problem));
      showFieldErrors(problem.errors ?? []);
    } finally {
      submit.disabled = false;
    }
  };

  byId('phase-confirm-no').addEventListener('click', () => {
    confirm.hidden = true;
    pending = undefined;
    submit.focus();
  });
  byId('phase-confirm-yes').addEventListener('click', async () => {
    confirm.hidden = true;
    const request = pending;
    pending = undefined;
    if (request) await send(request);
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    fill(result);
    confirm.hidden = true;
    const to = fields.to.value;
    const reason = fields.reason.value.trim();
    const local: { field: string; message: string }[] = [];
    if (!to) local.push({ field: 'to', message: 'Choisissez la nouvelle phase.' });
    if (reason.length < REASON_MIN)
      local.push({
        field: 'reason',
        message: 'Indiquez le motif du changement de phase (5 caractères au moins).',
      });
    if (showFieldErrors(local)) return;
    // The change is immediate (a vote closes, a count starts): the admin confirms what will happen.
    pending = { to, reason };
    const from = byId('bo-phase-label').textContent ?? '';
    fill(
      confirmText,
      h(
        'strong',
        {},
        `Confirmez-vous le passage de la phase «\u00a0${from}\u00a0» à la phase «\u00a0${phaseLabel(to as Phase)}\u00a0»\u00a0? Le changement est immédiat.`,
      ),
    );
    confirm.hidden = false;
    confirmText.focus();
  });
}

function unexpected(): Problem {
  return {
    title: 'Une erreur inattendue est survenue',
    detail: 'Réessayez dans quelques instants.',
    status: 0,
  };
}

function phasePath(config: SiteConfig): string {
  return `/editions/${encodeURIComponent(config.edition)}/staff/phase`;
}

/** `/editions/{edition}/staff/…` (the manifest's path) → the path to call for this edition. */
function staffPath(config: SiteConfig, route: string): string {
  return route.replace('{edition}', encodeURIComponent(config.edition));
}

/** Whether one of the session's roles may call this staff read route (the manifest decides). */
function mayRead(session: StaffSession, route: string): boolean {
  const allowed = (STAFF_READ_ACCESS as Record<string, readonly string[]>)[route] ?? [];
  return session.roles.some((role) => allowed.includes(role));
}

const PHASE_ROUTE = '/editions/{edition}/staff/phase';

/** One line of « À faire maintenant »: what the count says, and where to act on it. */
interface TaskLine {
  text: string;
  link?: { href: string; label: string };
}

/** A task of the home: the roles it is a task for, the read route that counts it, and its line. */
interface Task {
  id: string;
  heading: string;
  roles: StaffRole[];
  route: string;
  query?: string;
  /** A 404 that means « nothing yet » rather than a failure. */
  notFound?: TaskLine;
  line: (body: never, context: Context) => TaskLine;
}

interface DossierList {
  items: {
    status: string;
    overdue: boolean;
    assignments: { status: string; overdue: boolean }[];
  }[];
}

const TASKS: Task[] = [
  {
    id: 'moderation',
    heading: 'Modération des idées',
    roles: ['moderator'],
    route: '/editions/{edition}/staff/moderation',
    query: 'status=submitted',
    line: (body: { total: number }) => ({
      text:
        body.total === 0
          ? 'Aucune idée n’attend de modération.'
          : `${plural(body.total, 'idée déposée attend', 'idées déposées attendent')} votre modération.`,
      link: { href: 'moderation.html', label: 'Modérer les idées' },
    }),
  },
  {
    id: 'instructor-dossiers',
    heading: 'Instruction : dossiers de votre service',
    roles: ['instructor'],
    route: '/editions/{edition}/staff/instruction/dossiers',
    line: (body: DossierList) => {
      const assignments = body.items.flatMap((item) => item.assignments);
      const toAccept = assignments.filter((a) => a.status === 'assigned').length;
      const toDecide = assignments.filter((a) => a.status === 'accepted').length;
      const late = assignments.filter((a) => a.overdue).length;
      return {
        text:
          toAccept + toDecide === 0
            ? 'Aucun dossier n’attend votre service.'
            : `${plural(toAccept, 'dossier à prendre en charge', 'dossiers à prendre en charge')}, ${plural(toDecide, 'avis à rendre', 'avis à rendre')}${late ? `, dont ${plural(late, 'en retard', 'en retard')}` : ''}.`,
        link: { href: 'instruction.html', label: 'Ouvrir les dossiers' },
      };
    },
  },
  {
    id: 'coordinator-dossiers',
    heading: 'Instruction : affectations et verdicts',
    roles: ['coordinator'],
    route: '/editions/{edition}/staff/instruction/dossiers',
    line: (body: DossierList) => {
      const toAssign = body.items.filter((item) => item.status === 'to-assign').length;
      const toJudge = body.items.filter((item) => item.status === 'opinions-complete').length;
      const late = body.items.filter((item) => item.overdue).length;
      return {
        text: `${plural(toAssign, 'idée à affecter', 'idées à affecter')} à un service, ${plural(toJudge, 'verdict à prononcer', 'verdicts à prononcer')}, ${plural(late, 'dossier en retard', 'dossiers en retard')}.`,
        link: { href: 'instruction.html', label: 'Ouvrir l’instruction' },
      };
    },
  },
  {
    id: 'identity-reviews',
    heading: 'Vérifications d’identité',
    roles: ['coordinator'],
    route: '/editions/{edition}/staff/identity/reviews',
    line: (body: { reviews: unknown[] }) => ({
      text:
        body.reviews.length === 0
          ? 'Aucun doublon possible à examiner.'
          : `${plural(body.reviews.length, 'doublon possible à examiner', 'doublons possibles à examiner')}.`,
      link: { href: 'identite.html', label: 'Examiner les identités' },
    }),
  },
  {
    id: 'paper-ballots',
    heading: 'Bulletins papier',
    roles: ['coordinator'],
    route: '/editions/{edition}/staff/paper-ballots',
    query: 'status=flagged',
    line: (body: { sheets: unknown[] }) => ({
      text:
        body.sheets.length === 0
          ? 'Aucune feuille signalée à résoudre. Les feuilles reçues se saisissent pendant le vote.'
          : `${plural(body.sheets.length, 'feuille signalée à résoudre', 'feuilles signalées à résoudre')}.`,
      link: { href: 'bulletins-papier.html', label: 'Saisir ou résoudre les bulletins papier' },
    }),
  },
  {
    id: 'ballot-list',
    heading: 'Liste des projets soumis au vote',
    roles: ['committee'],
    route: '/editions/{edition}/staff/instruction/ballot-list',
    line: (body: { state: string; projects: unknown[]; validation?: { at: string } }, context) => ({
      text:
        body.state === 'validated'
          ? `Liste validée${body.validation ? ` le ${formatDay(body.validation.at, context.timeZone)}` : ''} (${plural(body.projects.length, 'projet')}). Rien à faire.`
          : body.projects.length === 0
            ? 'La liste est vide pour l’instant : aucun projet n’est encore retenu.'
            : `Liste à valider : ${plural(body.projects.length, 'projet retenu', 'projets retenus')}.`,
      link: { href: 'comite.html', label: 'Ouvrir la liste des projets' },
    }),
  },
  {
    id: 'results',
    heading: 'Résultats du vote',
    roles: ['admin', 'elected'],
    route: '/editions/{edition}/staff/results',
    notFound: { text: 'Aucun résultat calculé pour l’instant : le dépouillement suit la clôture du vote.' },
    line: (body: { published: boolean; computedAt: string; publishedAt?: string }, context) => ({
      text: body.published
        ? `Résultats publiés le ${formatDay(body.publishedAt ?? body.computedAt, context.timeZone)}.`
        : context.session.roles.includes('admin')
          ? `Résultats calculés le ${formatDay(body.computedAt, context.timeZone)}, à vérifier puis publier.`
          : `Résultats calculés le ${formatDay(body.computedAt, context.timeZone)}, en attente de publication.`,
      link: body.published ? { href: '../resultats.html', label: 'Voir les résultats publiés' } : undefined,
    }),
  },
];

/** The tasks of the signed-in roles, each counted through a route those roles may read. */
function myTasks(session: StaffSession): Task[] {
  return TASKS.filter(
    (task) => task.roles.some((role) => session.roles.includes(role)) && mayRead(session, task.route),
  );
}

async function renderTask(context: Context, task: Task, item: HTMLElement): Promise<void> {
  const body = h('p', { class: 'loading' }, 'Chargement…');
  fill(item, h('h3', {}, task.heading), body);
  let line: TaskLine;
  try {
    const answer = await apiRequest<never>(
      context.config,
      `${staffPath(context.config, task.route)}${task.query ? `?${task.query}` : ''}`,
      { token: context.session.idToken },
    );
    line = task.line(answer, context);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return expireSession();
    if (error instanceof ApiError && error.status === 404 && task.notFound) line = task.notFound;
    else line = { text: 'Ce décompte n’a pas pu être chargé. Réessayez dans quelques instants.' };
  }
  body.className = '';
  fill(body, line.text);
  if (line.link) item.append(h('p', {}, h('a', { href: line.link.href }, line.link.label)));
}

function renderTasks(context: Context): Promise<void>[] {
  const tasks = myTasks(context.session);
  const list = byId('bo-tasks');
  if (tasks.length === 0) {
    fill(
      list,
      h(
        'li',
        {},
        context.session.roles.includes('ops')
          ? 'Aucun traitement ne vous revient : suivez la phase de l’édition et son calendrier ci-dessous.'
          : 'Aucune tâche ne correspond à vos rôles.',
      ),
    );
    return [];
  }
  const items = tasks.map((task) => h('li', { class: 'card', id: `task-${task.id}` }));
  fill(list, ...items);
  return tasks.map((task, index) => renderTask(context, task, items[index] as HTMLElement));
}

/** Staff pages of the menu → the read route each opens on: a role that may not read it does not see the link. */
const PAGE_ROUTES: Record<string, string> = {
  'moderation.html': '/editions/{edition}/staff/moderation',
  'instruction.html': '/editions/{edition}/staff/instruction/dossiers',
  'comite.html': '/editions/{edition}/staff/instruction/ballot-list',
  'identite.html': '/editions/{edition}/staff/identity/reviews',
  'bulletins-papier.html': '/editions/{edition}/staff/paper-ballots',
  'journal-courriels.html': '/editions/{edition}/staff/email-log',
};

/** Keeps in the menu only the pages the signed-in roles may open. */
function trimMenu(session: StaffSession): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('.site-header nav a')) {
    const route = PAGE_ROUTES[link.getAttribute('href') ?? ''];
    if (route && !mayRead(session, route)) link.closest('li')?.remove();
    // The vote window has no read route: only the admin acts on it.
    if (link.getAttribute('href') === 'fenetre-vote.html' && !session.roles.includes('admin'))
      link.closest('li')?.remove();
  }
}

/** Roles without the staff phase route see the public phase (no history, which only the staff route gives). */
function renderPublicPhase(context: Context, edition: EditionView): void {
  renderPhase(context, { ...edition.phase, history: [] });
  byId('bo-history-block').remove();
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN);
    return;
  }
  fill(byId('who-email'), session.email);
  fill(
    byId('who-roles'),
    ...(session.roles.length
      ? session.roles.map((role) => h('li', {}, roleLabel(role)))
      : [h('li', {}, 'Aucun rôle attribué\u00a0: contactez l’équipe d’exploitation.')]),
  );
  byId('sign-out').addEventListener('click', () => {
    signOut();
    location.assign(`${SIGN_IN}?deconnexion`);
  });

  trimMenu(session);
  const canChangePhase = session.roles.some((role) => CAN_CHANGE_PHASE.has(role));
  if (!canChangePhase) byId('phase-change').remove();

  const status = byId('bo-status');
  try {
    const config = await loadConfig();
    const context: Context = { config, session, timeZone: 'Europe/Paris' };
    const canReadPhase = mayRead(session, PHASE_ROUTE);
    const [edition, phase] = await Promise.allSettled([
      apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`),
      canReadPhase
        ? apiRequest<StaffPhaseView>(config, phasePath(config), { token: session.idToken })
        : Promise.resolve(undefined),
    ]);
    if (edition.status === 'fulfilled') {
      context.timeZone = edition.value.edition.timeZone;
      fill(byId('bo-edition'), edition.value.edition.name);
    }
    byId('tasks-section').hidden = false;
    const tasks = renderTasks(context);
    fill(status);
    if (phase.status === 'rejected') throw phase.reason;
    if (phase.value) renderPhase(context, phase.value);
    else if (edition.status === 'fulfilled') renderPublicPhase(context, edition.value);
    else throw edition.reason;
    if (canChangePhase) setupPhaseChange(context);
    await Promise.all(tasks);
  } catch (error) {
    fill(status);
    if (error instanceof ApiError && error.status === 401) return expireSession();
    const problem = error instanceof ApiError ? error.problem : unexpected();
    fill(byId('bo-error'), problemNotice(problem));
  }
}

void main();
