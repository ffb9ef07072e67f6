import { apiRequest } from './lib/api.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatEuros, plural } from './lib/format.ts';
import { problemNotice } from './lib/forms.ts';
import { envelopes, territoryName, themeName } from './lib/ideas.ts';
import {
  asProblem,
  type DossierList,
  type DossierSummary,
  dossierStatusLabel,
  focusOn,
  frenchDay,
  hasRole,
  type InstructionContext,
  instructionContext,
  overdueBadge,
  setFieldError,
  showApiFieldErrors,
  showFailure,
  statusBadge,
} from './lib/instruction-labels.ts';
import { ASSIGNMENT_STATUS_LABELS, DOSSIER_STATUSES } from './lib/shared-data.ts';

interface Filters {
  service: string;
  status: string;
  territory: string;
  theme: string;
}

interface PageState {
  context: InstructionContext;
  coordinator: boolean;
  /** Ideas ticked for a bulk assignment (kept across filter changes). */
  selected: Set<string>;
}

const FILTERS = ['service', 'status', 'territory', 'theme'] as const;

function option(value: string, label: string, selected: string): HTMLOptionElement {
  return h('option', { value, selected: value === selected }, label);
}

function filtersFromUrl(): Filters {
  const params = new URLSearchParams(location.search);
  return {
    service: params.get('service') ?? '',
    status: params.get('status') ?? '',
    territory: params.get('territory') ?? '',
    theme: params.get('theme') ?? '',
  };
}

function setupFilters(state: PageState, filters: Filters): void {
  const { edition } = state.context;
  const instructorOnly = !hasRole(state.context.session, 'coordinator', 'committee');
  byId('filter-service-field').hidden = instructorOnly;
  fill(
    byId('filter-service'),
    option('', 'Tous les services', filters.service),
    ...edition.services.map((service) => option(service.id, service.name, filters.service)),
  );
  fill(
    byId('filter-status'),
    option('', 'Tous les statuts', filters.status),
    ...DOSSIER_STATUSES.map((status) => option(status, dossierStatusLabel(status), filters.status)),
  );
  fill(
    byId('filter-territory'),
    option('', 'Tous les territoires', filters.territory),
    ...envelopes(edition).map((territory) => option(territory.id, territory.name, filters.territory)),
  );
  fill(
    byId('filter-theme'),
    option('', 'Tous les thèmes', filters.theme),
    ...edition.themes.map((theme) => option(theme.id, theme.name, filters.theme)),
  );
  byId<HTMLFormElement>('queue-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    const next: Filters = {
      service: instructorOnly ? '' : byId<HTMLSelectElement>('filter-service').value,
      status: byId<HTMLSelectElement>('filter-status').value,
      territory: byId<HTMLSelectElement>('filter-territory').value,
      theme: byId<HTMLSelectElement>('filter-theme').value,
    };
    const query = queryOf(next);
    history.replaceState(null, '', query ? `?${query}` : location.pathname);
    void loadQueue(state, next, true);
  });
}

function queryOf(filters: Filters): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
  return params.toString();
}

function dossierCard(state: PageState, dossier: DossierSummary): HTMLElement {
  const { edition } = state.context;
  const { idea } = dossier;
  const headingId = `d-${idea.id}-title`;
  const services = dossier.assignments.map(
    (assignment) =>
      `${assignment.serviceName} (${ASSIGNMENT_STATUS_LABELS[assignment.status] ?? assignment.statusLabel}, avis attendu le ${frenchDay(assignment.dueDate)})`,
  );
  return h(
    'li',
    { class: `idea-card dossier-card${dossier.overdue ? ' is-late' : ''}` },
    h(
      'article',
      { 'aria-labelledby': headingId },
      state.coordinator
        ? h(
            'div',
            { class: 'field-check select-idea' },
            h('input', {
              type: 'checkbox',
              id: `select-${idea.id}`,
              value: idea.id,
              checked: state.selected.has(idea.id),
              'data-select': 'idea',
            }),
            h('label', { for: `select-${idea.id}` }, `Sélectionner « ${idea.title} » pour l’affectation`),
          )
        : null,
      h(
        'h3',
        { id: headingId },
        h('a', { href: `dossier.html?id=${encodeURIComponent(idea.id)}` }, idea.title),
      ),
      h(
        'p',
        { class: 'badges' },
        statusBadge(dossier.status, dossier.statusLabel),
        dossier.overdue ? overdueBadge() : null,
      ),
      h(
        'dl',
        { class: 'data-list data-inline' },
        h('dt', {}, 'Territoire'),
        h('dd', {}, territoryName(edition, idea.territory)),
        h('dt', {}, 'Thème'),
        h('dd', {}, themeName(edition, idea.theme)),
        h('dt', {}, 'Coût estimé par l’auteur'),
        h('dd', {}, formatEuros(idea.estimatedCost)),
        h('dt', {}, 'Prochaine échéance'),
        h('dd', {}, dossier.nextDueDate ? frenchDay(dossier.nextDueDate) : 'Aucune'),
        h('dt', {}, 'Services'),
        h('dd', {}, services.length ? services.join(' ; ') : 'Aucun service affecté'),
      ),
    ),
  );
}

