import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type CountOptions,
  type CountResult,
  checkReferenceFile,
  count as countInstance,
  describeTieBreak,
  explainProject,
  formatAmount,
  formatSupport,
  type Instance,
  isRuleName,
  META_THRESHOLD,
  parseDecimal,
  parsePabulibStream,
  RULE_LABELS,
  RULES,
  type TieBreak,
} from './index.ts';

/** Where the recount writes: stdout for results, stderr for problems (injected, for tests). */
export interface RecountIo {
  out(line: string): void;
  err(line: string): void;
}

/** The arguments after the program's name, for its usage line. */
export const RECOUNT_USAGE = `<fichier.pb>... --rule <${RULES.join('|')}> [--json] [--tie-break id|lower-cost|order:ID,ID,...] [--minimum-support N|meta] [--ignore-product-rules] | --check <dossier>`;

/**
 * META keys the results function writes into the published ballot files (functions/results/count-envelope.ts)
 * when the règlement asks for product rules, so that anyone's recount of those files finds the same winners.
 */
const META_ONE_PER_TERRITORY = 'min_one_winner_per_territory';
const META_RESERVED = 'reserved_amounts';

type ProductRules = Pick<CountOptions, 'atLeastOnePerTerritory' | 'reserved'>;

/**
 * The product rules a file declares in its META: `min_one_winner_per_territory;true` and
 * `reserved_amounts;<category>:<amount>,...` (categories cannot hold a comma: pabulib splits them on it).
 * Throws a French message on a malformed value rather than counting with a guess.
 */
export function productRulesFromMeta(meta: ReadonlyMap<string, string>): ProductRules {
  const rules: { atLeastOnePerTerritory?: boolean; reserved?: { category: string; amount: string }[] } = {};
  const territory = meta.get(META_ONE_PER_TERRITORY)?.trim().toLowerCase();
  if (territory !== undefined && territory !== 'false') {
    if (territory !== 'true')
      throw new Error(`META ${META_ONE_PER_TERRITORY} invalide « ${territory} » : true ou false`);
    rules.atLeastOnePerTerritory = true;
  }
  const reserved = meta.get(META_RESERVED)?.trim();
  if (reserved) {
    rules.reserved = reserved.split(',').map((part) => {
      const colon = part.lastIndexOf(':');
      const category = part.slice(0, colon).trim();
      const amount = part.slice(colon + 1).trim();
      // The comma separates the entries: amounts use the decimal point.
      if (colon < 0 || category === '' || !/^\d+(\.\d+)?$/.test(amount))
        throw new Error(`META ${META_RESERVED} invalide « ${part} » : catégorie:montant,...`);
      return { category, amount };
    });
  }
  return rules;
}

function describeProductRules(rules: ProductRules, currency: string | undefined, io: RecountIo): void {
  if (rules.atLeastOnePerTerritory)
    io.out('Règle du fichier (META) : au moins un lauréat par territoire (repêchage)');
  for (const r of rules.reserved ?? []) {
    const amount = parseDecimal(String(r.amount));
    io.out(
      `Règle du fichier (META) : ${formatAmount(amount.units, amount.decimals, currency)} réservés aux projets « ${r.category} »`,
    );
  }
}

export function parseTieBreak(text: string): TieBreak | undefined {
  if (text === 'id') return { kind: 'id' };
  if (text === 'lower-cost') return { kind: 'lower-cost' };
  if (text.startsWith('order:')) {
    const order = text
      .slice('order:'.length)
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    return order.length > 0 ? { kind: 'order', order } : undefined;
  }
  return undefined;
}

