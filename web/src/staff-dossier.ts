import { apiRequest } from './lib/api.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatEuros } from './lib/format.ts';
import { ideaPicker, searchPublished } from './lib/idea-picker.ts';
import { communeName, envelopes, territoryName, themeName } from './lib/ideas.ts';
import {
  type AssignmentView,
  actorText,
  asProblem,
  type DecisionView,
  type DossierView,
  dateTime,
  field,
  frenchDay,
  hasRole,
  type InstructionContext,
  instructionContext,
  outcomeLabel,
  overdueBadge,
  select,
  setFieldError,
  showApiFieldErrors,
  showFailure,
  statusBadge,
} from './lib/instruction-labels.ts';
import { decodeJwtPayload } from './lib/session.ts';
import {
  ASSIGNMENT_STATUS_LABELS,
  COMMITTEE_OPINION_LABELS,
  COMMITTEE_OPINIONS,
  PROPOSER_LABELS,
} from './lib/shared-data.ts';

const KIND_LABELS = {
  admissibility: 'Recevabilité',
  feasibility: 'Faisabilité',
  cost: 'Coût estimé par le service',
  merge: 'Regroupement proposé',
} as const;
type Kind = keyof typeof KIND_LABELS;

const VERDICT_LABELS = {
  retained: 'Retenue : elle devient un projet soumis au vote',
  'not-admissible': 'Non recevable',
  'not-feasible': 'Non faisable',
  merged: 'Regroupée avec une autre idée',
} as const;
type Verdict = keyof typeof VERDICT_LABELS;

/** Statuses after which the dossier is closed for services (a coordinator's verdict). */
const OPEN_STATUSES = new Set(['to-assign', 'in-instruction', 'opinions-complete']);

