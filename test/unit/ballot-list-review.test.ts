import { describe, expect, it } from 'vitest';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { reviewBallotList, unvotableEnvelopes } from '../../shared/voting/ballot-list-review.ts';

type ReviewConfig = Pick<EditionConfig, 'territories' | 'budget' | 'ballot'>;

const config = (ballot: EditionConfig['ballot']): ReviewConfig =>
  ({
    territories: [
      { id: 'nantes', name: 'Nantes', envelope: 100_000 },
      { id: 'vignoble', name: 'Vignoble', envelope: 50_000 },
    ],
    budget: { departementWide: { id: 'departement', name: 'Tout le Département', envelope: 200_000 } },
    ballot,
  }) as unknown as ReviewConfig;

const approval = config({ kind: 'approval', minChoices: 3, maxChoices: 10 });
const project = (envelope: string, cost: number) => ({ envelope, cost });

describe('reviewBallotList', () => {
  it('reviews every envelope of the edition, the Département-wide one included, in order', () => {
    const reviews = reviewBallotList(approval, []);
    expect(reviews.map((r) => r.id)).toEqual(['nantes', 'vignoble', 'departement']);
  });

  it('calls an envelope without project unvotable, plainly', () => {
    const [nantes] = reviewBallotList(approval, []);
    expect(nantes).toMatchObject({ projects: 0, totalCost: 0, problem: { code: 'no_project' } });
    expect(nantes?.problem?.message).toBe(
      'Aucun projet dans l’enveloppe « Nantes » : personne ne pourrait y voter.',
    );
  });

  it('calls an approval envelope with fewer projects than the minimum choices unvotable', () => {
    const [nantes] = reviewBallotList(approval, [project('nantes', 40_000), project('nantes', 70_000)]);
    expect(nantes?.problem?.code).toBe('too_few_projects');
    expect(nantes?.problem?.message).toMatch(
      /n’a que 2 projets, alors que le bulletin demande d’en choisir au moins 3/,
    );
    expect(nantes?.warning).toBeUndefined();
  });

  it('accepts exactly the minimum, and warns when the demand is below the budget', () => {
    const projects = [project('vignoble', 10_000), project('vignoble', 10_000), project('vignoble', 10_000)];
    const [, vignoble] = reviewBallotList(approval, projects);
    expect(vignoble?.problem).toBeUndefined();
    expect(vignoble?.totalCost).toBe(30_000);
    expect(vignoble?.warning).toMatch(
      /coûtent 30 000 € au total, moins que l’enveloppe \(50 000 €\) : 20 000 € resteront inutilisés/,
    );
  });

  it('calls a knapsack envelope where no project fits the budget unvotable, whatever their number', () => {
    const knapsack = config({ kind: 'knapsack' });
    const [, vignoble] = reviewBallotList(knapsack, [
      project('vignoble', 60_000),
      project('vignoble', 80_000),
    ]);
    expect(vignoble?.problem?.code).toBe('nothing_fits');
    const [nantes] = reviewBallotList(knapsack, [project('nantes', 60_000)]);
    expect(nantes?.problem).toBeUndefined();
  });

  it('gives one field error per unvotable envelope, none for a votable list', () => {
    const full = ['nantes', 'vignoble', 'departement'].flatMap((envelope) =>
      [1, 2, 3].map(() => project(envelope, 100_000)),
    );
    expect(unvotableEnvelopes(reviewBallotList(approval, full))).toEqual([]);
    expect(unvotableEnvelopes(reviewBallotList(approval, full.slice(3))).map((e) => e.field)).toEqual([
      'envelopes.nantes',
    ]);
  });
});