/** `{"file": ..., "rule": ..., "selected": [...], "seconds": s}` with the spacing of Python's json.dumps. */
function jsonLine(file: string, result: CountResult, seconds: number): string {
  const selected = result.selected.map((id) => JSON.stringify(id)).join(', ');
  return `{"file": ${JSON.stringify(file)}, "rule": ${JSON.stringify(result.rule)}, "selected": [${selected}], "seconds": ${Number(seconds.toFixed(3))}}`;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

function table(
  file: string,
  instance: Instance,
  result: CountResult,
  rules: ProductRules,
  io: RecountIo,
): void {
  const currency = instance.meta.get('currency');
  const money = (v: bigint) => formatAmount(v, result.decimals, currency);
  const winners = result.selected.length;
  io.out(`Fichier : ${file}`);
  io.out(`Règle : ${result.rule} — ${RULE_LABELS[result.rule]}`);
  describeProductRules(rules, currency, io);
  io.out(`Départage des ex aequo : ${describeTieBreak(result.tieBreak)}`);
  if (result.minimumSupport !== undefined) {
    io.out(
      `Seuil : ${formatSupport(Math.ceil(result.minimumSupport * 10 ** result.supportDecimals), result.supportDecimals, result.supportUnit)} au moins`,
    );
  }
  io.out(
    `Budget : ${money(result.budget)} ; dépensé : ${money(result.spent)} ; reste : ${money(result.budget - result.spent)}`,
  );
  io.out(
    `${winners} lauréat${winners > 1 ? 's' : ''} sur ${instance.projects.length} projets ; ${instance.ballots.count} bulletins (les bulletins vides comptent)`,
  );
  if (result.mes) {
    const share = formatAmount(result.mes.budgetPerVoter, result.decimals, currency);
    const added =
      result.mes.increments > 0
        ? ` (part initiale augmentée de ${money(BigInt(result.mes.increments) * 10n ** BigInt(result.decimals))} par votant)`
        : '';
    io.out(`Parts égales : chaque votant disposait de ${share}${added}`);
  }
  io.out('');
  const order = [
    ...result.selected,
    ...[...result.explanations.values()]
      .filter((e) => !e.selected)
      .sort((a, b) => b.support - a.support)
      .map((e) => e.id),
  ];
  const rows = order.map((id, i) => {
    const e = result.explanations.get(id);
    const project = instance.projects.find((p) => p.id === id);
    if (!e) return [];
    return [
      e.selected ? String(i + 1) : '',
      id,
      project?.name ?? '',
      money(e.cost),
      formatSupport(e.support, result.supportDecimals, result.supportUnit),
      e.selected ? 'retenu' : 'non retenu',
      explainProject(e, result, currency),
    ];
  });
  const headers = ['N°', 'Projet', 'Intitulé', 'Coût', 'Soutien', 'Décision', 'Explication'];
  const widths = [4, 0, 30, 0, 0, 10];
  headers.slice(0, 6).forEach((h, c) => {
    const longest = Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length));
    widths[c] = c === 2 ? Math.min(30, longest) : longest;
  });
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => {
        if (c === 6) return cell;
        const w = widths[c] as number;
        return c === 3 || c === 4 ? cell.padStart(w) : clip(cell, w);
      })
      .join('  ');
  io.out(line(headers));
  for (const r of rows) io.out(line(r));
}

/**
 * The recount, as a command: `<program> <fichier.pb>... --rule <règle> [--json] ...` (what `npx bp count` and the
 * package's `pabulib-count` run). A table that explains every project, or one JSON line per file with `--json`;
 * `--check <dossier>` checks a whole folder. Returns the exit code: 0, 1 when a file failed, 2 on bad arguments.
 */