async function loadQueue(state: PageState, filters: Filters, announce = false): Promise<void> {
  const { context } = state;
  const status = byId('in-status');
  fill(status, h('p', { class: 'loading' }, 'Chargement des dossiers…'));
  fill(byId('in-error'));
  try {
    const query = queryOf(filters);
    const list = await apiRequest<DossierList>(
      context.config,
      `${context.base}/dossiers${query ? `?${query}` : ''}`,
      { token: context.session.idToken },
    );
    fill(status);
    const late = list.items.filter((item) => item.overdue).length;
    const count = byId('queue-count');
    fill(
      count,
      `${plural(list.total, 'dossier')}${late ? `, dont ${late} en retard (affiché${late > 1 ? 's' : ''} en premier)` : ''}. Situation au ${frenchDay(list.today)}.`,
    );
    fill(byId('queue'), ...list.items.map((item) => dossierCard(state, item)));
    if (announce) focusOn(count);
    updateSelectionCount(state);
  } catch (error) {
    fill(status);
    showFailure(byId('in-error'), error);
  }
}

/** The coordinator's board: every dossier, counted by status and by service. */
async function loadBoard(state: PageState): Promise<void> {
  const { context } = state;
  try {
    const all = await apiRequest<DossierList>(context.config, `${context.base}/dossiers`, {
      token: context.session.idToken,
    });
    const byStatus = new Map<string, number>();
    const byService = new Map<string, Record<string, number>>();
    for (const dossier of all.items) {
      byStatus.set(dossier.status, (byStatus.get(dossier.status) ?? 0) + 1);
      for (const assignment of dossier.assignments) {
        const counts = byService.get(assignment.serviceId) ?? {};
        counts[assignment.status] = (counts[assignment.status] ?? 0) + 1;
        if (assignment.overdue) counts.overdue = (counts.overdue ?? 0) + 1;
        byService.set(assignment.serviceId, counts);
      }
    }
    const late = all.items.filter((dossier) => dossier.overdue).length;
    fill(
      byId('board-summary'),
      `${plural(all.total, 'dossier')} au total, ${plural(late, 'dossier')} en retard. Situation au ${frenchDay(all.today)}.`,
    );
    fill(
      byId('board-status'),
      ...DOSSIER_STATUSES.map((status) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('a', { href: `?status=${status}` }, dossierStatusLabel(status))),
          h('td', { class: 'num' }, byStatus.get(status) ?? 0),
        ),
      ),
    );
    fill(
      byId('board-service'),
      ...context.edition.services.map((service) => {
        const counts = byService.get(service.id) ?? {};
        return h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('a', { href: `?service=${service.id}` }, service.name)),
          h('td', { class: 'num' }, counts.assigned ?? 0),
          h('td', { class: 'num' }, counts.accepted ?? 0),
          h('td', { class: 'num' }, counts['reassignment-requested'] ?? 0),
          h('td', { class: 'num' }, counts.decided ?? 0),
          h('td', { class: 'num' }, counts.overdue ?? 0),
        );
      }),
    );
    byId('board').hidden = false;
  } catch (error) {
    showFailure(byId('in-error'), error);
  }
}

function updateSelectionCount(state: PageState): void {
  if (!state.coordinator) return;
  fill(
    byId('assign-selection-count'),
    state.selected.size
      ? `${plural(state.selected.size, 'idée cochée', 'idées cochées')}.`
      : 'Aucune idée cochée pour le moment.',
  );
}

