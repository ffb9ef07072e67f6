/**
 * The Département's face on every page, public or staff: its name wherever a page holds
 * `data-face="name"`, its colours as CSS custom properties, the accessibility status in the footer
 * (`data-face="accessibility"`, the RGAA's « Accessibilité : … conforme »). The logo is a plain `<img>` of
 * /edition-logo.svg in the page. What the last page learnt is kept for the tab, so the next page shows the
 * right name and colours before the API answers.
 */
import { loadEdition } from './lib/edition.ts';
import { ACCESSIBILITY_LABELS } from './lib/legal.ts';
import type { EditionView } from './lib/types.ts';

const FACE_KEY = 'bp.site.face';

interface Face {
  name: string;
  colours: EditionView['edition']['identity']['colours'];
  accessibility: EditionView['edition']['legal']['accessibility']['status'];
}

/** The stylesheet's custom property for each colour of the edition. */
const PROPERTIES: Record<keyof Face['colours'], string> = {
  primary: '--brand',
  primaryDark: '--brand-dark',
  primaryTint: '--brand-tint',
  onPrimary: '--on-primary',
  focus: '--focus',
};

const HEX = /^#[0-9a-fA-F]{6}$/;

function apply(face: Face): void {
  for (const [key, property] of Object.entries(PROPERTIES) as [keyof Face['colours'], string][]) {
    const value = face.colours[key];
    // Validated with the edition; checked again because it lands in a style attribute.
    if (HEX.test(value)) document.documentElement.style.setProperty(property, value);
  }
  for (const element of document.querySelectorAll('[data-face="name"]')) element.textContent = face.name;
  const status = ACCESSIBILITY_LABELS[face.accessibility];
  if (status) {
    for (const element of document.querySelectorAll('[data-face="accessibility"]'))
      element.textContent = status;
  }
}

function stored(): Face | undefined {
  try {
    const face = JSON.parse(sessionStorage.getItem(FACE_KEY) ?? 'null') as Face | null;
    return face && typeof face.name === 'string' && face.colours ? face : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The site's forms are sent by their page's script. A form without an `action` must never be sent by the browser
 * itself (which reloads the page with what was typed, a password or an email, in its address), even when its
 * script has not run yet or failed.
 */
document.addEventListener(
  'submit',
  (event) => {
    if (event.target instanceof HTMLFormElement && !event.target.hasAttribute('action'))
      event.preventDefault();
  },
  { capture: true },
);

async function main(): Promise<void> {
  const known = stored();
  if (known) apply(known);
  try {
    const { edition } = await loadEdition();
    const face: Face = {
      name: edition.identity.name,
      colours: edition.identity.colours,
      accessibility: edition.legal.accessibility.status,
    };
    sessionStorage.setItem(FACE_KEY, JSON.stringify(face));
    apply(face);
  } catch {
    // Without the API the page keeps the neutral « Département » and the stylesheet's colours.
  }
}

void main();