interface Page {
  context: InstructionContext;
  ideaId: string;
  /** The instructor's service, from the `custom:service` claim (display only; the API checks). */
  myService: string | undefined;
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const titles = new Map<string, Promise<string | undefined>>();

/** Another idea, named by its title (read from the public idea page's route), linked to its public page. */
function ideaTitle(page: Page, ideaId: string): HTMLElement {
  const link = h('a', { href: `../idee.html?id=${encodeURIComponent(ideaId)}` }, 'une autre idée');
  let title = titles.get(ideaId);
  if (!title) {
    title = apiRequest<{ title: string }>(
      page.context.config,
      `/editions/${encodeURIComponent(page.context.config.edition)}/ideas/${encodeURIComponent(ideaId)}`,
    ).then(
      (idea) => idea.title,
      () => undefined,
    );
    titles.set(ideaId, title);
  }
  void title.then((found) => {
    if (found) fill(link, `« ${found} »`);
  });
  return link;
}

/** The merge target, picked by title among the published ideas (never typed as an identifier). */
function mergePicker(page: Page, id: string, label: string) {
  return ideaPicker({
    id,
    label,
    placeholder: 'Choisissez l’idée',
    search: searchPublished(page.context.config, (idea) =>
      territoryName(page.context.edition, idea.territory),
    ),
    exclude: page.ideaId,
  });
}

function radioGroup(
  name: string,
  legend: string,
  options: { value: string; label: string }[],
  checked?: string,
): HTMLFieldSetElement {
  return h(
    'fieldset',
    { class: 'fieldset', id: `${name}-group`, 'aria-describedby': `${name}-group-error` },
    h('legend', {}, legend),
    ...options.map((option) =>
      h(
        'div',
        { class: 'field-check' },
        h('input', {
          type: 'radio',
          name,
          id: `${name}-${option.value}`,
          value: option.value,
          checked: option.value === checked,
        }),
        h('label', { for: `${name}-${option.value}` }, option.label),
      ),
    ),
    h('p', { class: 'field-error', id: `${name}-group-error` }),
  );
}

const checkedValue = (form: HTMLElement, name: string): string =>
  (form.querySelector(`input[name="${name}"]:checked`) as HTMLInputElement | null)?.value ?? '';

const textarea = (id: string, rows = 4) => h('textarea', { id, name: id, rows });
const input = (id: string, attributes: Record<string, string> = {}) =>
  h('input', { id, name: id, type: 'text', ...attributes });
const euroInput = (id: string) => input(id, { inputmode: 'numeric', pattern: '[0-9]*', autocomplete: 'off' });

/** Local checks: each failing control gets its message; the first gets the focus. */
function check(problems: [Control | HTMLFieldSetElement, string][]): boolean {
  for (const [control, message] of problems) {
    if (control instanceof HTMLFieldSetElement) {
      fill(byId(`${control.id}-error`), message);
    } else setFieldError(control, message);
  }
  const first = problems[0]?.[0];
  if (first instanceof HTMLFieldSetElement) first.querySelector('input')?.focus();
  else first?.focus();
  return problems.length === 0;
}

function clear(form: HTMLElement): void {
  for (const control of form.querySelectorAll<Control>('input, select, textarea'))
    control.removeAttribute('aria-invalid');
  for (const error of form.querySelectorAll('.field-error')) fill(error);
}

const euros = (value: string): number | undefined =>
  /^\d+$/.test(value.replace(/[\s\u00a0\u202f]/g, ''))
    ? Number(value.replace(/[\s\u00a0\u202f]/g, ''))
    : undefined;

/** Posts an action; on success reloads the dossier with `message`, else shows why next to the form. */
async function send(
  page: Page,
  form: HTMLFormElement,
  path: string,
  body: unknown,
  message: string,
  fields: Record<string, HTMLElement | undefined> = {},
): Promise<void> {
  const alert = form.querySelector<HTMLElement>('[role="alert"]') as HTMLElement;
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (submit) submit.disabled = true;
  fill(alert);
  try {
    await apiRequest(page.context.config, `${page.context.base}${path}`, {
      method: 'POST',
      token: page.context.session.idToken,
      body,
    });
    await load(page, message);
  } catch (error) {
    if (submit) submit.disabled = false;
    showFailure(alert, error);
    showApiFieldErrors(fields, asProblem(error));
  }
}

function reasonOptions(dossier: DossierView) {
  return dossier.reasons.map((reason) => ({ value: reason.id, label: reason.label }));
}

// ---- views ----------------------------------------------------------------------------------------

function ideaView(page: Page, dossier: DossierView): HTMLElement[] {
  const { edition } = page.context;
  const { idea } = dossier;
  const proposer = (PROPOSER_LABELS as Record<string, string>)[idea.proposerKind] ?? idea.proposerKind;
  const rows: [string, string | HTMLElement][] = [
    ['Statut du dossier', dossier.statusLabel],
    ['Territoire', territoryName(edition, idea.territory)],
    ...(idea.commune ? [['Commune', communeName(idea.commune)] as [string, string]] : []),
    ['Thème', themeName(edition, idea.theme)],
    ['Coût estimé par l’auteur', formatEuros(idea.estimatedCost)],
    ['Proposée', `${proposer} (${idea.authorsCount} auteur${idea.authorsCount > 1 ? 's' : ''})`],
    ...(idea.publishedAt
      ? [['Publiée le', dateTime(idea.publishedAt, edition)] as [string, HTMLElement]]
      : []),
    ['Prochaine échéance', dossier.nextDueDate ? frenchDay(dossier.nextDueDate) : 'Aucune'],
  ];
  return [
    h(
      'p',
      { class: 'badges' },
      statusBadge(dossier.status, dossier.statusLabel),
      dossier.overdue ? overdueBadge() : null,
    ),
    h(
      'dl',
      { class: 'data-list' },
      ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
    ),
    h('h3', {}, 'Description'),
    ...idea.description.split(/\n{2,}/).map((paragraph) => h('p', { class: 'idea-description' }, paragraph)),
  ];
}

function decisionItem(page: Page, decision: DecisionView): HTMLElement {
  const outcome = decision.outcome ? outcomeLabel(decision.outcome) : undefined;
  return h(
    'li',
    {},
    h('p', { class: 'change' }, `${KIND_LABELS[decision.kind]}${outcome ? ` : ${outcome}` : ''}`),
    decision.costEstimate !== undefined
      ? h('p', {}, `Coût estimé : ${formatEuros(decision.costEstimate)}`)
      : null,
    decision.mergeInto ? h('p', {}, 'Regrouper avec ', ideaTitle(page, decision.mergeInto)) : null,
    h('p', {}, `Motif : ${decision.reasonLabel}`),
    h('p', { class: 'idea-description' }, decision.reasonText),
    h(
      'p',
      { class: 'idea-meta' },
      'Le ',
      dateTime(decision.at, page.context.edition),
      `, par ${actorText(decision.by)}`,
    ),
  );
}

function assignmentView(page: Page, assignment: AssignmentView, highlighted: boolean): HTMLElement {
  const { edition } = page.context;
  const headingId = `as-${assignment.serviceId}`;
  const opinions = (Object.keys(KIND_LABELS) as Kind[])
    .map((kind) => assignment.opinions[kind])
    .filter((decision): decision is DecisionView => decision !== undefined);
  return h(
    'article',
    {
      class: `card assignment${highlighted ? ' is-target' : ''}`,
      'aria-labelledby': headingId,
      id: `affectation-${assignment.serviceId}`,
    },
    h('h3', { id: headingId }, assignment.serviceName),
    h(
      'p',
      { class: 'badges' },
      h(
        'span',
        { class: `badge badge-status badge-${assignment.status}` },
        ASSIGNMENT_STATUS_LABELS[assignment.status] ?? assignment.statusLabel,
      ),
      assignment.overdue ? overdueBadge() : null,
    ),
    h(
      'dl',
      { class: 'data-list' },
      h('dt', {}, 'Avis attendu le'),
      h('dd', {}, frenchDay(assignment.dueDate)),
      h('dt', {}, 'Affectée le'),
      h('dd', {}, dateTime(assignment.assignedAt, edition)),
      assignment.acceptedAt ? h('dt', {}, 'Prise en charge le') : null,
      assignment.acceptedAt ? h('dd', {}, dateTime(assignment.acceptedAt, edition)) : null,
      assignment.reassignmentReason ? h('dt', {}, 'Raison de la demande de réaffectation') : null,
      assignment.reassignmentReason ? h('dd', {}, assignment.reassignmentReason) : null,
    ),
    h('h4', {}, 'Avis du service'),
    opinions.length
      ? h('ul', { class: 'history' }, ...opinions.map((decision) => decisionItem(page, decision)))
      : h('p', {}, 'Pas encore d’avis.'),
  );
}

/** ` : « Titre »` of the dossier's project, when the API gave it. */
function projectTitle(dossier: DossierView): string {
  const project = dossier.project as { title?: unknown } | undefined;
  return typeof project?.title === 'string' ? ` : « ${project.title} »` : '';
}

function verdictView(page: Page, dossier: DossierView): (HTMLElement | null)[] {
  const { verdict } = dossier;
  if (!verdict) return [h('p', {}, 'Pas encore de verdict : les services instruisent l’idée.')];
  return [
    h('p', { class: 'phase-now' }, h('strong', {}, outcomeLabel(verdict.outcome))),
    h(
      'p',
      {},
      verdict.final
        ? 'Verdict prononcé par la coordination.'
        : 'Avis de l’unique service chargé de l’instruction, qui vaut verdict.',
    ),
    h('p', {}, `Motif : ${verdict.reasonLabel}`),
    h('p', { class: 'idea-description' }, verdict.reasonText),
    verdict.projectId ? h('p', {}, `Projet soumis au vote${projectTitle(dossier)}.`) : null,
    verdict.mergeInto ? h('p', {}, 'Regroupée avec ', ideaTitle(page, verdict.mergeInto)) : null,
    h(
      'p',
      { class: 'idea-meta' },
      'Le ',
      dateTime(verdict.at, page.context.edition),
      `, par ${actorText(verdict.by)}`,
    ),
  ];
}

function committeeView(page: Page, dossier: DossierView): HTMLElement {
  if (dossier.committeeOpinions.length === 0)
    return h('p', {}, 'Aucun avis du Comité citoyen pour le moment.');
  return h(
    'ul',
    { class: 'history' },
    ...dossier.committeeOpinions.map((opinion) =>
      h(
        'li',
        {},
        h('p', { class: 'change' }, COMMITTEE_OPINION_LABELS[opinion.opinion] ?? opinion.opinion),
        h('p', { class: 'idea-description' }, opinion.text),
        h(
          'p',
          { class: 'idea-meta' },
          'Le ',
          dateTime(opinion.at, page.context.edition),
          `, par ${actorText(opinion.by)}`,
        ),
      ),
    ),
  );
}

function timelineView(page: Page, dossier: DossierView): HTMLElement[] {
  if (dossier.timeline.length === 0) return [h('li', {}, 'Aucun événement pour le moment.')];
  return [...dossier.timeline]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((entry) =>
      h(
        'li',
        {},
        h('p', {}, dateTime(entry.at, page.context.edition)),
        h('p', { class: 'change' }, entry.summary),
        h('p', { class: 'idea-meta' }, `Par ${actorText(entry.by)}`),
      ),
    );
}

// ---- instructor -----------------------------------------------------------------------------------

function acceptForm(page: Page, assignment: AssignmentView): HTMLFormElement {
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    h('div', { role: 'alert' }),
    h('button', { type: 'submit', class: 'button' }, 'Prendre en charge cette instruction'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(
      page,
      form,
      `/assignments/${encodeURIComponent(assignment.assignmentId)}/acceptance`,
      {},
      `Votre service a pris en charge l’instruction (${assignment.serviceName}).`,
    );
  });
  return form;
}

