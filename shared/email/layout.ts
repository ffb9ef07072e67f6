import { LAYOUT_BLOCKS, LAYOUT_SHELL } from './layout.generated.ts';

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
}

/** Fills `{{name}}` once per placeholder, in one pass: a value that contains `{{x}}` stays as it is. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

function blockHtml(block: EmailBlock): string {
  switch (block.kind) {
    case 'text':
      return fill(LAYOUT_BLOCKS.text, { text: escapeHtml(block.text).replaceAll('\n', '<br>') });
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
    title: escapeHtml(content.title),
    preheader: escapeHtml(preheader),
    blocks: content.blocks.map(blockHtml).join('\n'),
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
export function htmlLayout(options: { title: string; paragraphs: string[]; footer: string }): string {
  return renderEmail({
    title: options.title,
    blocks: options.paragraphs.map(text),
    footer: options.footer,
  }).html;
}