/** Tomorrow plus three weeks, as `YYYY-MM-DD` in the browser's (Paris) calendar. */
function defaultDueDate(): string {
  const date = new Date(Date.now() + 21 * 86_400_000);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `POST .../assignments` → `{ assignments, created, unchanged }` (idempotent per idea × service). */
interface AssignAnswer {
  assignments?: { created?: boolean }[];
  created?: number;
  unchanged?: number;
}

function countCreated(answer: AssignAnswer): { created: number; existing: number } {
  const items = answer.assignments ?? [];
  const created = answer.created ?? items.filter((item) => item.created !== false).length;
  return { created, existing: answer.unchanged ?? items.length - created };
}

function setupAssignment(state: PageState, reload: () => Promise<void>): void {
  const { context } = state;
  const { edition } = context;
  byId('assign').hidden = false;
  const theme = byId<HTMLSelectElement>('assign-theme');
  const territory = byId<HTMLSelectElement>('assign-territory');
  fill(theme, option('', 'Tous les thèmes', ''), ...edition.themes.map((t) => option(t.id, t.name, '')));
  fill(
    territory,
    option('', 'Tous les territoires', ''),
    ...envelopes(edition).map((t) => option(t.id, t.name, '')),
  );
  fill(
    byId('assign-services-list'),
    ...edition.services.map((service) =>
      h(
        'div',
        { class: 'field-check' },
        h('input', { type: 'checkbox', id: `service-${service.id}`, value: service.id, name: 'service' }),
        h('label', { for: `service-${service.id}` }, service.name),
      ),
    ),
  );
  const due = byId<HTMLInputElement>('assign-due');
  due.value = defaultDueDate();
  const form = byId<HTMLFormElement>('assign-form');
  const group = byId('assign-group');
  const servicesBox = byId('assign-services');
  const by = () =>
    (form.querySelector('input[name="assign-by"]:checked') as HTMLInputElement | null)?.value ?? 'selection';
  form.addEventListener('change', () => {
    group.hidden = by() !== 'group';
  });
  byId('queue').addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement;
    if (target.dataset.select !== 'idea') return;
    if (target.checked) state.selected.add(target.value);
    else state.selected.delete(target.value);
    updateSelectionCount(state);
  });
  const result = byId('assign-result');
  const alert = byId('assign-error');
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(result);
    fill(alert);
    for (const control of [theme, territory, due]) setFieldError(control, undefined);
    fill(byId('assign-services-error'));
    const services = [...form.querySelectorAll<HTMLInputElement>('input[name="service"]:checked')].map(
      (input) => input.value,
    );
    const problems: [HTMLElement, string][] = [];
    const bulk = by() === 'group';
    if (!bulk && state.selected.size === 0)
      problems.push([
        byId('assign-by-selection'),
        'Cochez au moins une idée dans la liste, ou choisissez un thème ou un territoire.',
      ]);
    if (bulk && !theme.value && !territory.value)
      problems.push([theme, 'Choisissez un thème, un territoire, ou les deux.']);
    if (services.length === 0) problems.push([servicesBox, 'Choisissez au moins un service.']);
    if (!due.value) problems.push([due, 'Indiquez la date à laquelle l’avis est attendu.']);
    if (problems.length > 0) {
      for (const [control, message] of problems) {
        if (control === servicesBox) fill(byId('assign-services-error'), message);
        else if (control.id === 'assign-by-selection')
          fill(alert, problemNotice({ title: message, status: 400 }));
        else setFieldError(control, message);
      }
      const [first] = problems[0] ?? [];
      if (first === servicesBox) servicesBox.querySelector('input')?.focus();
      else first?.focus();
      return;
    }
    const body = {
      ...(bulk
        ? {
            ...(theme.value ? { theme: theme.value } : {}),
            ...(territory.value ? { territory: territory.value } : {}),
          }
        : { ideaIds: [...state.selected] }),
      services: services.map((serviceId) => ({ serviceId, dueDate: due.value })),
    };
    submit.disabled = true;
    fill(result, h('p', { class: 'loading' }, 'Affectation en cours…'));
    try {
      const answer = await apiRequest<AssignAnswer>(context.config, `${context.base}/assignments`, {
        method: 'POST',
        token: context.session.idToken,
        body,
      });
      const { created, existing } = countCreated(answer);
      state.selected.clear();
      await reload();
      fill(
        result,
        h(
          'p',
          { class: 'notice notice-success' },
          `${plural(created, 'affectation créée', 'affectations créées')}${existing ? `, ${plural(existing, 'affectation existait', 'affectations existaient')} déjà` : ''}. Les services sont prévenus par courriel.`,
        ),
      );
    } catch (error) {
      fill(result);
      showFailure(alert, error);
      showApiFieldErrors({ theme, territory, dueDate: due }, asProblem(error));
    } finally {
      submit.disabled = false;
    }
  });
}

async function main(): Promise<void> {
  const context = await instructionContext(['instructor', 'coordinator', 'committee'], byId('in-error'), {
    title: 'Accès réservé à l’instruction',
    detail:
      'Cette page est réservée aux agents instructeurs, à la coordination et aux membres du Comité citoyen.',
  });
  if (!context) {
    fill(byId('in-status'));
    return;
  }
  fill(byId('in-edition'), context.edition.name);
  const { session } = context;
  const state: PageState = {
    context,
    coordinator: hasRole(session, 'coordinator'),
    selected: new Set(),
  };
  const instructor = hasRole(session, 'instructor') && !hasRole(session, 'coordinator', 'committee');
  fill(byId('queue-heading'), instructor ? 'File d’attente de mon service' : 'Tous les dossiers');
  fill(
    byId('queue-intro'),
    instructor
      ? 'Les idées confiées à votre service, les dossiers en retard d’abord, puis par date d’échéance.'
      : state.coordinator
        ? 'Toutes les idées publiées, les dossiers en retard d’abord. Cochez des idées pour les affecter ensemble.'
        : 'Lecture seule : toutes les idées publiées, leurs avis et leurs échéances. Ouvrez un dossier pour donner l’avis du Comité citoyen.',
  );
  const filters = filtersFromUrl();
  setupFilters(state, filters);
  byId('queue-section').hidden = false;
  const reload = async () => {
    await Promise.all([loadQueue(state, filtersFromUrl()), state.coordinator ? loadBoard(state) : undefined]);
  };
  if (state.coordinator) setupAssignment(state, reload);
  await reload();
}

void main();