function reassignForm(page: Page, assignment: AssignmentView, prefix: string): HTMLElement {
  const reason = textarea(`${prefix}-reassign-reason`, 3);
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    field(
      reason,
      'Pourquoi cette idée relève-t-elle d’un autre service ?',
      'Envoyé à la coordination, qui choisira un autre service.',
    ),
    h('div', { role: 'alert' }),
    h('button', { type: 'submit', class: 'button button-secondary' }, 'Demander une réaffectation'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(form);
    const text = reason.value.trim();
    if (!check(text.length < 5 ? [[reason, 'Indiquez la raison (5 caractères au moins).']] : [])) return;
    void send(
      page,
      form,
      `/assignments/${encodeURIComponent(assignment.assignmentId)}/reassignment-request`,
      { reason: text },
      'Demande de réaffectation envoyée à la coordination.',
      { reason },
    );
  });
  return h('details', {}, h('summary', {}, 'Cette idée ne relève pas de votre service ?'), form);
}

function decisionForm(
  page: Page,
  dossier: DossierView,
  assignment: AssignmentView,
  prefix: string,
): HTMLFormElement {
  const kinds = radioGroup(
    `${prefix}-kind`,
    'Type de décision',
    (Object.keys(KIND_LABELS) as Kind[]).map((value) => ({ value, label: KIND_LABELS[value] })),
    'admissibility',
  );
  const admissibility = radioGroup(`${prefix}-adm`, 'Avis de recevabilité', [
    { value: 'admissible', label: 'Recevable' },
    { value: 'not-admissible', label: 'Non recevable' },
  ]);
  const feasibility = radioGroup(`${prefix}-fea`, 'Avis de faisabilité', [
    { value: 'feasible', label: 'Faisable' },
    { value: 'not-feasible', label: 'Non faisable' },
  ]);
  const cost = euroInput(`${prefix}-cost`);
  const costField = field(
    cost,
    'Coût estimé par le service (en euros)',
    'En euros, sans centimes. Facultatif avec un avis de faisabilité.',
  );
  const merge = mergePicker(page, `${prefix}-merge`, 'Idée avec laquelle regrouper');
  const mergeInto = merge.select;
  const mergeField = merge.field;
  const reasonCode = select(`${prefix}-reason`, 'Choisissez le motif', reasonOptions(dossier));
  const reasonText = textarea(`${prefix}-text`);
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-label': `Décision du service ${assignment.serviceName}` },
    kinds,
    admissibility,
    feasibility,
    costField,
    mergeField,
    field(reasonCode, 'Motif'),
    field(
      reasonText,
      'Explication',
      'En français clair : elle est envoyée à l’auteur de l’idée et lue par le Comité citoyen.',
    ),
    h('div', { role: 'alert' }),
    h('button', { type: 'submit', class: 'button' }, 'Enregistrer la décision'),
  );
  const kind = () => (checkedValue(form, `${prefix}-kind`) || 'admissibility') as Kind;
  const sync = () => {
    admissibility.hidden = kind() !== 'admissibility';
    feasibility.hidden = kind() !== 'feasibility';
    costField.hidden = kind() !== 'cost' && kind() !== 'feasibility';
    mergeField.hidden = kind() !== 'merge';
  };
  sync();
  form.addEventListener('change', sync);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(form);
    const chosen = kind();
    const text = reasonText.value.trim();
    const amount = cost.value.trim() ? euros(cost.value) : undefined;
    const problems: [Control | HTMLFieldSetElement, string][] = [];
    const outcome =
      chosen === 'admissibility'
        ? checkedValue(form, `${prefix}-adm`)
        : chosen === 'feasibility'
          ? checkedValue(form, `${prefix}-fea`)
          : '';
    if (chosen === 'admissibility' && !outcome)
      problems.push([admissibility, 'Choisissez : recevable ou non recevable.']);
    if (chosen === 'feasibility' && !outcome)
      problems.push([feasibility, 'Choisissez : faisable ou non faisable.']);
    if ((chosen === 'cost' || (chosen === 'feasibility' && cost.value.trim())) && amount === undefined)
      problems.push([cost, 'Indiquez un montant en euros entiers, par exemple 12000.']);
    if (chosen === 'merge' && !mergeInto.value.trim())
      problems.push([mergeInto, 'Choisissez l’idée avec laquelle regrouper.']);
    if (!reasonCode.value) problems.push([reasonCode, 'Choisissez le motif.']);
    if (text.length < 5) problems.push([reasonText, 'Expliquez la décision (5 caractères au moins).']);
    if (!check(problems)) return;
    const common = { reasonCode: reasonCode.value, reasonText: text };
    const body =
      chosen === 'admissibility'
        ? { kind: chosen, outcome, ...common }
        : chosen === 'feasibility'
          ? { kind: chosen, outcome, ...common, ...(amount !== undefined ? { costEstimate: amount } : {}) }
          : chosen === 'cost'
            ? { kind: chosen, costEstimate: amount, ...common }
            : { kind: chosen, mergeInto: mergeInto.value.trim(), ...common };
    void send(
      page,
      form,
      `/assignments/${encodeURIComponent(assignment.assignmentId)}/decisions`,
      body,
      `Décision enregistrée : ${KIND_LABELS[chosen].toLowerCase()}${outcome ? `, ${outcomeLabel(outcome).toLowerCase()}` : ''}. L’auteur en est informé par courriel.`,
      { reasonCode, reasonText, costEstimate: cost, mergeInto, outcome: admissibility },
    );
  });
  return form;
}

