/**
 * The staging rehearsal's edition (bin/rehearse/staging-edition.ts): a copy of an edition whose phases are
 * minutes apart, valid for the edition schema, within the default `--max-wait` of `bp rehearse`.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compressedCalendar, stagingEdition } from '../../bin/rehearse/staging-edition.ts';
import { parseEditionConfig } from '../../shared/edition/load-edition.ts';
import { phaseAt, phaseTransitions } from '../../shared/edition/phases.ts';

const demo = async () =>
  JSON.parse(await readFile('editions/loire-atlantique-demo.json', 'utf8')) as Record<string, unknown>;

describe('the staging rehearsal edition', () => {
  it('puts the phases minutes apart in the edition’s time zone, in the order the schema requires', () => {
    const calendar = compressedCalendar('2026-12-08T10:00', 'Europe/Paris');

    expect(calendar).toEqual({
      ideasOpen: '2026-12-08T10:00',
      ideasClose: '2026-12-08T10:10',
      instructionEnd: '2026-12-08T10:16',
      voteOpen: '2026-12-08T10:21',
      voteClose: '2026-12-08T10:41',
      resultsAt: '2026-12-08T10:46',
    });
  });

  it('copies an edition under another id, valid for the schema, its whole calendar within two hours', async () => {
    const json = await demo();

    const staging = stagingEdition(json, 'loire-atlantique-repetition', '2026-12-08T10:00');

    const parsed = parseEditionConfig(staging);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.config.id).toBe('loire-atlantique-repetition');
    expect(staging.territories).toEqual(json.territories);
    const transitions = phaseTransitions(parsed.config);
    const span = (transitions.at(-1)?.instant.getTime() ?? 0) - (transitions[0]?.instant.getTime() ?? 0);
    expect(span).toBe(46 * 60_000);
    expect(phaseAt(parsed.config, new Date('2026-12-08T09:30:00Z'))).toBe('vote');
  });

  it('refuses a phase too short for the driver to move past its start and work in it', () => {
    expect(() =>
      compressedCalendar('2026-12-08T10:00', 'Europe/Paris', {
        ideas: 10,
        instruction: 2,
        ballotPreparation: 5,
        vote: 20,
        counting: 5,
      }),
    ).toThrow(/instruction: at least 4 minutes/);
  });
});
