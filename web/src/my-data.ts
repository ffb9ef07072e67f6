import { EMAIL_LOG_STATUS_LABELS, EMAIL_TEMPLATE_LABELS } from '../../shared/email/email-log-labels.ts';
import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen, signOutCitizen } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, formatDay } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { communeName, envelopes } from './lib/ideas.ts';
import { statusLabel } from './lib/profile-form.ts';
import { IDEA_STATUS_LABELS } from './lib/shared-data.ts';
import type { EditionView } from './lib/types.ts';

/** `GET .../me`: everything the platform holds about me (functions/identity/my-data.ts). */
interface MyData {
  identity: Record<string, unknown> & { erasedAt?: string };
  drafts: { savedAt: string; draft: { title?: string } }[];
  ideas: {
    ideaId: string;
    title: string;
    status: string;
    submittedAt: string;
    role: 'author' | 'credited';
  }[];
  supports: { ideaId: string; title?: string; supportedAt: string }[];
  follows: { projectId: string; followedAt: string }[];
  resultsNews: { subscribed: boolean; since?: string };
  emails: { template: string; status: string; createdAt: string; sentAt?: string }[];
  vote: { voted: boolean; channel?: string };
  signIns: { kept: boolean; note: string };
  kept: string;
}

const LABELS: Record<string, string> = {
  citizenId: 'Identifiant pseudonyme',
  email: 'Adresse électronique',
  firstName: 'Prénom',
  lastName: 'Nom',
  birthDate: 'Date de naissance',
  commune: 'Commune',
  territory: 'Territoire',
  workOrStudy: 'Travaille ou étudie dans le Département',
  status: 'Statut de l’identité',
  channel: 'Inscription',
  createdAt: 'Vérifiée le',
  erasedAt: 'Données personnelles effacées le',
  decision: 'Décision de l’équipe de coordination',
  reviewId: 'Examen de doublon',
  registeredBy: 'Inscrite par (agent)',
};

/** Territory names of the edition (id → name), when the edition could be read. */
let territoryNames: Record<string, string> = {};

function display(key: string, value: unknown): string {
  if (value === '' || value === undefined || value === null) return '(effacé)';
  if (key === 'commune' && typeof value === 'string') return communeName(value);
  if (key === 'territory' && typeof value === 'string') return territoryNames[value] ?? value;
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  if (key === 'status') return statusLabel(String(value));
  if (key === 'channel') return value === 'in-person' ? 'sur place' : 'en ligne, par courriel';
  if (key === 'birthDate' && typeof value === 'string') {
    return formatDay(value);
  }
  if ((key === 'createdAt' || key === 'erasedAt') && typeof value === 'string') return formatDateTime(value);
  if (key === 'decision' && typeof value === 'object') {
    const decision = value as { outcome: string; at: string; reason: string };
    return `${decision.outcome === 'clear' ? 'validée' : 'écartée'} le ${formatDateTime(decision.at)}\u00a0: ${decision.reason}`;
  }
  return String(value);
}

/** A list of items, or a sentence when there is none. */
function listOr<T>(id: string, items: readonly T[], none: string, item: (value: T) => Node): void {
  fill(
    byId(id),
    items.length > 0
      ? h('ul', { class: 'plain-list' }, ...items.map((v) => h('li', {}, item(v))))
      : h('p', {}, none),
  );
}

const ideaLink = (ideaId: string, title: string) =>
  h('a', { href: `idee.html?id=${encodeURIComponent(ideaId)}` }, title);