function instructorActions(page: Page, dossier: DossierView): HTMLElement[] {
  const mine = dossier.assignments.filter(
    (assignment) => !page.myService || assignment.serviceId === page.myService,
  );
  if (mine.length === 0)
    return [h('p', {}, 'Ce dossier n’est pas confié à votre service : vous le consultez en lecture seule.')];
  if (!OPEN_STATUSES.has(dossier.status) && dossier.verdict?.final)
    return [h('p', {}, 'Le verdict est prononcé : le dossier est clos pour les services.')];
  return mine.map((assignment, index) => {
    const prefix = `a${index}`;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': `${prefix}-heading` },
      h('h3', { id: `${prefix}-heading` }, `Instruction par ${assignment.serviceName}`),
      assignment.status === 'assigned' ? acceptForm(page, assignment) : null,
      assignment.status === 'reassignment-requested'
        ? h(
            'p',
            { class: 'notice notice-info' },
            'Réaffectation demandée : la coordination va choisir un autre service.',
          )
        : null,
      assignment.status === 'assigned' || assignment.status === 'accepted'
        ? reassignForm(page, assignment, prefix)
        : null,
      h('h4', {}, 'Enregistrer une décision'),
      decisionForm(page, dossier, assignment, prefix),
    );
  });
}

// ---- coordinator ----------------------------------------------------------------------------------

