import { LAYOUT_BLOCKS, LAYOUT_BRAND, LAYOUT_SHELL } from './layout.generated.ts';

/** Escapes text for HTML; every value put in a template goes through it. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** One block of an email's body; each has an HTML form (compiled from layout.mjml) and a text form. */
export type EmailBlock =
  | { kind: 'text'; text: string }
  /** A call to action: a button in HTML, `label : href` in text. */
  | { kind: 'button'; label: string; href: string }
  /** Labelled values (title, territory, due date...): a small table in HTML. */
  | { kind: 'facts'; rows: readonly (readonly [string, string])[] }
  | { kind: 'list'; items: readonly string[] };

export const text = (value: string): EmailBlock => ({ kind: 'text', text: value });
export const button = (label: string, href: string): EmailBlock => ({ kind: 'button', label, href });
export const facts = (rows: readonly (readonly [string, string])[]): EmailBlock => ({ kind: 'facts', rows });
export const list = (items: readonly string[]): EmailBlock => ({ kind: 'list', items });

export interface EmailContent {
  title: string;
  /** The line mail clients show next to the subject. @default the first text block */
  preheader?: string;
  blocks: readonly EmailBlock[];
  /** Why the recipient gets this email. */
  footer: string;
  /** Signed unsubscribe link of non-essential mail (none on decisions about one's own idea, security mail). */
  unsubscribeUrl?: string;
  /** The Département's header; without it, a plain one that `brandEmailHtml` can replace when sending. */
  brand?: EmailBrand;
  /**
   * The site's address: a text block that carries a link to one of its pages (`… : https://…`) also gets a
   * real button in the HTML part (never a link elsewhere, whoever wrote it).
   */
  siteUrl?: string;
}

/** Who the email comes from, in its header: the Département's name and logo (a PNG or SVG address). */
export interface EmailBrand {
  name: string;
  logoUrl: string;
}

const BRAND_START = '<!--bp:brand-->';
const BRAND_END = '<!--bp:brand-end-->';

function headerHtml(brand: EmailBrand | undefined): string {
  const header = brand
    ? fill(LAYOUT_BRAND.branded, { name: escapeHtml(brand.name), logoUrl: escapeHtml(brand.logoUrl) })
    : LAYOUT_BRAND.plain;
  return `${BRAND_START}${header}${BRAND_END}`;
}

/**
 * Puts the Département's name and logo in the header of an email rendered without them (at send time:
 * shared/email/branding.ts). Only the header between the layout's own markers changes: every value in an
 * email is escaped, so no text of a user can hold the markers.
 */
export function brandEmailHtml(html: string, brand: EmailBrand): string {
  const start = html.indexOf(BRAND_START);
  const end = html.indexOf(BRAND_END, start);
  if (start < 0 || end < 0) return html;
  return `${html.slice(0, start)}${headerHtml(brand)}${html.slice(end + BRAND_END.length)}`;
}

/** Fills `{{name}}` once per placeholder, in one pass: a value that contains `{{x}}` stays as it is. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The words of the button that opens a page of the site, by the page's address (the site's own wording). */
const PAGE_BUTTONS: readonly (readonly [RegExp, string])[] = [
  [/\/mes-idees\.html/, 'Mes idées'],
  [/\/idee\.html/, 'Voir l’idée'],
  [/\/resultats\.html/, 'Voir les résultats'],
  [/\/suivi\.html/, 'Suivre les projets'],
  [/\/recu\.html/, 'Vérifier mon reçu'],
  [/\/vote\.html/, 'Voter'],
  [/\/proposer\.html/, 'Proposer une idée'],
  [/\/staff\/dossier\.html/, 'Ouvrir le dossier'],
  [/\/staff\//, 'Espace des équipes'],
];

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/;

/**
 * A paragraph that carries an action link (`… : https://…`) as a sentence and a real button: the sentence
 * without the address, then the button. A short lead (« Suivre mes idées : https://… ») becomes the button's
 * words; otherwise the button says what the page is. The plain-text part keeps the paragraph as it is.
 */
export function splitActionLink(
  paragraph: string,
  siteUrl: string,
): { text?: string; label: string; href: string } | undefined {
  const match = URL_IN_TEXT.exec(paragraph);
  if (!match) return undefined;
  const href = match[0].replace(/[.,;:)»]+$/, '');
  // Only the site's own pages: an address someone typed into an idea's title never becomes a button.
  if (!href.startsWith(`${siteUrl.replace(/\/$/, '')}/`)) return undefined;
  const before = paragraph
    .slice(0, match.index)
    .replace(/\s*:\s*$/, '')
    .trimEnd();
  const tail = paragraph.slice(match.index + href.length);
  // The full stop closing the sentence after the address goes with it.
  const after = /^[.,;]?\s*$/.test(tail) ? '' : tail;
  const rest = `${before}${after}`.trim();
  if (!after.trim() && before.length > 0 && before.length <= 40 && !/[.!?]/.test(before))
    return { label: before, href };
  const label = PAGE_BUTTONS.find(([page]) => page.test(new URL(href).pathname))?.[1] ?? 'Ouvrir la page';
  const sentence = rest && !/[.!?)]$/.test(rest) ? `${rest}.` : rest;
  return { ...(sentence ? { text: sentence } : {}), label, href };
}

