import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { ideaPicker, searchIn } from './lib/idea-picker.ts';
import { type IdeaView, ideaFacts, territoryName } from './lib/ideas.ts';
import type { PictureView } from './lib/pictures.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';
import { CHARTER_RULE_LABELS, IDEA_STATUS_LABELS, ROLE_LABELS } from './lib/shared-data.ts';
import type { EditionView } from './lib/types.ts';

const SIGN_IN = 'index.html';
const QUEUES = ['submitted', 'changes-requested', 'published', 'hidden', 'merged', 'withdrawn'] as const;
const ACTIONS = {
  publish: 'Publier',
  'request-change': 'Demander une modification à l’auteur',
  hide: 'Masquer (charte de participation)',
  merge: 'Regrouper dans une autre idée (doublon)',
} as const;
type Action = keyof typeof ACTIONS;

interface Queue {
  status: string;
  total: number;
  items: IdeaView[];
}

interface AuditEntry {
  id: string;
  action: string;
  actor: string;
  at: string;
  reason?: string;
}

/** What happened to the idea, in French (the audit's `action`). */
const AUDIT_ACTIONS: Record<string, string> = {
  submit: 'Déposée',
  edit: 'Modifiée par l’auteur',
  withdraw: 'Retirée par l’auteur',
  publish: 'Publiée',
  'request-change': 'Modification demandée à l’auteur',
  hide: 'Masquée (charte de participation)',
  merge: 'Regroupée dans une autre idée',
  extend: 'Appel à idées prolongé',
};

/** `auteur` or `<role>:<staff id>` → who, by role, in French (never an identifier). */
function auditActor(actor: string): string {
  if (actor === 'auteur' || actor.startsWith('citizen:')) return 'l’auteur';
  const role = actor.split(':')[0] ?? '';
  return (ROLE_LABELS as Record<string, string>)[role] ?? 'un agent';
}

interface Context {
  config: SiteConfig;
  session: StaffSession;
  edition: EditionView['edition'];
  base: string;
  canModerate: boolean;
}

function expireSession(): void {
  signOut();
  location.replace(`${SIGN_IN}?session-expiree`);
}