function verdictForm(page: Page, dossier: DossierView): HTMLElement {
  const { edition } = page.context;
  const { idea } = dossier;
  const outcomes = radioGroup(
    'verdict-outcome',
    'Verdict',
    (Object.keys(VERDICT_LABELS) as Verdict[]).map((value) => ({ value, label: VERDICT_LABELS[value] })),
  );
  const latestCost = dossier.decisions
    .filter((decision) => decision.costEstimate !== undefined)
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0]?.costEstimate;
  const title = input('verdict-title', { value: idea.title });
  const summary = textarea('verdict-summary', 4);
  summary.value = idea.description.slice(0, 600);
  const cost = euroInput('verdict-cost');
  cost.value = String(latestCost ?? idea.estimatedCost);
  const envelope = select(
    'verdict-envelope',
    'Choisissez l’enveloppe',
    envelopes(edition).map((item) => ({ value: item.id, label: item.name })),
    idea.territory,
  );
  const theme = select(
    'verdict-theme',
    'Choisissez le thème',
    edition.themes.map((item) => ({ value: item.id, label: item.name })),
    idea.theme,
  );
  const territory = select(
    'verdict-territory',
    'Aucun (projet territorial)',
    edition.territories.map((item) => ({ value: item.id, label: item.name })),
  );
  const project = h(
    'fieldset',
    { class: 'fieldset' },
    h('legend', {}, 'Le projet soumis au vote'),
    field(title, 'Titre du projet', '5 à 140 caractères.'),
    field(summary, 'Résumé', '10 à 600 caractères, affiché sur le bulletin.'),
    field(cost, 'Coût retenu (en euros)'),
    field(envelope, 'Enveloppe'),
    field(theme, 'Thème'),
    field(territory, 'Territoire du projet', 'Seulement pour un projet de l’enveloppe départementale.'),
  );
  const merge = mergePicker(page, 'verdict-merge', 'Idée qui regroupe');
  const mergeInto = merge.select;
  const mergeField = merge.field;
  const reasonCode = select('verdict-reason', 'Choisissez le motif', reasonOptions(dossier));
  const reasonText = textarea('verdict-text');
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-labelledby': 'verdict-form-heading' },
    outcomes,
    project,
    mergeField,
    field(reasonCode, 'Motif'),
    field(reasonText, 'Explication', 'Envoyée à l’auteur et lue par le Comité citoyen.'),
    h('div', { role: 'alert' }),
    h('button', { type: 'submit', class: 'button' }, 'Prononcer le verdict'),
  );
  const outcome = () => checkedValue(form, 'verdict-outcome') as Verdict | '';
  const sync = () => {
    project.hidden = outcome() !== 'retained';
    mergeField.hidden = outcome() !== 'merged';
  };
  sync();
  form.addEventListener('change', sync);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(form);
    const chosen = outcome();
    const text = reasonText.value.trim();
    const amount = euros(cost.value);
    const problems: [Control | HTMLFieldSetElement, string][] = [];
    if (!chosen) problems.push([outcomes, 'Choisissez le verdict.']);
    if (chosen === 'retained') {
      if (title.value.trim().length < 5) problems.push([title, 'Le titre compte 5 caractères au moins.']);
      if (summary.value.trim().length < 10)
        problems.push([summary, 'Le résumé compte 10 caractères au moins.']);
      if (!amount) problems.push([cost, 'Indiquez un montant positif en euros entiers.']);
      if (!envelope.value) problems.push([envelope, 'Choisissez l’enveloppe.']);
      if (!theme.value) problems.push([theme, 'Choisissez le thème.']);
    }
    if (chosen === 'merged' && !mergeInto.value.trim())
      problems.push([mergeInto, 'Choisissez l’idée qui regroupe.']);
    if (!reasonCode.value) problems.push([reasonCode, 'Choisissez le motif.']);
    if (text.length < 5) problems.push([reasonText, 'Expliquez le verdict (5 caractères au moins).']);
    if (!check(problems) || !chosen) return;
    const common = { outcome: chosen, reasonCode: reasonCode.value, reasonText: text };
    const body =
      chosen === 'retained'
        ? {
            ...common,
            project: {
              title: title.value.trim(),
              summary: summary.value.trim(),
              cost: amount,
              envelope: envelope.value,
              theme: theme.value,
              ...(territory.value ? { territory: territory.value } : {}),
            },
          }
        : chosen === 'merged'
          ? { ...common, mergeInto: mergeInto.value.trim() }
          : common;
    void send(
      page,
      form,
      `/dossiers/${encodeURIComponent(dossier.idea.id)}/verdict`,
      body,
      `Verdict enregistré : ${VERDICT_LABELS[chosen].toLowerCase()}. L’auteur en est informé par courriel.`,
      {
        reasonCode,
        reasonText,
        mergeInto,
        'project.title': title,
        'project.summary': summary,
        'project.cost': cost,
        'project.envelope': envelope,
        'project.theme': theme,
        'project.territory': territory,
      },
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'verdict-form-heading' },
    h('h3', { id: 'verdict-form-heading' }, 'Prononcer le verdict consolidé'),
    h(
      'p',
      {},
      'Au vu des avis des services. Une idée retenue devient un projet de la liste soumise au vote, que le Comité citoyen valide.',
    ),
    form,
  );
}

