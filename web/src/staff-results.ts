import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { clearFieldErrors, problemNotice, showFieldErrors, unexpectedProblem } from './lib/forms.ts';
import { envelopeSection, type Results } from './lib/results-view.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';
import { ROLE_LABELS } from './lib/shared-data.ts';
import type { EditionView } from './lib/types.ts';

const SIGN_IN = 'index.html';
/** Only an admin publishes or recounts (shared/manifest.ts); the other staff roles read. */
const ADMIN = 'admin';
const REASON_MIN = 5;

/** One audit line of `GET .../staff/results`: the role and a readable name, never an id. */
interface AuditLine {
  at: string;
  action: 'computed' | 'recounted' | 'recount-refused' | 'published' | 'annulled';
  actor: { kind: 'system' } | { kind: 'staff'; role: string; name?: string };
  reason: string;
  changed?: boolean;
}

/** `GET .../staff/results`: what the public will see, plus the publication state and the audit. */
interface StaffResults extends Results {
  computedAt: string;
  published: boolean;
  publishedAt?: string;
  publishReason?: string;
  annulled?: boolean;
  annulment?: { at: string; reason: string };
  audit: AuditLine[];
}

interface Context {
  config: SiteConfig;
  session: StaffSession;
  timeZone: string;
  path: string;
  isAdmin: boolean;
}

const ACTION_LABELS: Record<AuditLine['action'], string> = {
  computed: 'Dépouillement à la clôture du vote',
  recounted: 'Recomptage',
  'recount-refused': 'Recomptage refusé',
  annulled: 'Annulation du vote',
  published: 'Publication des résultats',
};

function expireSession(): void {
  signOut();
  location.replace(`${SIGN_IN}?session-expiree`);
}

function actorLabel(actor: AuditLine['actor']): string {
  if (actor.kind === 'system') return 'calcul automatique';
  const role = (ROLE_LABELS as Record<string, string>)[actor.role] ?? 'agent';
  return actor.name ? `${actor.name} (${role})` : role;
}

function time(at: string, timeZone: string): HTMLElement {
  return h('time', { datetime: at }, formatDateTime(at, timeZone));
}

function render(context: Context, view: StaffResults): void {
  fill(
    byId('sr-state'),
    h('p', {}, 'Calculés le ', time(view.computedAt, context.timeZone), '.'),
    view.published && view.publishedAt
      ? h(
          'p',
          { class: 'notice notice-success' },
          h('strong', {}, 'Publiés'),
          ' le ',
          time(view.publishedAt, context.timeZone),
          view.publishReason ? ` — motif\u00a0: ${view.publishReason}` : '',
        )
      : h(
          'p',
          { class: 'notice' },
          h('strong', {}, 'Non publiés'),
          '\u00a0: le public voit «\u00a0Résultats non publiés\u00a0».',
        ),
  );
  byId('sr-state-section').hidden = false;

  const audit = [...view.audit].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  fill(
    byId('sr-audit'),
    ...audit.map((line) =>
      h(
        'li',
        {},
        h('p', {}, time(line.at, context.timeZone)),
        h(
          'p',
          { class: 'change' },
          ACTION_LABELS[line.action] ?? line.action,
          line.changed === false ? ' — résultats identiques' : line.changed ? ' — résultats modifiés' : '',
        ),
        h('p', {}, `Par\u00a0: ${actorLabel(line.actor)}`),
        line.actor.kind === 'staff' ? h('p', {}, `Motif\u00a0: ${line.reason}`) : null,
      ),
    ),
  );
  byId('sr-audit-section').hidden = false;

  fill(byId('sr-rule'), view.counting.ruleDescription);
  fill(
    byId('sr-envelopes'),
    ...view.envelopes.map((envelope) => {
      const section = envelopeSection(envelope);
      section.append(
        h(
          'p',
          { class: 'hash' },
          `Empreinte des bulletins anonymisés (ballots-${envelope.id}.pb)\u00a0: SHA-256 ${envelope.ballotsSha256}`,
        ),
      );
      return section;
    }),
  );
  fill(
    byId('sr-files'),
    ...view.files.map((file) =>
      h('li', {}, file.name, h('span', { class: 'hash' }, ` SHA-256 ${file.sha256}`)),
    ),
  );
  byId('sr-results').hidden = false;

  // Publication once; recount and annulment until the vote is annulled (both audited, neither reopens the vote).
  const live = context.isAdmin && !view.annulled;
  byId('sr-publish').hidden = !(live && !view.published);
  byId('sr-recount').hidden = !live;
  byId('sr-annul').hidden = !live;
}

