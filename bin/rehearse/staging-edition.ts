/**
 * A staging rehearsal's edition: a copy of an edition file under another id, with a calendar whose phases are
 * minutes apart, so that `bp rehearse` against its deployed stack follows it in real time (docs/rehearsal.md).
 * The edition schema sets no minimum length for a phase, only their order; the lengths below are what the
 * driver needs (it moves a minute or two past each calendar time, then works through the phase).
 *
 * Run: `npx tsx bin/rehearse/staging-edition.ts <from> <new id> [<start> [<minutes>]]`, e.g.
 * `npx tsx bin/rehearse/staging-edition.ts loire-atlantique-demo loire-atlantique-repetition 2026-12-08T10:00`.
 * No file is committed: its dates would be past before its next use, so each rehearsal writes its own.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { parseEditionConfig } from '../../shared/edition/load-edition.ts';
import { toInstant, toLocal } from '../../shared/time/zoned.ts';

/** Minutes of each phase, from the call for ideas to the publication. */
export interface PhaseMinutes {
  ideas: number;
  instruction: number;
  ballotPreparation: number;
  vote: number;
  counting: number;
}

/**
 * Enough for a rehearsal of a hundred voters and ideas (46 minutes in all); a phase's work takes longer at a
 * larger scale (the vote, mostly: measure it locally first, docs/rehearsal.md).
 */
export const DEFAULT_MINUTES: PhaseMinutes = {
  ideas: 10,
  instruction: 6,
  ballotPreparation: 5,
  vote: 20,
  counting: 5,
};

/** Below this a phase cannot hold the driver's move past its start (up to 2 min) and its work. */
const SHORTEST = { ideas: 3, instruction: 4, ballotPreparation: 4, vote: 5, counting: 4 } as const;

/** The calendar of an edition whose call for ideas opens at `start` (wall time in `timeZone`). */
export function compressedCalendar(
  start: string,
  timeZone: string,
  minutes: PhaseMinutes = DEFAULT_MINUTES,
): EditionConfig['calendar'] {
  for (const [phase, shortest] of Object.entries(SHORTEST) as [keyof PhaseMinutes, number][])
    if (!(minutes[phase] >= shortest))
      throw new RangeError(
        `${phase}: at least ${shortest} minutes (the driver moves up to 2 minutes past its start)`,
      );
  const at = (offset: number) =>
    toLocal(new Date(toInstant(start, timeZone).getTime() + offset * 60_000), timeZone);
  const ideasClose = minutes.ideas;
  const instructionEnd = ideasClose + minutes.instruction;
  const voteOpen = instructionEnd + minutes.ballotPreparation;
  const voteClose = voteOpen + minutes.vote;
  return {
    ideasOpen: at(0),
    ideasClose: at(ideasClose),
    instructionEnd: at(instructionEnd),
    voteOpen: at(voteOpen),
    voteClose: at(voteClose),
    resultsAt: at(voteClose + minutes.counting),
  };
}

/**
 * The edition file `json` under the id `id`, with a compressed calendar: the file's text as it was but for its
 * id, description and calendar, validated as any edition file.
 */
export function stagingEdition(
  json: Record<string, unknown>,
  id: string,
  start: string,
  minutes: PhaseMinutes = DEFAULT_MINUTES,
): Record<string, unknown> {
  const source = parseEditionConfig(json);
  if (!source.ok) throw new Error(source.errors.join('\n'));
  const staging = {
    ...json,
    id,
    description: `Répétition générale en staging de ${source.config.id} (calendrier resserré, bin/rehearse/staging-edition.ts). ${source.config.description}`,
    calendar: compressedCalendar(start, source.config.timeZone, minutes),
  };
  const parsed = parseEditionConfig(staging);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return staging;
}

async function main(argv: string[]) {
  const [from, id, startArg, minutesArg] = argv;
  if (!from || !id) {
    console.error(
      'Usage: npx tsx bin/rehearse/staging-edition.ts <from> <new id> [<start AAAA-MM-JJTHH:MM> [<minutes i,n,b,v,c>]]',
    );
    return 2;
  }
  const json = JSON.parse(await readFile(join('editions', `${from}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
  const timeZone = String(json.timeZone);
  // Default: the next whole minute at least 15 minutes from now, time to deploy the new calendar.
  const start =
    startArg ?? toLocal(new Date(Math.ceil((Date.now() + 15 * 60_000) / 60_000) * 60_000), timeZone);
  const numbers = minutesArg?.split(',').map(Number);
  const minutes = numbers
    ? {
        ideas: numbers[0] ?? Number.NaN,
        instruction: numbers[1] ?? Number.NaN,
        ballotPreparation: numbers[2] ?? Number.NaN,
        vote: numbers[3] ?? Number.NaN,
        counting: numbers[4] ?? Number.NaN,
      }
    : DEFAULT_MINUTES;
  const edition = stagingEdition(json, id, start, minutes);
  const path = join('editions', `${id}.json`);
  await writeFile(path, `${JSON.stringify(edition, null, 2)}\n`);
  console.log(`${path}: ${JSON.stringify(edition.calendar)}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = await main(process.argv.slice(2)).catch((error: Error) => {
    console.error(error.message);
    return 1;
  });
