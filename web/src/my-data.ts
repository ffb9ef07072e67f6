import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen, signOutCitizen } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, formatDay } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { communeName, envelopes } from './lib/ideas.ts';
import { statusLabel } from './lib/profile-form.ts';
import type { EditionView } from './lib/types.ts';

/** `GET .../me`. */
interface MyData {
  identity: Record<string, unknown> & { erasedAt?: string };
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

function render(data: MyData): void {
  fill(
    byId('me-data'),
    ...Object.entries(data.identity).flatMap(([key, value]) => [
      h('dt', {}, LABELS[key] ?? key),
      h('dd', {}, display(key, value)),
    ]),
  );
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
      data = await apiRequest<MyData>(config, path(config), { token: citizen.token });
      confirm.hidden = true;
      render(data);
      fill(result, h('p', { class: 'notice notice-success' }, 'Vos données personnelles sont effacées.'));
    } catch (error) {
      fill(result, problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    } finally {
      yes.disabled = false;
    }
  });
}

void main();