async function loadAudit(context: Context, idea: IdeaView, target: HTMLElement): Promise<void> {
  fill(target, h('p', { class: 'loading' }, 'Chargement de l’historique…'));
  try {
    const detail = await apiRequest<IdeaView & { audit: AuditEntry[] }>(
      context.config,
      `${context.base}/staff/ideas/${encodeURIComponent(idea.id)}`,
      { token: context.session.idToken },
    );
    fill(
      target,
      h(
        'ol',
        { class: 'history' },
        ...detail.audit.map((entry) =>
          h(
            'li',
            {},
            h(
              'p',
              {},
              h('strong', {}, AUDIT_ACTIONS[entry.action] ?? entry.action),
              ` — ${formatDateTime(entry.at, context.edition.timeZone)} — ${auditActor(entry.actor)}`,
            ),
            entry.reason ? h('p', {}, `Motif : ${entry.reason}`) : null,
          ),
        ),
      ),
    );
  } catch (error) {
    fill(target, problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

function decisionForm(
  context: Context,
  idea: IdeaView,
  others: IdeaView[],
  onDone: (message: string) => void,
) {
  const prefix = `m-${idea.id}`;
  const alert = h('div', { role: 'alert' });
  const reason = h('textarea', {
    id: `${prefix}-reason`,
    rows: 3,
    'aria-describedby': `${prefix}-reason-hint ${prefix}-reason-error`,
  });
  const reasonError = h('p', { class: 'field-error', id: `${prefix}-reason-error` });
  const rule = h(
    'select',
    { id: `${prefix}-rule`, 'aria-describedby': `${prefix}-rule-error` },
    h('option', { value: '' }, 'Choisissez la règle'),
    ...Object.entries(CHARTER_RULE_LABELS).map(([id, label]) => h('option', { value: id }, label)),
  );
  const ruleError = h('p', { class: 'field-error', id: `${prefix}-rule-error` });
  // The ideas already in the page (published, and the queue shown), searched by title.
  const picker = ideaPicker({
    id: `${prefix}-into`,
    label: 'Idée qui regroupe',
    placeholder: 'Choisissez l’idée qui regroupe',
    search: searchIn(
      others.map((other) => ({
        id: other.id,
        title: other.title,
        hint: territoryName(context.edition, other.territory),
      })),
    ),
    exclude: idea.id,
  });
  const into = picker.select;
  const intoError = picker.error;
  const intoField = picker.field;
  intoField.hidden = true;
  const ruleField = h(
    'div',
    { class: 'field', hidden: true },
    h('label', { for: rule.id }, 'Règle de la charte'),
    rule,
    ruleError,
  );
  const radios = (Object.keys(ACTIONS) as Action[]).map((action) =>
    h(
      'div',
      { class: 'field-check' },
      h('input', {
        type: 'radio',
        name: `${prefix}-action`,
        id: `${prefix}-${action}`,
        value: action,
        checked: action === 'publish',
      }),
      h('label', { for: `${prefix}-${action}` }, ACTIONS[action]),
    ),
  );
  const chosen = (): Action =>
    ((form.querySelector(`input[name="${prefix}-action"]:checked`) as HTMLInputElement | null)?.value ??
      'publish') as Action;
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    h('fieldset', { class: 'fieldset' }, h('legend', {}, 'Décision'), ...radios),
    ruleField,
    intoField,
    h(
      'div',
      { class: 'field' },
      h('label', { for: reason.id }, 'Motif'),
      h(
        'p',
        { class: 'hint', id: `${prefix}-reason-hint` },
        'Envoyé à l’auteur et inscrit dans l’historique. Facultatif pour une publication.',
      ),
      reason,
      reasonError,
    ),
    alert,
    h('button', { type: 'submit', class: 'button' }, 'Enregistrer la décision'),
  );
  form.addEventListener('change', () => {
    ruleField.hidden = chosen() !== 'hide';
    intoField.hidden = chosen() !== 'merge';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const action = chosen();
    for (const [control, error] of [
      [reason, reasonError],
      [rule, ruleError],
      [into, intoError],
    ] as const) {
      control.removeAttribute('aria-invalid');
      fill(error);
    }
    fill(alert);
    const text = reason.value.trim();
    const problems: [HTMLElement, HTMLElement, string][] = [];
    if (action !== 'publish' && text.length < 5)
      problems.push([reason, reasonError, 'Indiquez le motif (5 caractères au moins).']);
    if (action === 'hide' && !rule.value)
      problems.push([rule, ruleError, 'Choisissez la règle de la charte concernée.']);
    if (action === 'merge' && !into.value)
      problems.push([into, intoError, 'Choisissez l’idée qui regroupe.']);
    if (problems.length > 0) {
      for (const [control, error, message] of problems) {
        control.setAttribute('aria-invalid', 'true');
        fill(error, message);
      }
      problems[0]?.[0].focus();
      return;
    }
    const body =
      action === 'publish'
        ? { action, ...(text ? { reason: text } : {}) }
        : action === 'hide'
          ? { action, rule: rule.value, reason: text }
          : action === 'merge'
            ? { action, into: into.value, reason: text }
            : { action, reason: text };
    const button = form.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    try {
      await apiRequest(
        context.config,
        `${context.base}/staff/ideas/${encodeURIComponent(idea.id)}/moderation`,
        {
          method: 'POST',
          token: context.session.idToken,
          body,
        },
      );
      onDone(`Décision enregistrée pour « ${idea.title} » : ${ACTIONS[action].toLowerCase()}.`);
    } catch (error) {
      button.disabled = false;
      if (error instanceof ApiError && error.status === 401) return expireSession();
      fill(alert, problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    }
  });
  return form;
}

/** The pictures with the text alternative their author wrote: the moderator checks both against the charter. */
function pictureList(idea: IdeaView & { pictures?: PictureView[] }): HTMLElement[] {
  const pictures = idea.pictures ?? [];
  if (pictures.length === 0) return [];
  return [
    h('h3', {}, 'Photos'),
    h(
      'ul',
      { class: 'idea-list' },
      ...pictures.map((picture, index) =>
        h(
          'li',
          { class: 'idea-picture' },
          picture.url
            ? h('img', {
                src: picture.url,
                // Pictures saved before text alternatives existed have none: never an empty (decorative) alt.
                alt: picture.alt || `Photo ${index + 1} de l’idée « ${idea.title} »`,
                width: 320,
                loading: 'lazy',
              })
            : null,
          h('p', {}, `Description de la photo ${index + 1} : ${picture.alt || '(aucune)'}`),
        ),
      ),
    ),
  ];
}

function ideaCard(
  context: Context,
  idea: IdeaView,
  others: IdeaView[],
  onDone: (message: string) => void,
): HTMLElement {
  const headingId = `m-${idea.id}-heading`;
  const audit = h('div');
  const history = h('details', {}, h('summary', {}, 'Historique (qui, quand, pourquoi)'), audit);
  history.addEventListener('toggle', () => {
    if (history.open) void loadAudit(context, idea, audit);
  });
  return h(
    'li',
    { class: 'idea-card' },
    h(
      'article',
      { 'aria-labelledby': headingId, class: 'card' },
      h('h2', { id: headingId }, idea.title),
      h(
        'p',
        { class: 'idea-meta' },
        `${idea.statusLabel ?? idea.status} · proposée le ${formatDateTime(idea.submittedAt, context.edition.timeZone)}`,
      ),
      ideaFacts(context.edition, idea),
      h('h3', {}, 'Description'),
      ...idea.description.split(/\n{2,}/).map((paragraph) => h('p', {}, paragraph)),
      // The charter applies to pictures too: the moderator sees them before deciding.
      ...pictureList(idea),
      idea.moderation?.reason ? h('p', {}, `Dernier motif : ${idea.moderation.reason}`) : null,
      history,
      context.canModerate && idea.status !== 'merged' && idea.status !== 'withdrawn'
        ? decisionForm(context, idea, others, onDone)
        : null,
    ),
  );
}

async function loadQueue(context: Context, status: string, message?: string): Promise<void> {
  const statusBox = byId('mo-status');
  fill(statusBox, h('p', { class: 'loading' }, 'Chargement des idées…'));
  fill(byId('mo-error'));
  try {
    const get = (which: string) =>
      apiRequest<Queue>(context.config, `${context.base}/staff/moderation?status=${which}`, {
        token: context.session.idToken,
      });
    const [queue, published] = await Promise.all([
      get(status),
      status === 'published' ? undefined : get('published'),
    ]);
    const others = [...(published?.items ?? []), ...queue.items];
    fill(statusBox, message ? h('p', { class: 'notice notice-success' }, message) : null);
    const label = IDEA_STATUS_LABELS[status as keyof typeof IDEA_STATUS_LABELS] ?? status;
    fill(
      byId('queue-count'),
      `${label} : ${queue.total} idée${queue.total > 1 ? 's' : ''}, les plus anciennes d’abord.`,
    );
    fill(
      byId('queue'),
      ...queue.items.map((idea) =>
        ideaCard(context, idea, others, (done) => void loadQueue(context, status, done)),
      ),
    );
  } catch (error) {
    fill(statusBox);
    if (error instanceof ApiError && error.status === 401) return expireSession();
    fill(byId('mo-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN);
    return;
  }
  if (!session.roles.some((role) => ['moderator', 'coordinator', 'committee'].includes(role))) {
    fill(
      byId('mo-error'),
      problemNotice({
        title: 'Accès réservé à la modération',
        detail:
          'La file de modération relève du rôle « modération » (lecture : coordination et Comité citoyen).',
        status: 403,
      }),
    );
    return;
  }
  try {
    const config = await loadConfig();
    const view = await apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`);
    fill(byId('mo-edition'), view.edition.name);
    const context: Context = {
      config,
      session,
      edition: view.edition,
      base: `/editions/${encodeURIComponent(config.edition)}`,
      canModerate: session.roles.includes('moderator'),
    };
    if (!context.canModerate) {
      fill(
        byId('mo-status'),
        h(
          'p',
          { class: 'notice notice-info' },
          'Lecture seule : les décisions relèvent du rôle « modération ».',
        ),
      );
    }
    const select = byId<HTMLSelectElement>('queue-status');
    fill(select, ...QUEUES.map((status) => h('option', { value: status }, IDEA_STATUS_LABELS[status])));
    const form = byId<HTMLFormElement>('queue-form');
    form.hidden = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void loadQueue(context, select.value);
    });
    await loadQueue(context, 'submitted');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return expireSession();
    fill(byId('mo-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

void main();
