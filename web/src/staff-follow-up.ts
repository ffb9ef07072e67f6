import { ApiError, apiRequest, type Problem } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import {
  type FollowUp,
  MILESTONE_LABELS,
  type Milestone,
  type MilestoneKind,
  realisationDetails,
  STATUS_LABELS,
  type Status,
  type Winner,
} from './lib/follow-up.ts';
import { formatDateTime, plural } from './lib/format.ts';
import { clearFieldErrors, problemNotice, showFieldErrors, unexpectedProblem } from './lib/forms.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';
import type { EditionView } from './lib/types.ts';

const SIGN_IN = 'index.html';
/** Roles the API lets set a realisation (shared/manifest.ts); the others read. */
const EDITORS = ['coordinator', 'admin'];

/** `PUT .../staff/projects/{project}/realisation` answers with the stored realisation. */
interface StoredRealisation {
  projectId: string;
  status: Status;
  reason?: string;
  milestones: Milestone[];
  version: number;
  updatedAt: string;
}

const MILESTONE_KINDS = Object.keys(MILESTONE_LABELS) as MilestoneKind[];
const REASON_MIN = 5;

interface Context {
  config: SiteConfig;
  session: StaffSession;
  timeZone: string;
  base: string;
  canEdit: boolean;
}

function expireSession(): void {
  signOut();
  location.replace(`${SIGN_IN}?session-expiree`);
}

/** What the public page shows of a winner, so staff see the effect of their change. */
function summary(context: Context, winner: Winner): (HTMLElement | null)[] {
  return [
    ...realisationDetails(winner, { figuresClass: 'idea-meta', listTag: 'ul' }),
    h(
      'p',
      { class: 'hint' },
      winner.updatedAt
        ? `Dernière mise à jour : ${formatDateTime(winner.updatedAt, context.timeZone)}`
        : 'Jamais mis à jour : le public voit « À l’étude ».',
    ),
  ];
}

/** A control with its error paragraph, named in `aria-describedby` as lib/forms.ts expects. */
function errorFor(id: string): HTMLParagraphElement {
  return h('p', { class: 'field-error', id: `${id}-error` });
}

