import { describe, expect, it } from 'vitest';
import { countEnvelope } from '../../functions/results/count-envelope.ts';
import { toCsv } from '../../functions/results/open-data.ts';
import { count, parsePabulib } from '../../shared/counting/index.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';

const project = (id: string, cost: number) => ({
  id,
  title: `Projet ${id} ; « guillemets »`,
  summary: 'Un résumé assez long pour passer.',
  cost,
  envelope: 'nord',
  theme: 'nature',
});

const snapshot: VoteSnapshot = {
  rules: { kind: 'approval', minChoices: 1, maxChoices: 3 },
  envelopes: [{ id: 'nord', name: 'Nord', amount: 100 }],
  projects: [project('p10', 60), project('p9', 50), project('p2', 40)],
  counting: {
    rule: 'greedy',
    tieBreak: 'project-id',
    minimumSupport: 0,
    atLeastOneWinnerPerTerritory: false,
  },
  opensAt: '2026-10-01T07:00:00.000Z',
  closesAt: '2026-10-20T16:00:00.000Z',
  timeZone: 'Europe/Paris',
};
const envelope = { id: 'nord', name: 'Nord', amount: 100 };
const ballots = [['p9', 'p10'], ['p10'], ['p2', 'p9'], ['p9'], []];

describe('results: one envelope counted from stored ballots', () => {
  it('writes the same ballot file and hash whatever the order the ballots were read in', () => {
    const a = countEnvelope(snapshot, envelope, ballots, 'essai');
    const b = countEnvelope(
      snapshot,
      envelope,
      [...ballots].reverse().map((x) => [...x].reverse()),
      'essai',
    );
    expect(b.ballotsFile).toBe(a.ballotsFile);
    expect(b.result.ballotsSha256).toBe(a.result.ballotsSha256);
  });

  it('selects with the frozen rule and budget, as a recount of its own ballot file does', () => {
    const { result, ballotsFile } = countEnvelope(snapshot, envelope, ballots, 'essai');
    expect(result.selected).toEqual(['p9', 'p2']);
    expect(result.ballots).toBe(5);
    expect(count(parsePabulib(ballotsFile), { rule: 'greedy' }).selected).toEqual(result.selected);
    expect(result.projects.find((p) => p.id === 'p10')?.explanation).toMatch(/\S/);
  });

  it('quotes CSV cells holding the separator, quotes or line breaks', () => {
    expect(toCsv(['a', 'b'], [['x;y', 'dit "oui"\nnon']])).toBe('a;b\r\n"x;y";"dit ""oui""\nnon"\r\n');
  });
});