/** A form with one required reason, its own status and alert, and an optional confirmation step. */
function reasonForm(
  ids: { prefix: string; minMessage: string; pending: string; doneIn?: string; min?: number },
  confirmStep: boolean,
  send: (reason: string) => Promise<string>,
): void {
  const form = byId<HTMLFormElement>(`${ids.prefix}-form`);
  const reason = byId<HTMLTextAreaElement>(`${ids.prefix}-reason`);
  const result = byId(`${ids.prefix}-result`);
  const alert = byId(`${ids.prefix}-error`);
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
  const fields = { reason, 'body.reason': reason };

  const run = async () => {
    submit.disabled = true;
    fill(result, h('p', { class: 'loading' }, ids.pending));
    try {
      const done = await send(reason.value.trim());
      reason.value = '';
      fill(result);
      // Publishing hides its own section: its notice then goes to the page's status.
      fill(byId(ids.doneIn ?? `${ids.prefix}-result`), h('p', { class: 'notice notice-success' }, done));
    } catch (error) {
      fill(result);
      if (error instanceof ApiError && error.status === 401) return expireSession();
      const problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      fill(alert, problemNotice(problem));
      showFieldErrors(fields, problem.errors ?? []);
    } finally {
      submit.disabled = false;
    }
  };

  const confirm = confirmStep ? byId(`${ids.prefix}-confirm`) : undefined;
  if (confirm) {
    byId(`${ids.prefix}-no`).addEventListener('click', () => {
      confirm.hidden = true;
      submit.focus();
    });
    byId(`${ids.prefix}-yes`).addEventListener('click', async () => {
      confirm.hidden = true;
      await run();
    });
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(fields);
    fill(alert);
    fill(result);
    if (reason.value.trim().length < (ids.min ?? REASON_MIN)) {
      showFieldErrors(fields, [{ field: 'reason', message: ids.minMessage }]);
      return;
    }
    if (confirm) {
      confirm.hidden = false;
      byId(`${ids.prefix}-confirm-text`).focus();
      return;
    }
    await run();
  });
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN);
    return;
  }
  const status = byId('sr-status');
  try {
    const config = await loadConfig();
    const edition = encodeURIComponent(config.edition);
    const path = `/editions/${edition}/staff/results`;
    const context: Context = {
      config,
      session,
      timeZone: 'Europe/Paris',
      path,
      isAdmin: session.roles.includes(ADMIN),
    };
    const editionView = await apiRequest<EditionView>(config, `/editions/${edition}`).catch(() => undefined);
    if (editionView) {
      context.timeZone = editionView.edition.timeZone;
      fill(byId('sr-edition'), editionView.edition.name);
    }
    const view = await apiRequest<StaffResults>(config, path, { token: session.idToken });
    fill(status);
    render(context, view);
    if (!context.isAdmin) return;
    reasonForm(
      {
        prefix: 'sr-publish',
        minMessage: 'Indiquez le motif de la publication (5 caractères au moins).',
        pending: 'Publication en cours…',
        doneIn: 'sr-status',
      },
      true,
      async (reason) => {
        const published = await apiRequest<StaffResults>(config, `${path}/publish`, {
          method: 'POST',
          body: { reason },
          token: session.idToken,
        });
        render(context, published);
        return 'Les résultats sont publiés : ils sont visibles sur la page publique « Résultats ».';
      },
    );
    reasonForm(
      {
        prefix: 'sr-recount',
        minMessage: 'Indiquez le motif du recomptage (5 caractères au moins).',
        pending: 'Recomptage en cours…',
      },
      false,
      async (reason) => {
        const recounted = await apiRequest<StaffResults & { changed: boolean }>(config, `${path}/recount`, {
          method: 'POST',
          body: { reason },
          token: session.idToken,
        });
        render(context, recounted);
        return recounted.changed
          ? 'Recomptage terminé : les résultats ont changé. Vérifiez-les avant de publier.'
          : 'Recomptage terminé : les résultats sont identiques.';
      },
    );
    reasonForm(
      {
        prefix: 'sr-annul',
        minMessage: 'Indiquez le motif de l’annulation (10 caractères au moins).',
        min: 10,
        pending: 'Annulation en cours…',
        doneIn: 'sr-status',
      },
      true,
      async (reason) => {
        const annulled = await apiRequest<StaffResults>(config, `${path}/annulment`, {
          method: 'POST',
          body: { reason },
          token: session.idToken,
        });
        render(context, annulled);
        return 'Le vote est annulé : la page publique « Résultats » l’affiche avec son motif.';
      },
    );
  } catch (error) {
    fill(status);
    if (error instanceof ApiError && error.status === 401) return expireSession();
    let problem = error instanceof ApiError ? error.problem : unexpectedProblem();
    if (problem.status === 403)
      problem = { ...problem, detail: 'Votre rôle ne donne pas accès aux résultats avant leur publication.' };
    if (problem.code === 'results_not_computed')
      problem = {
        ...problem,
        title: 'Aucun résultat calculé pour le moment',
        detail: 'Le dépouillement a lieu automatiquement à la clôture du vote (phase « Dépouillement »).',
      };
    fill(byId('sr-error'), problemNotice(problem));
  }
}

void main();
