/** Escapes text for HTML; every value put in a template goes through it. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The frame of every email: French, light, readable without images. */
export function htmlLayout(options: { title: string; paragraphs: string[]; footer: string }): string {
  const body = options.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n');
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40rem;">
<h1 style="font-size: 1.25rem;">${escapeHtml(options.title)}</h1>
${body}
<hr><p style="font-size: 0.875rem; color: #4a4a4a;">${escapeHtml(options.footer)}</p>
</body></html>`;
}
