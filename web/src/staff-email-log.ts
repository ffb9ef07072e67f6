import { EMAIL_LOG_STATUS_LABELS, EMAIL_LOG_STATUSES } from '../../shared/email/email-log-labels.ts';
import type { EmailLogPage } from '../../shared/email/email-log-schemas.ts';
import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';

const SIGN_IN = 'index.html';
/** The templates of functions/notifications (and of identity's code email, sent by identity itself). */
const TEMPLATES: Record<string, string> = {
  'phase-changed': 'Changement de phase',
  'duplicate-suspected': 'Doublon possible',
  'vote-window-changed': 'Vote suspendu, repris ou prolongé',
  'idea-submitted': 'Idée reçue',
  'idea-published': 'Idée publiée',
  'idea-change-requested': 'Modification demandée',
  'idea-hidden': 'Idée masquée',
  'idea-merged': 'Idées regroupées',
  'idea-assigned': 'Idée à instruire',
  'reassignment-requested': 'Demande de réattribution',
  'decision-verdict': 'Décision à l’auteur',
  'deadline-reminder': 'Rappel d’échéance',
  'deadline-escalation': 'Échéance dépassée',
  'instruction-digest': 'Point quotidien',
  'ballot-list-validated': 'Liste des projets validée',
  'ballot-list-reopened': 'Liste des projets rouverte',
};

interface Context {
  config: SiteConfig;
  session: StaffSession;
  base: string;
}

let cursor: string | undefined;
let lastQuery = new URLSearchParams();

function queryFromForm(): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of ['recipient', 'template', 'status', 'event']) {
    const value = (byId<HTMLInputElement | HTMLSelectElement>(`el-${name}`).value ?? '').trim();
    if (value) query.set(name, value);
  }
  return query;
}

/**
 * An inhabitant's address is never copied into the log (`citizen:<id>`, read at send time): the page says
 * « un·e habitant·e » rather than showing the pseudonymous id. Staff addresses are shown as they are.
 */
function recipientText(recipient: string): string {
  return recipient.startsWith('citizen:')
    ? 'Un·e habitant·e (adresse non conservée dans le journal)'
    : recipient;
}

async function search(context: Context, more: boolean): Promise<void> {
  const query = new URLSearchParams(more ? lastQuery : queryFromForm());
  if (!more) {
    cursor = undefined;
    lastQuery = new URLSearchParams(query);
  }
  if (more && cursor) query.set('cursor', cursor);
  fill(byId('el-error'));
  fill(byId('el-status-line'), h('p', { class: 'loading' }, 'Recherche…'));
  try {
    const page = await apiRequest<EmailLogPage>(context.config, `${context.base}/staff/email-log?${query}`, {
      token: context.session.idToken,
    });
    const rows = page.items.map((item) =>
      h(
        'tr',
        {},
        h('td', {}, formatDateTime(item.updatedAt)),
        h('td', {}, recipientText(item.recipient)),
        h('td', {}, TEMPLATES[item.template] ?? item.template),
        h(
          'td',
          {},
          item.statusLabel,
          item.lastError && item.status === 'failed' ? ` (${item.lastError})` : '',
          item.suppressedReason ? ` (${item.suppressedReason})` : '',
        ),
        h('td', {}, String(item.attempts)),
        h('td', {}, h('details', {}, h('summary', {}, 'Voir'), h('code', {}, item.key))),
      ),
    );
    const body = byId('el-rows');
    if (more) body.append(...rows);
    else fill(body, ...rows);
    byId('el-table').hidden = body.childElementCount === 0;
    byId('el-table-wrap').hidden = body.childElementCount === 0;
    cursor = page.cursor;
    byId('el-more').hidden = !cursor;
    fill(
      byId('el-status-line'),
      h(
        'p',
        {},
        body.childElementCount === 0
          ? 'Aucun courriel ne correspond à cette recherche.'
          : `${body.childElementCount} courriel${body.childElementCount > 1 ? 's' : ''} affiché${body.childElementCount > 1 ? 's' : ''}${cursor ? ' ; d’autres, plus anciens, suivent.' : '.'}`,
      ),
    );
  } catch (error) {
    fill(byId('el-status-line'));
    if (error instanceof ApiError && error.status === 401) {
      signOut();
      location.replace(`${SIGN_IN}?session-expiree`);
      return;
    }
    fill(byId('el-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN);
    return;
  }
  if (!session.roles.some((role) => ['coordinator', 'admin'].includes(role))) {
    fill(
      byId('el-error'),
      problemNotice({
        title: 'Accès réservé à la coordination',
        detail: 'Le journal des courriels est réservé aux rôles « coordination » et « administration ».',
        status: 403,
      }),
    );
    return;
  }
  const config = await loadConfig();
  const context: Context = { config, session, base: `/editions/${encodeURIComponent(config.edition)}` };
  fill(
    byId('el-template'),
    h('option', { value: '' }, 'Tous'),
    ...Object.entries(TEMPLATES).map(([value, label]) => h('option', { value }, label)),
  );
  fill(
    byId('el-status'),
    h('option', { value: '' }, 'Tous'),
    ...EMAIL_LOG_STATUSES.map((status) => h('option', { value: status }, EMAIL_LOG_STATUS_LABELS[status])),
  );
  const form = byId<HTMLFormElement>('el-form');
  form.hidden = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void search(context, false);
  });
  byId('el-more').addEventListener('click', () => void search(context, true));
  await search(context, false);
}

void main();
