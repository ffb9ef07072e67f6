/**
 * Build-time includes for the static pages: a line `<!-- include: NAME -->` is replaced by
 * `web/src/partials/NAME.html`, indented like the marker. The header's brand, the skip links and the footers are
 * written once there, so every page carries the same ones. Hand-written: a template engine would be more than the
 * one substitution the site needs.
 */
const MARKER = /^([ \t]*)<!-- include: ([a-z0-9-]+) -->[ \t]*$/gm;

export function expandIncludes(html: string, partials: ReadonlyMap<string, string>, page: string): string {
  return html.replace(MARKER, (_line, indent: string, name: string) => {
    const partial = partials.get(name);
    if (partial === undefined) throw new Error(`${page}: no partial named « ${name} » in web/src/partials`);
    return partial
      .trimEnd()
      .split('\n')
      .map((line) => (line ? `${indent}${line}` : line))
      .join('\n');
  });
}
