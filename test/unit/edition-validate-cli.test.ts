import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEditionFile } from '../../bin/commands/edition-validate.ts';

const BP = fileURLToPath(new URL('../../bin/bp.js', import.meta.url));
const DEMO = fileURLToPath(new URL('../../editions/loire-atlantique-demo.json', import.meta.url));

interface Run {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** Runs the CLI as ops would, through the plain-JS shim npm links as `bp`. */
async function bp(...args: string[]): Promise<Run> {
  const lines = (text: string) => text.split('\n').filter((line) => line !== '');
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BP, ...args], {
      timeout: 30_000,
    });
    return { code: 0, stdout: lines(stdout), stderr: lines(stderr) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: lines(failed.stdout ?? ''), stderr: lines(failed.stderr ?? '') };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: tests break the config on purpose.
type Raw = any;
let dir: string;
let demo: Raw;
async function editionFile(name: string, change: (config: Raw) => void = () => {}): Promise<string> {
  const config = structuredClone(demo);
  change(config);
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bp-validate-'));
  demo = JSON.parse(await readFile(DEMO, 'utf8'));
  // The logo lies next to the edition file, as in editions/.
  await copyFile(
    new URL(`../../editions/${demo.identity.logo}`, import.meta.url),
    join(dir, demo.identity.logo),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each case starts a Node process that compiles the CLI with tsx: slow on a busy machine.
describe('bp edition validate', { timeout: 40_000 }, () => {
  it('prints ok and exits 0 for a valid edition', async () => {
    const file = await editionFile('good.json');

    const run = await bp('edition', 'validate', file);

    expect(run).toEqual({ code: 0, stdout: [`ok ${file}`], stderr: [] });
  });

  it('prints one line per schema error and exits 1', async () => {
    const file = await editionFile('bad-schema.json', (c) => {
      c.calendar.voteOpen = '2023-09-01T09:00';
      c.territories[2].communes[5] = '4400';
    });

    const run = await bp('edition', 'validate', file);

    expect(run.code).toBe(1);
    expect(run.stdout).toEqual([]);
    expect(run.stderr).toEqual([
      `${file}: territories.2.communes.5: Code INSEE de commune attendu (5 caractères)`,
      `${file}: calendar.voteOpen: Doit être postérieur à calendar.instructionEnd (2023-09-08T18:00)`,
    ]);
  });

  it('reports a commune of another département', async () => {
    // Redon (35236) heads an agglomeration that spans 44 and 35, but the town itself is in Ille-et-Vilaine.
    const file = await editionFile('outside.json', (c) => c.territories[3].communes.push('35236'));

    const run = await bp('edition', 'validate', file);

    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      `${file}: territories.3.communes.54: 35236 (Redon) est dans le département 35 (Ille-et-Vilaine), pas dans le 44`,
    ]);
  });

  it('refuses two territories on the same tile of the turnout map', async () => {
    const file = await editionFile('same-tile.json', (c) => {
      c.territories[4].tile = { row: 1, col: 1 };
    });

    const run = await bp('edition', 'validate', file);

    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      `${file}: territories.4.tile: La tuile (ligne 1, colonne 1) est déjà celle du territoire nantes`,
    ]);
  });

  it('checks every file given and fails if one is invalid', async () => {
    const good = await editionFile('good-too.json');
    const bad = await editionFile('bad-name.json', (c) => delete c.name);

    const run = await bp('edition', 'validate', good, bad);

    expect(run.code).toBe(1);
    expect(run.stdout).toEqual([`ok ${good}`]);
    expect(run.stderr).toEqual([`${bad}: name: Champ obligatoire manquant (texte attendu)`]);
  });

  it('refuses an edition without what its legal pages need, naming the missing part in French', async () => {
    const noController = await editionFile('no-controller.json', (c) => delete c.legal.controller);
    const noDpo = await editionFile('no-dpo.json', (c) => delete c.legal.dpo);
    const noAccessibilityContact = await editionFile(
      'no-accessibility-contact.json',
      (c) => delete c.legal.accessibility.contact,
    );

    const run = await bp('edition', 'validate', noController, noDpo, noAccessibilityContact);

    expect(run.code).toBe(1);
    expect(run.stdout).toEqual([]);
    expect(run.stderr).toEqual([
      `${noController}: legal.controller: Champ obligatoire manquant (objet attendu) : le responsable du traitement (nom, adresse, représentant), cité dans « Données personnelles »`,
      `${noDpo}: legal.dpo: Champ obligatoire manquant (objet attendu) : le contact du délégué à la protection des données (adresse électronique), cité dans « Données personnelles »`,
      `${noAccessibilityContact}: legal.accessibility.contact: Champ obligatoire manquant (objet attendu) : le contact pour signaler un défaut d’accessibilité (adresse électronique), cité dans la « Déclaration d’accessibilité »`,
    ]);
  });

  it('refuses colours below WCAG AA contrast', async () => {
    // Grey: links on white at 2.84:1, and white text on it as low, where text needs 4.5:1.
    const file = await editionFile('pale.json', (c) => {
      c.identity.colours.primary = '#999999';
    });

    const run = await bp('edition', 'validate', file);

    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      `${file}: identity.colours.onPrimary: Contraste insuffisant entre onPrimary (#ffffff) et primary (#999999) : 2,84:1, il faut au moins 4,50:1 (WCAG AA, texte de l’en-tête et des boutons)`,
      `${file}: identity.colours.primary: Contraste insuffisant entre primary (#999999) et le blanc de la page (#ffffff) : 2,84:1, il faut au moins 4,50:1 (WCAG AA, liens sur fond blanc)`,
    ]);
  });

  it('prints usage with --help and exits 0', async () => {
    const run = await bp('--help');

    expect(run.code).toBe(0);
    expect(run.stdout[0]).toBe('Usage : bp <commande> [arguments]');
    expect(run.stdout.some((line) => line.includes('bp edition validate <fichier.json>...'))).toBe(true);
  });
});