// ---- committee ------------------------------------------------------------------------------------

function committeeForm(page: Page, dossier: DossierView): HTMLElement {
  const opinions = radioGroup(
    'committee-opinion',
    'Avis du Comité citoyen',
    COMMITTEE_OPINIONS.map((value) => ({ value, label: COMMITTEE_OPINION_LABELS[value] })),
  );
  const text = textarea('committee-text');
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-labelledby': 'committee-form-heading' },
    opinions,
    field(
      text,
      'Explication de l’avis',
      'Visible par les services et la coordination. Votre dernier avis remplace le précédent.',
    ),
    h('div', { role: 'alert' }),
    h('button', { type: 'submit', class: 'button' }, 'Enregistrer l’avis'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(form);
    const opinion = checkedValue(form, 'committee-opinion');
    const value = text.value.trim();
    const problems: [Control | HTMLFieldSetElement, string][] = [];
    if (!opinion) problems.push([opinions, 'Choisissez : favorable, réservé ou défavorable.']);
    if (value.length < 5) problems.push([text, 'Expliquez votre avis (5 caractères au moins).']);
    if (!check(problems)) return;
    void send(
      page,
      form,
      `/dossiers/${encodeURIComponent(dossier.idea.id)}/committee-opinion`,
      { opinion, text: value },
      'Avis du Comité citoyen enregistré.',
      { text },
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'committee-form-heading' },
    h('h3', { id: 'committee-form-heading' }, 'Donner l’avis du Comité citoyen'),
    form,
  );
}

