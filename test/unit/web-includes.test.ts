import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandIncludes } from '../../web/includes.ts';

const SRC = 'web/src';

async function pages(): Promise<string[]> {
  const entries = await readdir(SRC, { recursive: true, withFileTypes: true });
  return entries
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.html') && !entry.parentPath.endsWith('partials'),
    )
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('build-time includes of the static pages', () => {
  it('replaces a marker by its partial, indented like the marker, and leaves the rest alone', () => {
    // Prepare
    const partials = new Map([['footer', '<footer>\n  <p>Pied</p>\n</footer>\n']]);
    const html = '<body>\n    <main>Texte</main>\n    <!-- include: footer -->\n</body>\n';

    // Act
    const expanded = expandIncludes(html, partials, 'page.html');

    // Assess
    expect(expanded).toBe(
      '<body>\n    <main>Texte</main>\n    <footer>\n      <p>Pied</p>\n    </footer>\n</body>\n',
    );
  });

  it('refuses a marker whose partial does not exist, naming the page', () => {
    expect(() => expandIncludes('  <!-- include: nowhere -->\n', new Map(), 'staff/x.html')).toThrow(
      /staff\/x\.html.*nowhere/,
    );
  });

  it('gives every page the same skip links, brand and footer (public or staff), written once', async () => {
    // Prepare
    const files = await pages();
    expect(files.length).toBeGreaterThan(20);

    for (const file of files) {
      // Act
      const html = await readFile(file, 'utf8');
      const staff = file.includes('/staff/');

      // Assess: the shared blocks come from the partials, never from a copy in the page.
      const includes = [...html.matchAll(/<!-- include: ([a-z-]+) -->/g)].map((match) => match[1]);
      expect(includes, file).toEqual(
        staff ? ['skip-links', 'staff-brand', 'staff-footer'] : ['skip-links', 'site-brand', 'site-footer'],
      );
      expect(html, file).not.toContain('<footer');
      expect(html, file).not.toContain('class="skip-links"');
    }
  });
});
