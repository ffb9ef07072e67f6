import { readFile } from 'node:fs/promises';
import type * as z from 'zod/mini';
import fr from 'zod/v4/locales/fr.js';
import { EditionConfig } from './edition-config.ts';

export type EditionParseResult = { ok: true; config: EditionConfig } | { ok: false; errors: string[] };

/** Passed per parse rather than through `z.config` so that loading a config never changes zod's global state. */
const frenchLocale = fr().localeError;

const TYPE_NAMES: Record<string, string> = {
  string: 'texte',
  number: 'nombre',
  int: 'nombre entier',
  boolean: 'booléen (true ou false)',
  array: 'liste',
  object: 'objet',
};

/** What a missing field is for, said after « Champ obligatoire manquant » so the fix is plain. */
const MISSING_HINTS: Record<string, string> = {
  identity: 'nom affiché du Département, logo et couleurs',
  legal: 'mentions légales, données personnelles, accessibilité et contact',
  'legal.controller':
    'le responsable du traitement (nom, adresse, représentant), cité dans « Données personnelles »',
  'legal.dpo':
    'le contact du délégué à la protection des données (adresse électronique), cité dans « Données personnelles »',
  'legal.dpo.email': 'l’adresse électronique du délégué à la protection des données',
  'legal.accessibility.contact':
    'le contact pour signaler un défaut d’accessibilité (adresse électronique), cité dans la « Déclaration d’accessibilité »',
  'legal.accessibility.contact.email': 'l’adresse électronique pour signaler un défaut d’accessibilité',
  'legal.publisher':
    'l’éditeur du site et le directeur de la publication, cités dans les « Mentions légales »',
  'legal.host': 'l’hébergeur du site, cité dans les « Mentions légales »',
  'legal.contact': 'l’adresse électronique et postale de la page « Contact »',
};

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return TYPE_NAMES.array ?? 'liste';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'nombre décimal';
  return TYPE_NAMES[typeof value] ?? typeof value;
}

/**
 * One line per issue. Messages the schema sets itself win over the locale, so the cases people hit most
 * (missing field, wrong type, unknown `kind`) are reworded here from the input, whatever the schema says.
 */
function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = issue.path.length === 0 ? '(racine)' : issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    const value = valueAt(input, issue.path);
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    if (value === undefined) {
      const hint = MISSING_HINTS[issue.path.map(String).join('.')];
      message = `Champ obligatoire manquant (${expected} attendu)${hint ? ` : ${hint}` : ''}`;
    }
    // A decimal where an integer is due: keep the schema's own wording (« Montant en euros entiers attendu »).
    else if (
      !(typeof value === 'number' && issue.expected === 'int' && !message.startsWith('Entrée invalide'))
    ) {
      message = `${expected.charAt(0).toUpperCase()}${expected.slice(1)} attendu, ${describeType(value)} reçu`;
    }
  } else if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const options = (issue.options as unknown[]).map((o) => `« ${String(o)} »`).join(', ');
    const missing = valueAt(input, issue.path) === undefined;
    message = `${missing ? 'Champ obligatoire manquant' : 'Valeur inconnue'} : une valeur parmi ${options} attendue`;
  }
  return `${where}: ${message}`;
}

/**
 * Validates an edition config against the schema and words every problem as one French line
 * `path.to.field: message`, one line per field (the first problem found for it).
 */
export function parseEditionConfig(json: unknown): EditionParseResult {
  const result = EditionConfig.safeParse(json, { error: frenchLocale });
  if (result.success) return { ok: true, config: result.data };
  const seen = new Set<string>();
  const errors: string[] = [];
  for (const issue of result.error.issues) {
    const key = JSON.stringify(issue.path);
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(formatIssue(issue, json));
  }
  return { ok: false, errors };
}

const JSON_SYNTAX: ReadonlyArray<[RegExp, (match: RegExpMatchArray) => string]> = [
  [/Unexpected end of JSON input/, () => 'fin du fichier inattendue (accolade ou crochet non fermé ?)'],
  [/Unexpected token '(.+?)'/, (m) => `caractère inattendu « ${m[1]} »`],
  [/Unexpected non-whitespace character after JSON/, () => 'texte en trop après la fin du JSON'],
  [
    /Expected double-quoted property name/,
    () => 'nom de propriété entre guillemets doubles attendu (virgule en trop ?)',
  ],
  [/Expected ':' after property name/, () => '« : » attendu après le nom de propriété'],
  [/Expected ',' or '}' after property value/, () => '« , » ou « } » attendu après la valeur'],
  [/Expected ',' or ']' after array element/, () => '« , » ou « ] » attendu après l’élément'],
  [
    /Bad control character in string literal/,
    () => 'caractère de contrôle interdit dans un texte (retour à la ligne ?)',
  ],
  [/Unterminated string/, () => 'texte non terminé (guillemet manquant ?)'],
];

/** `JSON invalide, ligne 3, colonne 5 : …` from V8's English message, whichever Node version wrote it. */
function describeJsonError(error: unknown, text: string): string {
  const raw = error instanceof Error ? error.message : String(error);
  let where = '';
  const lineColumn = raw.match(/line (\d+) column (\d+)/);
  const position = raw.match(/at position (\d+)/);
  if (lineColumn) where = `, ligne ${lineColumn[1]}, colonne ${lineColumn[2]}`;
  else if (position) {
    const before = text.slice(0, Number(position[1]));
    const lines = before.split('\n');
    where = `, ligne ${lines.length}, colonne ${(lines.at(-1)?.length ?? 0) + 1}`;
  }
  for (const [pattern, describe] of JSON_SYNTAX) {
    const match = raw.match(pattern);
    if (match) return `(json): JSON invalide${where} : ${describe(match)}`;
  }
  return `(json): JSON invalide${where} : syntaxe incorrecte`;
}

/** Reads an edition file and validates it; a missing file or bad JSON is one more French error line. */
export async function readEditionFile(path: string): Promise<EditionParseResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'fichier introuvable'
        : code === 'EISDIR'
          ? 'c’est un dossier'
          : 'lecture impossible';
    return { ok: false, errors: [`(fichier): ${reason} : ${path}`] };
  }
  // Editors on Windows may save a byte-order mark, which JSON.parse refuses.
  text = text.replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [describeJsonError(error, text)] };
  }
  return parseEditionConfig(json);
}
