/**
 * The public site's navigation, one module for every public page: each page's header holds an empty
 * `<nav id="site-nav">` and loads this script. The action of the current phase comes first ("Proposer une
 * idée" during the call for ideas, "Voter" during the vote, "Voir les résultats" after); the other links
 * fold behind a "Menu" button on small screens.
 */
import { currentCitizen } from './lib/citizen-session.ts';
import { fill, h } from './lib/dom.ts';
import { loadEdition } from './lib/edition.ts';
import { PHASE_ACTIONS } from './lib/phase-action.ts';
import { PHASES } from './lib/shared-data.ts';
import type { Phase } from './lib/types.ts';

interface NavLink {
  href: string;
  label: string;
}

/** The last phase this tab saw, to draw the right menu at once on the next page. */
const PHASE_KEY = 'bp.site.phase';

const LINKS = {
  home: { href: './', label: 'Accueil' },
  ideas: { href: 'idees.html', label: 'Les idées' },
  propose: { href: 'proposer.html', label: 'Proposer une idée' },
  myIdeas: { href: 'mes-idees.html', label: 'Mes idées' },
  vote: { href: 'vote.html', label: 'Voter' },
  turnout: { href: 'participation.html', label: 'Participation' },
  results: { href: 'resultats.html', label: 'Voir les résultats' },
  followUp: { href: 'suivi.html', label: 'Suivi des projets' },
  verify: { href: 'identite.html', label: 'Vérifier mon identité' },
  myData: { href: 'mes-donnees.html', label: 'Mes données' },
} satisfies Record<string, NavLink>;

/**
 * The phase's action, shown first and never folded away: the home page's call to action of the phase, same
 * words (web/src/lib/phase-action.ts), in the phases where it belongs in the header.
 */
export function phaseAction(phase: Phase | undefined): NavLink | undefined {
  const action = phase ? PHASE_ACTIONS[phase] : undefined;
  if (!action?.inNavigation) return undefined;
  return { href: action.href, label: action.label };
}

/** The other links, those that make sense in this phase (all of them while the phase is unknown). */
export function menuLinks(phase: Phase | undefined, signedIn: boolean): NavLink[] {
  const at = phase ? PHASES.indexOf(phase) : -1;
  const from = (first: Phase) => at < 0 || at >= PHASES.indexOf(first);
  const links: (NavLink | false)[] = [
    LINKS.home,
    from('ideas') && LINKS.ideas,
    at < 0 && LINKS.propose,
    from('ideas') && LINKS.myIdeas,
    at < 0 && LINKS.vote,
    from('vote') && LINKS.turnout,
    at < 0 && { ...LINKS.results, label: 'Résultats' },
    from('results') && LINKS.followUp,
    signedIn ? LINKS.myData : LINKS.verify,
  ];
  const action = phaseAction(phase);
  return links.filter((link): link is NavLink => link !== false && link.href !== action?.href);
}

/** The file name of a link or of this page, `./` and `index.html` being the same page. */
function pageOf(href: string): string {
  const name = new URL(href, location.href).pathname.split('/').pop() ?? '';
  return name === '' ? 'index.html' : name;
}

function link({ href, label }: NavLink, className?: string): HTMLAnchorElement {
  const current = pageOf(href) === pageOf(location.href);
  return h('a', { href, class: className, 'aria-current': current ? 'page' : null }, label);
}

function storedPhase(): Phase | undefined {
  const value = sessionStorage.getItem(PHASE_KEY);
  return (PHASES as readonly string[]).includes(value ?? '') ? (value as Phase) : undefined;
}

function render(nav: HTMLElement, phase: Phase | undefined): void {
  const open = nav.classList.contains('is-open');
  const action = phaseAction(phase);
  const toggle = h(
    'button',
    { type: 'button', class: 'nav-toggle', 'aria-expanded': String(open), 'aria-controls': 'site-nav-list' },
    'Menu',
  );
  const list = h(
    'ul',
    { id: 'site-nav-list', class: 'nav-list' },
    ...menuLinks(phase, currentCitizen() !== null).map((entry) => h('li', {}, link(entry))),
  );
  toggle.addEventListener('click', () => {
    const next = !nav.classList.contains('is-open');
    nav.classList.toggle('is-open', next);
    toggle.setAttribute('aria-expanded', String(next));
  });
  fill(nav, action ? link(action, 'nav-action') : null, toggle, list);
}

async function main(): Promise<void> {
  const nav = document.getElementById('site-nav');
  if (!nav) return;
  nav.addEventListener('keydown', (event) => {
    const toggle = nav.querySelector<HTMLButtonElement>('.nav-toggle');
    if (event.key !== 'Escape' || !toggle || !nav.classList.contains('is-open')) return;
    nav.classList.remove('is-open');
    toggle.setAttribute('aria-expanded', 'false');
    toggle.focus();
  });
  const known = storedPhase();
  render(nav, known);
  try {
    const view = await loadEdition();
    const phase = view.phase.current;
    sessionStorage.setItem(PHASE_KEY, phase);
    if (phase !== known) render(nav, phase);
  } catch {
    // Without the phase, every link stays: the pages explain what is open.
  }
}

void main();
