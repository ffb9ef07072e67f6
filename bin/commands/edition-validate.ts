import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { EDITION_VALIDATE } from './catalog.ts';
import type { Command } from './command.ts';

/** Lines with this prefix are reported but do not make validation fail. */
export const WARNING_PREFIX = 'avertissement:';

interface CogCommune {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement?: string;
  chefLieu?: string;
  commune?: string;
}
interface CogDepartement {
  code: string;
  nom: string;
}
interface Cog {
  version: string;
  /** Every entry sharing a code: a commune nouvelle keeps its chef-lieu's code for its commune déléguée. */
  byCode: Map<string, CogCommune[]>;
  departements: Map<string, CogDepartement>;
}

// The official geography is a dev dependency of several MB: load it only here, once, never in a Lambda.
let cog: Promise<Cog> | undefined;
function loadCog(): Promise<Cog> {
  cog ??= (async () => {
    const require = createRequire(import.meta.url);
    const read = async <T>(file: string) =>
      JSON.parse(await readFile(require.resolve(`@etalab/decoupage-administratif/${file}`), 'utf8')) as T;
    const [pkg, communes, departements] = await Promise.all([
      read<{ version: string }>('package.json'),
      read<CogCommune[]>('data/communes.json'),
      read<CogDepartement[]>('data/departements.json'),
    ]);
    const byCode = new Map<string, CogCommune[]>();
    for (const commune of communes) byCode.set(commune.code, [...(byCode.get(commune.code) ?? []), commune]);
    return { version: pkg.version, byCode, departements: new Map(departements.map((d) => [d.code, d])) };
  })();
  return cog;
}

const MISSING_LISTED_ONE_BY_ONE = 10;

function checkGeography(config: EditionConfig, geo: Cog): string[] {
  const lines: string[] = [];
  const source = `@etalab/decoupage-administratif ${geo.version}`;
  const code = config.departement.code;
  const departement = geo.departements.get(code);
  if (!departement) lines.push(`departement.code: Département inconnu : ${code} (${source})`);
  else if (departement.nom !== config.departement.name) {
    lines.push(
      `${WARNING_PREFIX} departement.name: Le département ${code} s’appelle « ${departement.nom} », pas « ${config.departement.name} »`,
    );
  }
  const name = (c: string) => {
    const entry = geo.byCode.get(c)?.find((e) => e.type === 'commune-actuelle');
    return entry ? `${c} (${entry.nom})` : c;
  };

  const listed = new Set<string>();
  config.territories.forEach((territory, t) => {
    territory.communes.forEach((commune, c) => {
      listed.add(commune);
      const where = `territories.${t}.communes.${c}`;
      const entries = geo.byCode.get(commune);
      const current = entries?.find((e) => e.type === 'commune-actuelle');
      if (!entries) {
        lines.push(`${where}: La commune ${commune} n’existe pas (${source})`);
      } else if (!current) {
        const entry = entries[0] as CogCommune;
        const parent = entry.chefLieu ?? entry.commune;
        const kind =
          entry.type === 'arrondissement-municipal'
            ? 'un arrondissement municipal'
            : entry.type === 'commune-deleguee'
              ? 'une commune déléguée'
              : 'une commune associée';
        lines.push(
          `${where}: ${commune} (${entry.nom}) est ${kind}, pas une commune actuelle${parent ? ` : utiliser ${name(parent)}` : ''}`,
        );
      } else if (current.departement !== code) {
        const other = geo.departements.get(current.departement ?? '');
        lines.push(
          `${where}: ${commune} (${current.nom}) est dans le département ${current.departement}${other ? ` (${other.nom})` : ''}, pas dans le ${code}`,
        );
      }
    });
  });

  const missing = [...geo.byCode.values()]
    .flatMap((entries) => entries.filter((e) => e.type === 'commune-actuelle' && e.departement === code))
    .filter((e) => !listed.has(e.code))
    .sort((a, b) => (a.code < b.code ? -1 : 1));
  if (missing.length > MISSING_LISTED_ONE_BY_ONE) {
    const sample = missing.slice(0, MISSING_LISTED_ONE_BY_ONE).map((e) => `${e.code} (${e.nom})`);
    lines.push(
      `${WARNING_PREFIX} territories: ${missing.length} communes du département ${code} ne sont dans aucun territoire : ${sample.join(', ')}… et ${missing.length - sample.length} autres`,
    );
  } else {
    for (const e of missing) {
      lines.push(
        `${WARNING_PREFIX} territories: La commune ${e.code} (${e.nom}) n’est dans aucun territoire`,
      );
    }
  }
  return lines;
}

/**
 * What an edition's logo must be: an SVG drawing and nothing active. The site serves it from its own
 * origin, where a script inside it would run with the site's rights if someone opened it directly.
 */
export function checkLogoSvg(text: string): string[] {
  const problems: string[] = [];
  if (!/<svg[\s>]/i.test(text)) problems.push('le fichier n’est pas un dessin SVG (pas de balise <svg>)');
  if (/<script[\s>]/i.test(text)) problems.push('un logo ne doit contenir aucun script (<script>)');
  if (/\son[a-z]+\s*=/i.test(text))
    problems.push('un logo ne doit contenir aucun gestionnaire d’événement (onload=…)');
  if (/javascript:/i.test(text)) problems.push('un logo ne doit contenir aucun lien javascript:');
  if (/<foreignObject[\s>]/i.test(text))
    problems.push('un logo ne doit pas embarquer de HTML (<foreignObject>)');
  if (/(?:href|src)\s*=\s*["']\s*(?:https?:)?\/\//i.test(text)) {
    problems.push('un logo ne doit charger aucune ressource extérieure (href="https://…")');
  }
  return problems;
}

async function checkLogo(config: EditionConfig, editionFile: string): Promise<string[]> {
  const file = join(dirname(editionFile), config.identity.logo);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [`identity.logo: Logo introuvable : ${file} (fichier SVG à placer à côté du fichier d’édition)`];
  }
  return checkLogoSvg(text).map((problem) => `identity.logo: Logo refusé (${file}) : ${problem}`);
}

/**
 * Schema checks (colour contrast included), the logo next to the file, then the checks that need the
 * official geography: every commune exists, is a current
 * commune and lies in the edition's département. Returns one line per problem; an empty list means valid,
 * and lines starting with `avertissement:` do not make the file invalid.
 */
export async function validateEditionFile(path: string): Promise<string[]> {
  const parsed = await readEditionFile(path);
  if (!parsed.ok) return parsed.errors;
  return [...(await checkLogo(parsed.config, path)), ...checkGeography(parsed.config, await loadCog())];
}

export const editionValidate: Command = {
  ...EDITION_VALIDATE,
  async run(argv, io) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    if (positionals.length === 0) {
      io.err('Indiquer au moins un fichier : bp edition validate <fichier.json>...');
      return 2;
    }
    let failed = false;
    for (const file of positionals) {
      const lines = await validateEditionFile(file);
      const errors = lines.filter((line) => !line.startsWith(WARNING_PREFIX));
      for (const line of lines) io.err(`${file}: ${line}`);
      if (errors.length > 0) failed = true;
      else io.out(`ok ${file}`);
    }
    return failed ? 1 : 0;
  },
};