export async function runRecount(argv: string[], io: RecountIo, program = 'bp count'): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rule: { type: 'string' },
      json: { type: 'boolean', default: false },
      'tie-break': { type: 'string', default: 'id' },
      'minimum-support': { type: 'string' },
      'ignore-product-rules': { type: 'boolean', default: false },
      check: { type: 'string' },
    },
  });
  if (values.check !== undefined) return checkFolder(values.check, io);
  const rule = values.rule ?? '';
  if (!isRuleName(rule)) {
    io.err(
      values.rule === undefined
        ? `Indiquer la règle : --rule ${RULES.join('|')}`
        : `Règle inconnue « ${rule} » : ${RULES.join(', ')}`,
    );
    io.err(`Usage : ${program} ${RECOUNT_USAGE}`);
    return 2;
  }
  const tieBreak = parseTieBreak(values['tie-break']);
  if (!tieBreak) {
    io.err(`Départage inconnu « ${values['tie-break']} » : id, lower-cost ou order:ID,ID,...`);
    return 2;
  }
  const minimum = values['minimum-support'];
  if (minimum !== undefined && minimum !== 'meta' && !/^\d+([.,]\d+)?$/.test(minimum)) {
    io.err(`Seuil invalide « ${minimum} » : un nombre de voix ou de points, ou « meta »`);
    return 2;
  }
  if (positionals.length === 0) {
    io.err(`Indiquer au moins un fichier : ${program} ${RECOUNT_USAGE}`);
    return 2;
  }
  let failed = false;
  for (const [index, file] of positionals.entries()) {
    const started = performance.now();
    let instance: Instance;
    let rules: ProductRules;
    try {
      instance = await parsePabulibStream(createReadStream(file, 'utf8'));
      // The règlement's product rules travel in the META of the published files: a recount applies them.
      rules = values['ignore-product-rules'] ? {} : productRulesFromMeta(instance.meta);
    } catch (error) {
      io.err(`${file} : ${(error as Error).message}`);
      failed = true;
      continue;
    }
    // `meta`: the threshold the file itself declares, if any.
    const threshold = minimum === 'meta' ? instance.meta.get(META_THRESHOLD) : minimum;
    const result = countInstance(instance, {
      rule,
      tieBreak,
      ...(threshold === undefined ? {} : { minimumSupport: Number(threshold.replace(',', '.')) }),
      ...rules,
    });
    const seconds = (performance.now() - started) / 1000;
    if (values.json) {
      io.out(jsonLine(file, result, seconds));
    } else {
      if (index > 0) io.out('');
      table(file, instance, result, rules, io);
    }
  }
  return failed ? 1 : 0;
}

/**
 * `--check DIR`: every `.pb` file of a folder (the team's copy of pabulib, say) must round-trip through
 * the parser and writer, and reproduce the official winners where it publishes them under a greedy rule. One
 * line per file, then a summary line `count --check: files=N round_trip_ok=N official_compared=N failures=N`;
 * exits 1 on any failure, 2 when the folder holds no `.pb` file.
 */
async function checkFolder(dir: string, io: RecountIo): Promise<number> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.pb')).sort();
  } catch (error) {
    io.err(`Dossier illisible « ${dir} » : ${(error as Error).message}`);
    return 2;
  }
  if (files.length === 0) {
    io.err(`Aucun fichier .pb dans « ${dir} »`);
    return 2;
  }
  let roundTrips = 0;
  let compared = 0;
  let failures = 0;
  for (const file of files) {
    try {
      const check = checkReferenceFile(await readFile(join(dir, file), 'utf8'));
      if (check.roundTrip) roundTrips += 1;
      const official = check.official;
      if (official) compared += 1;
      const ok = check.roundTrip && (official?.same ?? true);
      if (!ok) failures += 1;
      const parts = [
        ok ? 'ok' : 'ÉCHEC',
        file,
        check.roundTrip ? 'relecture=identique' : 'relecture=différente',
        official
          ? `${official.rule}=${official.same ? 'lauréats officiels' : `attendu ${official.expected.join(',')} obtenu ${official.got.join(',')}`}`
          : `règle ${check.metaRule ?? 'absente'} : non comparée`,
      ];
      io.out(parts.join('  '));
    } catch (error) {
      failures += 1;
      io.out(`ÉCHEC  ${file}  ${(error as Error).message}`);
    }
  }
  io.out(
    `count --check: files=${files.length} round_trip_ok=${roundTrips} official_compared=${compared} failures=${failures}`,
  );
  return failures === 0 ? 0 : 1;
}