// ---- page -----------------------------------------------------------------------------------------

const LINK_DONE: Record<string, string> = {
  accept: 'Lien utilisé : votre service a pris en charge cette instruction.',
  reassign: 'Lien utilisé : votre demande de réaffectation est transmise à la coordination.',
};

async function load(page: Page, message?: string): Promise<void> {
  const { context } = page;
  const status = byId('do-status');
  if (!message) fill(status, h('p', { class: 'loading' }, 'Chargement du dossier…'));
  fill(byId('do-error'));
  try {
    const dossier = await apiRequest<DossierView>(
      context.config,
      `${context.base}/dossiers/${encodeURIComponent(page.ideaId)}`,
      { token: context.session.idToken },
    );
    const params = new URLSearchParams(location.search);
    const target = params.get('assignment');
    document.title = `${dossier.idea.title} — Dossier d’instruction — Budget participatif`;
    fill(byId('do-title'), dossier.idea.title);
    fill(byId('do-idea-body'), ...ideaView(page, dossier));
    fill(byId('do-verdict-body'), ...verdictView(page, dossier));
    fill(
      byId('do-assignments-body'),
      ...(dossier.assignments.length
        ? dossier.assignments.map((assignment) =>
            assignmentView(page, assignment, assignment.assignmentId === target),
          )
        : [h('p', {}, 'Aucun service n’est encore chargé de cette idée.')]),
    );
    fill(byId('do-committee-body'), committeeView(page, dossier));
    fill(byId('do-timeline-body'), ...timelineView(page, dossier));
    const { session } = context;
    const actions: HTMLElement[] = [
      ...(hasRole(session, 'instructor') ? instructorActions(page, dossier) : []),
      ...(hasRole(session, 'coordinator') ? [verdictForm(page, dossier)] : []),
      ...(hasRole(session, 'committee') ? [committeeForm(page, dossier)] : []),
    ];
    fill(byId('do-actions-body'), ...actions);
    byId('do-actions').hidden = actions.length === 0;
    byId('do-content').hidden = false;
    const done = message ?? LINK_DONE[params.get('lien') ?? ''];
    if (done) {
      const notice = h('p', { class: 'notice notice-success', tabindex: -1 }, done);
      fill(status, notice);
      notice.focus();
    } else {
      fill(status);
      if (target) byId('do-title').focus();
    }
  } catch (error) {
    fill(status);
    showFailure(byId('do-error'), error);
  }
}

async function main(): Promise<void> {
  const ideaId = new URLSearchParams(location.search).get('id') ?? '';
  const context = await instructionContext(['instructor', 'coordinator', 'committee'], byId('do-error'), {
    title: 'Accès réservé à l’instruction',
    detail:
      'Les dossiers d’instruction sont réservés aux agents instructeurs, à la coordination et au Comité citoyen.',
  });
  if (!context) {
    fill(byId('do-status'));
    return;
  }
  if (!/^[A-Za-z0-9-]{1,64}$/.test(ideaId)) {
    fill(byId('do-status'));
    fill(
      byId('do-error'),
      h(
        'div',
        { class: 'notice notice-error' },
        h('p', {}, h('strong', {}, 'Dossier introuvable')),
        h(
          'p',
          {},
          'L’adresse ne désigne aucun dossier. ',
          h('a', { href: 'instruction.html' }, 'Voir les dossiers'),
        ),
      ),
    );
    return;
  }
  const claims = decodeJwtPayload(context.session.idToken);
  const service = claims['custom:service'];
  const page: Page = { context, ideaId, myService: typeof service === 'string' ? service : undefined };
  await load(page);
}

void main();
