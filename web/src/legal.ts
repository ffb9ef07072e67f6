/**
 * The legal pages (mentions-legales, donnees-personnelles, accessibilite, contact): each `<main>` names its
 * content in `data-legal`, filled from the edition file through the public API.
 */
import { byId, fill, h } from './lib/dom.ts';
import { loadEdition } from './lib/edition.ts';
import { accessibilityStatement, contactPage, legalNotice, privacyNotice } from './lib/legal.ts';

const PAGES = {
  mentions: legalNotice,
  'donnees-personnelles': privacyNotice,
  accessibilite: (edition) => accessibilityStatement(edition, location.origin),
  contact: contactPage,
} satisfies Record<string, (edition: Parameters<typeof legalNotice>[0]) => Node[]>;

async function main(): Promise<void> {
  const page = byId('contenu').dataset.legal as keyof typeof PAGES | undefined;
  const render = page ? PAGES[page] : undefined;
  const status = byId('legal-status');
  if (!render) return;
  try {
    const { edition } = await loadEdition();
    fill(byId('legal-content'), ...render(edition));
    fill(status);
  } catch {
    fill(status);
    fill(
      byId('legal-error'),
      h(
        'div',
        { class: 'notice notice-error' },
        h('p', {}, h('strong', {}, 'Impossible d’afficher cette page.')),
        h('p', {}, 'Le service ne répond pas. Réessayez dans quelques instants.'),
      ),
    );
  }
}

void main();
