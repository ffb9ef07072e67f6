import { describe, expect, it } from 'vitest';
import { countEnvelope } from '../../functions/results/count-envelope.ts';
import { count, parsePabulib } from '../../shared/counting/index.ts';
import { toCsv } from '../../shared/csv/csv-cell.ts';
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

describe('results: the règlement’s product rules, applied when the edition config asks for them', () => {
  const departement = { id: 'departement', name: 'Tout le Département', amount: 100 };
  const located = (id: string, cost: number, territory: string, extra: object = {}) => ({
    ...project(id, cost),
    envelope: 'departement',
    territory,
    ...extra,
  });
  const base: VoteSnapshot = {
    ...snapshot,
    envelopes: [
      { id: 'nord', name: 'Nord', amount: 100 },
      { id: 'sud', name: 'Sud Loire', amount: 100 },
      departement,
    ],
    departementWide: 'departement',
    projects: [
      located('n1', 60, 'nord'),
      located('n2', 40, 'nord'),
      located('s1', 50, 'sud', { categories: ['jeunesse'] }),
    ],
  };
  // n1 and n2 lead; s1 (Sud Loire) trails and does not fit after them.
  const votes = [['n1', 'n2'], ['n1', 'n2'], ['n1', 'n2'], ['s1']];

  it('leaves a territory without a winner when the repêchage is off (the default)', () => {
    // Act
    const { result } = countEnvelope(base, departement, votes, 'essai');
    // Assess
    expect(result.selected).toEqual(['n1', 'n2']);
  });

  it('funds the best project of a territory without a winner first, explained in French with its name', () => {
    // Prepare
    const withRepechage: VoteSnapshot = {
      ...base,
      counting: { ...base.counting, atLeastOneWinnerPerTerritory: true },
    };
    // Act
    const { result, ballotsFile } = countEnvelope(withRepechage, departement, votes, 'essai');
    // Assess
    expect(result.selected).toEqual(['s1', 'n2']);
    const s1 = result.projects.find((p) => p.id === 's1');
    expect(s1?.selected).toBe(true);
    expect(s1?.explanation).toBe(
      'Retenu au titre du repêchage : projet le plus soutenu (1\u00a0voix) du territoire « Sud Loire », qui n’avait aucun lauréat, financé en premier.',
    );
    expect(ballotsFile).toContain('min_one_winner_per_territory;true');
    const recount = count(parsePabulib(ballotsFile), { rule: 'greedy', atLeastOnePerTerritory: true });
    expect(recount.selected).toEqual(result.selected);
  });

  it('counts a reserved amount among its category first, only in the envelope it is set for', () => {
    // Prepare: 50 € kept for « jeunesse » in the Département-wide envelope
    const withReserve: VoteSnapshot = {
      ...base,
      counting: {
        ...base.counting,
        reservedAmounts: [{ envelope: 'departement', category: 'jeunesse', amount: 50 }],
      },
    };
    // Act
    const { result, ballotsFile } = countEnvelope(withReserve, departement, votes, 'essai');
    // Assess
    expect(result.selected).toEqual(['s1', 'n2']);
    expect(result.projects.find((p) => p.id === 's1')?.explanation).toContain('montant réservé « jeunesse »');
    expect(ballotsFile).toContain('reserved_amounts;jeunesse:50');
    // Another envelope is counted without it.
    const nord = countEnvelope(withReserve, { id: 'nord', name: 'Nord', amount: 100 }, [], 'essai');
    expect(nord.ballotsFile).not.toContain('reserved_amounts');
  });
});