function textHtml(value: string): string {
  return fill(LAYOUT_BLOCKS.text, { text: escapeHtml(value).replaceAll('\n', '<br>') });
}

function blockHtml(block: EmailBlock, siteUrl: string | undefined): string {
  switch (block.kind) {
    case 'text': {
      const action = siteUrl && !block.text.includes('\n') ? splitActionLink(block.text, siteUrl) : undefined;
      if (!action) return textHtml(block.text);
      return [
        action.text ? textHtml(action.text) : '',
        fill(LAYOUT_BLOCKS.button, { href: escapeHtml(action.href), label: escapeHtml(action.label) }),
      ].join('\n');
    }
    case 'button':
      return fill(LAYOUT_BLOCKS.button, { href: escapeHtml(block.href), label: escapeHtml(block.label) });
    case 'facts':
      return fill(LAYOUT_BLOCKS.facts, {
        rows: block.rows
          .map(
            ([label, value]) =>
              `<tr><th scope="row" style="text-align:left;vertical-align:top;padding:4px 12px 4px 0;font-weight:600;white-space:nowrap;">${escapeHtml(label)}</th><td style="padding:4px 0;">${escapeHtml(value).replaceAll('\n', '<br>')}</td></tr>`,
          )
          .join(''),
      });
    case 'list':
      return fill(LAYOUT_BLOCKS.list, {
        items: block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join(''),
      });
  }
}

function blockText(block: EmailBlock): string {
  switch (block.kind) {
    case 'text':
      return block.text;
    case 'button':
      return `${block.label} : ${block.href}`;
    case 'facts':
      return block.rows.map(([label, value]) => `${label} : ${value}`).join('\n');
    case 'list':
      return block.items.map((item) => `- ${item}`).join('\n');
  }
}

/** The HTML and the plain-text part of one email, from the same blocks. */
export function renderEmail(content: EmailContent): { html: string; text: string } {
  const firstText = content.blocks.find((block) => block.kind === 'text' && block.text !== 'Bonjour,');
  const preheader = content.preheader ?? (firstText?.kind === 'text' ? firstText.text.slice(0, 140) : '');
  const unsubscribe = content.unsubscribeUrl
    ? `<br><br><a href="${escapeHtml(content.unsubscribeUrl)}" style="color:#4a4a4a;">Se désabonner de ces messages</a>`
    : '';
  const html = fill(LAYOUT_SHELL, {
    header: headerHtml(content.brand),
    title: escapeHtml(content.title),
    preheader: escapeHtml(preheader),
    blocks: content.blocks.map((block) => blockHtml(block, content.siteUrl)).join('\n'),
    footer: escapeHtml(content.footer),
    unsubscribe,
  });
  const unsubscribeText = content.unsubscribeUrl
    ? `\nSe désabonner de ces messages : ${content.unsubscribeUrl}`
    : '';
  const textPart = `${content.blocks.map(blockText).join('\n\n')}\n\n--\n${content.footer}${unsubscribeText}\n`;
  return { html, text: textPart };
}

/** The frame of every email, from paragraphs of plain text (each escaped): French, readable without images. */
export function htmlLayout(options: {
  title: string;
  paragraphs: string[];
  footer: string;
  /** The site's address: its action links become buttons. */
  siteUrl?: string;
}): string {
  return renderEmail({
    title: options.title,
    blocks: options.paragraphs.map(text),
    footer: options.footer,
    ...(options.siteUrl ? { siteUrl: options.siteUrl } : {}),
  }).html;
}
