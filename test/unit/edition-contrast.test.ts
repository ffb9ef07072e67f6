import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  COLOUR_PAIRS,
  contrastProblems,
  contrastRatio,
  type EditionColours,
  relativeLuminance,
} from '../../shared/edition/contrast.ts';
import { parseEditionConfig } from '../../shared/edition/load-edition.ts';

const EDITIONS = fileURLToPath(new URL('../../editions/', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/edition-minimal.json', import.meta.url));

const GOOD: EditionColours = {
  primary: '#005a70',
  primaryDark: '#003e4d',
  primaryTint: '#e5f1f4',
  onPrimary: '#ffffff',
  focus: '#c2410c',
};

describe('WCAG contrast', () => {
  it('computes the ratios the WCAG gives', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 10);
    // Well-known values: #767676 is the lightest grey that passes 4.5:1 on white, #777777 fails it.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#abcdef', '#abcdef')).toBe(1);
  });

  it('accepts colours that meet AA on every pair', () => {
    expect(contrastProblems(GOOD)).toEqual([]);
  });

  it('refuses text just below 4.5:1 and a control just below 3:1', () => {
    const problems = contrastProblems({ ...GOOD, primary: '#777777', focus: '#a0a0a0' });

    expect(problems.map((p) => p.field)).toEqual(['onPrimary', 'primary', 'focus']);
    expect(problems[1]?.message).toBe(
      'Contraste insuffisant entre primary (#777777) et le blanc de la page (#ffffff) : 4,47:1, il faut au moins 4,50:1 (WCAG AA, liens sur fond blanc)',
    );
    expect(problems[2]?.message).toContain('il faut au moins 3,00:1 (WCAG AA, contour du focus clavier)');
  });

  it('checks every pair of the table, each colour of the edition at least once', () => {
    const used = new Set(COLOUR_PAIRS.flatMap((pair) => [pair.foreground, pair.background]));
    for (const key of Object.keys(GOOD)) expect(used.has(key as keyof EditionColours)).toBe(true);
    // Every pair fails when its foreground equals its background.
    for (const pair of COLOUR_PAIRS) {
      const background = pair.background === 'paper' ? '#ffffff' : GOOD[pair.background];
      const colours = { ...GOOD, [pair.foreground]: background };
      expect(contrastProblems(colours).some((p) => p.field === pair.foreground)).toBe(true);
    }
  });

  it('is part of the edition schema: a low-contrast edition is refused with a French line', async () => {
    const raw = JSON.parse(await readFile(FIXTURE, 'utf8'));
    raw.identity.colours.primaryTint = '#5f8f9c';

    const parsed = parseEditionConfig(raw);

    expect(parsed).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(
          /^identity\.colours\.primaryDark: Contraste insuffisant entre primaryDark \(#003e4d\) et primaryTint \(#5f8f9c\) : \d,\d\d:1, il faut au moins 4,50:1 \(WCAG AA, texte sur fond teinté\)$/,
        ),
        expect.stringMatching(/^identity\.colours\.primary: .* il faut au moins 3,00:1/),
      ],
    });
  });

  it('holds for every edition file of editions/ and for the test fixture', async () => {
    const files = (await readdir(EDITIONS)).filter(
      (name) => /^[a-z0-9-]+\.json$/.test(name) && !name.includes('.projects.'),
    );
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of [...files.map((name) => `${EDITIONS}${name}`), FIXTURE]) {
      const raw = JSON.parse(await readFile(file, 'utf8'));
      expect(contrastProblems(raw.identity.colours), file).toEqual([]);
    }
  });
});
