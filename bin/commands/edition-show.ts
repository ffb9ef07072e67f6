import { parseArgs } from 'node:util';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { PHASE_LABELS, phaseTransitions } from '../../shared/edition/phases.ts';
import { formatFrench } from '../../shared/time/zoned.ts';
import { EDITION_SHOW } from './catalog.ts';
import type { Command } from './command.ts';

// Plain spaces rather than Intl's narrow no-break space, so columns line up in any terminal.
const number = (n: number) => new Intl.NumberFormat('fr-FR').format(n).replace(/\s/g, ' ');
const euros = (n: number) => `${number(n)} €`;
const plural = (n: number, one: string, many: string) => `${number(n)} ${n > 1 ? many : one}`;

/** Columns padded to their widest cell; `rightAlignLast` for a column of amounts. */
function table(rows: string[][], rightAlignLast = false): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) =>
        rightAlignLast && i === row.length - 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('   ')
      .trimEnd(),
  );
}

function describeBallot(ballot: EditionConfig['ballot']): string {
  switch (ballot.kind) {
    case 'approval':
      return `par approbation, ${ballot.minChoices} à ${ballot.maxChoices} projets par enveloppe`;
    case 'knapsack':
      return 'sac à dos (remplir l’enveloppe sans la dépasser)';
    case 'cumulative':
      return `cumulatif, ${ballot.points} points dont ${ballot.maxPerProject} au plus par projet`;
  }
}

/** A short French summary of an edition: envelopes, calendar, rules and people. */
export function describeEdition(config: EditionConfig): string[] {
  const wide = config.budget.departementWide;
  const allocated = config.territories.reduce((sum, t) => sum + t.envelope, 0) + (wide?.envelope ?? 0);
  const communes = config.territories.reduce((sum, t) => sum + t.communes.length, 0);
  const services = config.services.filter((s) => s.kind === 'direction-metier').length;
  const { staff } = config;
  return [
    `${config.name} [${config.id}]`,
    `Département : ${config.departement.name} (${config.departement.code}) · fuseau horaire : ${config.timeZone}`,
    '',
    `Enveloppes (total ${euros(config.budget.total)}, ${plural(config.territories.length, 'territoire', 'territoires')}, ${plural(communes, 'commune', 'communes')}) :`,
    ...table(
      [
        ...config.territories.map((t) => [
          t.name,
          t.id,
          plural(t.communes.length, 'commune', 'communes'),
          euros(t.envelope),
        ]),
        ...(wide ? [[wide.name, wide.id, 'départementale', euros(wide.envelope)]] : []),
      ],
      true,
    ).map((line) => `  ${line}`),
    `  Réparti : ${euros(allocated)} ; non réparti : ${euros(config.budget.total - allocated)}`,
    '',
    `Calendrier des phases (heure de ${config.timeZone}) :`,
    ...table(
      phaseTransitions(config).map((t) => [
        formatFrench(t.instant, config.timeZone),
        `début : ${PHASE_LABELS[t.phase]}`,
      ]),
    ).map((line) => `  ${line}`),
    '',
    `Participation : dès ${config.eligibility.minimumAge} ans, ${config.eligibility.residence === 'live' ? 'habitants du département' : 'habitants, ou personnes qui travaillent ou étudient dans le département'}`,
    `Idées : de ${euros(config.ideaCost.min)} à ${euros(config.ideaCost.max)} · ${plural(config.themes.length, 'thème', 'thèmes')} : ${config.themes.map((t) => t.name).join(', ')}`,
    `Vote : ${describeBallot(config.ballot)} · dépouillement « ${config.counting.rule} », départage « ${config.counting.tieBreak} »`,
    `Services : ${plural(services, 'direction-métier', 'directions-métier')}, ${plural(config.services.length - services, 'direction territoriale', 'directions territoriales')}`,
    `Équipe : ${plural(staff.coordinators.length, 'coordinateur', 'coordinateurs')}, ${plural(staff.committee.length, 'membre', 'membres')} du Comité citoyen, ${plural(staff.admins.length, 'administrateur', 'administrateurs')} · expéditeur ${config.mailFrom}`,
  ];
}

export const editionShow: Command = {
  ...EDITION_SHOW,
  async run(argv, io) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) {
      io.err('Indiquer un fichier et un seul : bp edition show <fichier.json>');
      return 2;
    }
    const parsed = await readEditionFile(file);
    if (!parsed.ok) {
      for (const line of parsed.errors) io.err(`${file}: ${line}`);
      return 1;
    }
    for (const line of describeEdition(parsed.config)) io.out(line);
    return 0;
  },
};