function render(data: MyData): void {
  fill(
    byId('me-data'),
    ...Object.entries(data.identity).flatMap(([key, value]) => [
      h('dt', {}, LABELS[key] ?? key),
      h('dd', {}, display(key, value)),
    ]),
  );
  listOr('me-drafts', data.drafts, 'Aucun brouillon d’idée.', (d) =>
    h(
      'span',
      {},
      `Brouillon « ${d.draft.title?.trim() || 'sans titre'} », enregistré le ${formatDateTime(d.savedAt)} — `,
      h('a', { href: 'proposer.html' }, 'le reprendre'),
    ),
  );
  listOr('me-ideas', data.ideas, 'Aucune idée.', (i) =>
    h(
      'span',
      {},
      ideaLink(i.ideaId, i.title),
      ` — ${IDEA_STATUS_LABELS[i.status as keyof typeof IDEA_STATUS_LABELS] ?? 'statut inconnu'}, ${
        i.role === 'author' ? 'proposée par vous' : 'vous êtes crédité·e (idée regroupée)'
      } le ${formatDateTime(i.submittedAt)}`,
    ),
  );
  listOr('me-supports', data.supports, 'Vous ne soutenez aucune idée.', (s) =>
    h('span', {}, ideaLink(s.ideaId, s.title ?? 'Idée'), ` — soutenue le ${formatDateTime(s.supportedAt)}`),
  );
  listOr('me-follows', data.follows, 'Vous ne suivez aucun projet.', (f) =>
    h(
      'span',
      {},
      h('a', { href: 'suivi.html' }, 'Projet suivi'),
      ` depuis le ${formatDateTime(f.followedAt)}`,
    ),
  );
  fill(
    byId('me-news'),
    data.resultsNews.subscribed
      ? `Oui, depuis le ${formatDateTime(data.resultsNews.since ?? '')}.`
      : 'Non, vous n’avez pas demandé à recevoir les résultats par courriel.',
  );
  listOr('me-emails', data.emails, 'Aucun courriel ne vous a été envoyé.', (e) =>
    h(
      'span',
      {},
      `${EMAIL_TEMPLATE_LABELS[e.template] ?? 'Courriel'} — ${
        EMAIL_LOG_STATUS_LABELS[e.status as keyof typeof EMAIL_LOG_STATUS_LABELS] ?? 'état inconnu'
      }, le ${formatDateTime(e.sentAt ?? e.createdAt)}`,
    ),
  );
  fill(
    byId('me-vote'),
    data.vote.voted
      ? `Vous avez voté (${data.vote.channel === 'paper' ? 'sur papier' : data.vote.channel === 'kiosk' ? 'sur une borne' : 'en ligne'}). Le contenu de votre bulletin est secret : il n’est relié à vous nulle part.`
      : 'Vous n’avez pas voté.',
  );
  fill(byId('me-sign-ins'), data.signIns.note);
  fill(byId('me-kept'), data.kept);
  byId('erase').hidden = Boolean(data.identity.erasedAt);
  byId('me').hidden = false;
}

function download(data: MyData): void {
  const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
  const link = h('a', { href: URL.createObjectURL(blob), download: 'mes-donnees-budget-participatif.json' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function signedOut(message?: string): void {
  fill(byId('me-status'), message ? h('p', { class: 'notice notice-info' }, message) : null);
  byId('me').hidden = true;
  byId('me-signed-out').hidden = false;
}

async function main(): Promise<void> {
  const citizen = currentCitizen();
  if (!citizen) return signedOut();
  let config: SiteConfig;
  let data: MyData;
  const path = (c: SiteConfig) => `/editions/${encodeURIComponent(c.edition)}/me`;
  try {
    config = await loadConfig();
    const [mine, edition] = await Promise.allSettled([
      apiRequest<MyData>(config, path(config), { token: citizen.token }),
      apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`),
    ]);
    if (mine.status === 'rejected') throw mine.reason;
    data = mine.value;
    if (edition.status === 'fulfilled') {
      territoryNames = Object.fromEntries(envelopes(edition.value.edition).map(({ id, name }) => [id, name]));
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOutCitizen();
      return signedOut('Votre session a expiré. Vérifiez à nouveau votre identité.');
    }
    fill(byId('me-status'));
    fill(byId('me-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    return;
  }
  fill(
    byId('me-status'),
    new URLSearchParams(location.search).has('verifie')
      ? h(
          'p',
          { class: 'notice notice-success' },
          citizen.status === 'held'
            ? 'Vous êtes connecté·e. Votre identité ressemble à une autre déjà enregistrée : l’équipe de coordination va l’examiner avant que vous puissiez voter.'
            : 'Votre identité est vérifiée : vous êtes connecté·e.',
        )
      : null,
  );
  render(data);

  byId('download').addEventListener('click', () => download(data));
  byId('sign-out').addEventListener('click', () => {
    signOutCitizen();
    signedOut('Vous êtes déconnecté·e.');
  });
  const confirm = byId('erase-confirm');
  const result = byId('erase-result');
  byId('erase').addEventListener('click', () => {
    confirm.hidden = false;
    byId('erase-confirm-text').focus();
  });
  byId('erase-no').addEventListener('click', () => {
    confirm.hidden = true;
    byId('erase').focus();
  });
  byId('erase-yes').addEventListener('click', async () => {
    const yes = byId<HTMLButtonElement>('erase-yes');
    yes.disabled = true;
    fill(result, h('p', { class: 'loading' }, 'Effacement en cours…'));
    try {
      await apiRequest(config, path(config), { method: 'DELETE', token: citizen.token });
      // The session named the former identity, which no longer exists: nothing more to show.
      confirm.hidden = true;
      fill(byId('me-data'));
      signOutCitizen();
      signedOut('Vos données personnelles sont effacées.');
    } catch (error) {
      fill(result, problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    } finally {
      yes.disabled = false;
    }
  });
}

void main();