describe('validateEditionFile', () => {
  it('refuses an edition whose logo is missing or active', async () => {
    const missing = await editionFile('no-logo.json', (c) => {
      c.identity.logo = 'absent.svg';
    });
    await writeFile(
      join(dir, 'scripted.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    );
    const scripted = await editionFile('scripted-logo.json', (c) => {
      c.identity.logo = 'scripted.svg';
    });

    expect(await validateEditionFile(missing)).toEqual([
      `identity.logo: Logo introuvable : ${join(dir, 'absent.svg')} (fichier SVG à placer à côté du fichier d’édition)`,
    ]);
    expect(await validateEditionFile(scripted)).toEqual([
      `identity.logo: Logo refusé (${join(dir, 'scripted.svg')}) : un logo ne doit contenir aucun gestionnaire d’événement (onload=…)`,
    ]);
  });

  it('refuses a commune déléguée and names the commune to use instead', async () => {
    const file = await editionFile('deleguee.json', (c) => c.territories[0].communes.push('44004'));

    const lines = await validateEditionFile(file);

    expect(lines).toEqual([
      'territories.0.communes.52: 44004 (Anetz) est une commune déléguée, pas une commune actuelle : utiliser 44163 (Vair-sur-Loire)',
    ]);
  });

  it('warns, without failing, about communes in no territory', async () => {
    const file = await editionFile('orphan.json', (c) => {
      c.territories[1].communes = c.territories[1].communes.filter((code: string) => code !== '44109');
    });

    const lines = await validateEditionFile(file);

    expect(lines).toEqual([
      'avertissement: territories: La commune 44109 (Nantes) n’est dans aucun territoire',
    ]);
  });

  it('reports a code that matches no commune at all', async () => {
    const file = await editionFile('unknown.json', (c) => c.territories[0].communes.push('44999'));

    const lines = await validateEditionFile(file);

    expect(lines).toEqual([
      'territories.0.communes.52: La commune 44999 n’existe pas (@etalab/decoupage-administratif 6.0.0)',
    ]);
  });
});