function editForm(
  context: Context,
  winner: Winner,
  prefix: string,
  onSaved: (stored: StoredRealisation) => void,
): HTMLFormElement {
  const status = h(
    'select',
    { id: `${prefix}-status`, name: 'status', 'aria-describedby': `${prefix}-status-error` },
    ...(Object.keys(STATUS_LABELS) as Status[]).map((value) =>
      h('option', { value, selected: value === winner.status }, STATUS_LABELS[value]),
    ),
  );
  const reason = h('textarea', {
    id: `${prefix}-reason`,
    name: 'reason',
    rows: 3,
    maxlength: 1000,
    'aria-describedby': `${prefix}-reason-hint ${prefix}-reason-error`,
  });
  reason.value = winner.reason ?? '';
  const reasonHint = h('p', { class: 'hint', id: `${prefix}-reason-hint` });
  const milestones = MILESTONE_KINDS.map((kind) => {
    const current = winner.milestones.find((m) => m.kind === kind);
    const date = h('input', {
      type: 'date',
      id: `${prefix}-${kind}-date`,
      name: `${kind}-date`,
      'aria-describedby': `${prefix}-${kind}-date-hint ${prefix}-${kind}-date-error`,
    });
    date.value = current?.date ?? '';
    const done = h('input', {
      type: 'checkbox',
      id: `${prefix}-${kind}-done`,
      name: `${kind}-done`,
      checked: current?.done ?? false,
    });
    const fieldset = h(
      'fieldset',
      { class: 'fieldset' },
      h('legend', {}, `Étape « ${MILESTONE_LABELS[kind]} »`),
      h(
        'div',
        { class: 'field' },
        h('label', { for: date.id }, 'Date'),
        h(
          'p',
          { class: 'hint', id: `${prefix}-${kind}-date-hint` },
          'Date prévue, ou date atteinte si l’étape est faite. Laissez vide pour ne pas publier cette étape.',
        ),
        date,
        errorFor(date.id),
      ),
      h('div', { class: 'field-check' }, done, h('label', { for: done.id }, 'Fait')),
    );
    return { kind, date, done, fieldset };
  });
  const alert = h('div', { role: 'alert' });
  const saved = h('div', { role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'button' }, 'Enregistrer le suivi');
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-label': `Modifier le suivi de « ${winner.title} »` },
    h(
      'div',
      { class: 'field' },
      h('label', { for: status.id }, 'État de la réalisation'),
      status,
      errorFor(status.id),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: reason.id }, 'Raison ou précision publique'),
      reasonHint,
      reason,
      errorFor(reason.id),
    ),
    ...milestones.map((m) => m.fieldset),
    alert,
    button,
    saved,
  );

  const abandoned = () => status.value === 'abandonne';
  const describeReason = () => {
    fill(
      reasonHint,
      abandoned()
        ? `Obligatoire quand le projet est abandonné (${REASON_MIN} caractères au moins) : elle est publiée.`
        : 'Facultative : publiée sous l’état du projet.',
    );
    if (abandoned()) reason.setAttribute('aria-required', 'true');
    else reason.removeAttribute('aria-required');
  };
  describeReason();
  status.addEventListener('change', describeReason);

  // The API names fields `body.status`, `body.reason`, `body.milestones.<i>.<key>`.
  const fieldsFor = (sent: Milestone[]) => {
    const fields: Record<string, HTMLElement | undefined> = { 'body.status': status, 'body.reason': reason };
    sent.forEach((milestone, i) => {
      const control = milestones.find((m) => m.kind === milestone.kind)?.date;
      for (const key of ['date', 'kind', 'done']) fields[`body.milestones.${i}.${key}`] = control;
    });
    return fields;
  };
  const allFields = fieldsFor(MILESTONE_KINDS.map((kind) => ({ kind, date: '', done: false })));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(allFields);
    fill(alert);
    fill(saved);
    const text = reason.value.trim();
    const sent: Milestone[] = milestones
      .filter((m) => m.date.value !== '')
      .map((m) => ({ kind: m.kind, date: m.date.value, done: m.done.checked }));
    const problems: { field: string; message: string }[] = [];
    if (abandoned() && text.length < REASON_MIN)
      problems.push({
        field: 'body.reason',
        message: `Indiquez pourquoi le projet est abandonné (${REASON_MIN} caractères au moins)`,
      });
    const local: Record<string, HTMLElement | undefined> = { ...allFields };
    for (const m of milestones) {
      if (m.done.checked && m.date.value === '') {
        local[`local.${m.kind}`] = m.date;
        problems.push({
          field: `local.${m.kind}`,
          message: `Indiquez la date à laquelle l’étape « ${MILESTONE_LABELS[m.kind]} » a été franchie`,
        });
      }
    }
    if (problems.length > 0) {
      showFieldErrors(local, problems);
      return;
    }
    button.disabled = true;
    try {
      const stored = await apiRequest<StoredRealisation>(
        context.config,
        `${context.base}/staff/projects/${encodeURIComponent(winner.id)}/realisation`,
        {
          method: 'PUT',
          token: context.session.idToken,
          body: { status: status.value, ...(text ? { reason: text } : {}), milestones: sent },
        },
      );
      const unchanged = stored.updatedAt === winner.updatedAt;
      onSaved(stored);
      fill(
        saved,
        h(
          'p',
          { class: 'notice notice-success' },
          unchanged
            ? `Aucun changement : le suivi de « ${winner.title} » était déjà à jour.`
            : `Suivi enregistré pour « ${winner.title} » : ${STATUS_LABELS[stored.status]}. Il est publié et les personnes qui suivent le projet sont prévenues.`,
        ),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return expireSession();
      const problem: Problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      fill(alert, problemNotice(problem));
      showFieldErrors(fieldsFor(sent), problem.errors ?? []);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function winnerCard(context: Context, winner: Winner, index: number): HTMLElement {
  const prefix = `fu-${index}`;
  const headingId = `${prefix}-heading`;
  const state = h('div', {}, ...summary(context, winner));
  return h(
    'li',
    { class: 'idea-card' },
    h(
      'article',
      { class: 'card follow-up-card', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, winner.title),
      state,
      context.canEdit
        ? editForm(context, winner, prefix, (stored) => {
            winner.status = stored.status;
            if (stored.reason) winner.reason = stored.reason;
            else delete winner.reason;
            winner.milestones = stored.milestones;
            winner.updatedAt = stored.updatedAt;
            fill(state, ...summary(context, winner));
          })
        : null,
    ),
  );
}

function render(context: Context, followUp: FollowUp): void {
  const envelopes = new Map<string, { name: string; winners: Winner[] }>();
  for (const winner of followUp.projects) {
    const group = envelopes.get(winner.envelope.id) ?? { name: winner.envelope.name, winners: [] };
    group.winners.push(winner);
    envelopes.set(winner.envelope.id, group);
  }
  let index = 0;
  fill(
    byId('fu-projects'),
    ...[...envelopes.entries()].map(([id, group]) =>
      h(
        'section',
        { 'aria-labelledby': `fu-envelope-${id}` },
        h('h2', { id: `fu-envelope-${id}` }, group.name),
        h(
          'ul',
          { class: 'idea-list' },
          ...group.winners.map((winner) => winnerCard(context, winner, index++)),
        ),
      ),
    ),
  );
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN);
    return;
  }
  const statusBox = byId('fu-status');
  try {
    const config = await loadConfig();
    const edition = encodeURIComponent(config.edition);
    const view = await apiRequest<EditionView>(config, `/editions/${edition}`);
    fill(byId('fu-edition'), view.edition.name);
    const context: Context = {
      config,
      session,
      timeZone: view.edition.timeZone,
      base: `/editions/${edition}`,
      canEdit: session.roles.some((role) => EDITORS.includes(role)),
    };
    let followUp: FollowUp;
    try {
      followUp = await apiRequest<FollowUp>(config, `${context.base}/realisations`);
    } catch (error) {
      if (error instanceof ApiError && error.problem.code === 'results_not_published') {
        fill(
          statusBox,
          h(
            'p',
            { class: 'notice notice-info' },
            'Les résultats ne sont pas encore publiés : le suivi des projets lauréats commencera après leur publication.',
          ),
        );
        return;
      }
      throw error;
    }
    fill(
      statusBox,
      h('p', {}, plural(followUp.projects.length, 'projet lauréat', 'projets lauréats')),
      context.canEdit
        ? null
        : h(
            'p',
            { class: 'notice notice-info' },
            'Lecture seule : le suivi des projets relève de la coordination et de l’administration.',
          ),
    );
    render(context, followUp);
  } catch (error) {
    fill(statusBox);
    if (error instanceof ApiError && error.status === 401) return expireSession();
    fill(byId('fu-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

void main();
