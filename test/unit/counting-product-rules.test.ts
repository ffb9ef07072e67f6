import { describe, expect, it } from 'vitest';
import {
  count,
  countEnvelopes,
  countResultToJson,
  createInstance,
  explainProject,
  formatAmount,
  type ProjectInput,
} from '../../shared/counting/index.ts';

/** One ballot per vote: `votes[id]` voters approve project id alone. */
function election(budget: number, projects: (ProjectInput & { votes: number })[]) {
  return createInstance({
    budget,
    projects,
    ballots: projects.flatMap((p) => Array.from({ length: p.votes }, () => [p.id])),
  });
}

describe('rules from the règlement', () => {
  it('keeps only one project of a mutually exclusive group, with greedy and with MES', () => {
    // Prepare: A and B are two versions of the same square; A is the better supported.
    const instance = election(100, [
      { id: 'A', cost: 40, votes: 9 },
      { id: 'B', cost: 40, votes: 8 },
      { id: 'C', cost: 40, votes: 2 },
    ]);
    for (const rule of ['greedy', 'mes'] as const) {
      // Act
      const result = count(instance, { rule, exclusions: [['A', 'B']] });
      // Assess
      expect(result.selected, rule).toEqual(['A', 'C']);
      expect(result.explanations.get('B'), rule).toMatchObject({ status: 'excluded', excludedBy: 'A' });
      expect(explainProject(result.explanations.get('B') as never, result)).toBe(
        'Non retenu : incompatible avec le projet A, retenu avant lui.',
      );
    }
  });

  it('counts the reserved amount first among its category, then returns what is left to everyone', () => {
    // Prepare: 100 to share, 30 reserved for "jeunesse". Y1 (youth, 25) has few votes but wins the reserve;
    // the 5 left of the reserve go back to the general count.
    const instance = election(100, [
      { id: 'G1', cost: 60, votes: 50 },
      { id: 'G2', cost: 30, votes: 40 },
      { id: 'Y1', cost: 25, votes: 5, categories: ['jeunesse'] },
      { id: 'Y2', cost: 40, votes: 45, categories: ['jeunesse'] },
    ]);
    const plain = count(instance, { rule: 'greedy' });
    expect(plain.selected).toEqual(['G1', 'Y2']);
    // Act
    const result = count(instance, { rule: 'greedy', reserved: [{ category: 'jeunesse', amount: 30 }] });
    // Assess: Y2 (40) does not fit the 30 reserved, Y1 does; then G1 (60) with the 75 left; G2 (30) no longer fits.
    expect(result.selected).toEqual(['Y1', 'G1']);
    expect(result.explanations.get('Y1')).toMatchObject({ stage: 'reserved', category: 'jeunesse' });
    expect(result.explanations.get('Y2')).toMatchObject({ status: 'does-not-fit', stage: 'main' });
    expect(result.spent).toBe(85n);
  });

  it('funds the best project of a territory left without a winner, first, and counts the rest again', () => {
    // Prepare: Nord takes everything under greedy; Sud's best project is S1.
    const instance = election(100, [
      { id: 'N1', cost: 50, votes: 30, territory: 'Nord' },
      { id: 'N2', cost: 50, votes: 20, territory: 'Nord' },
      { id: 'S1', cost: 40, votes: 10, territory: 'Sud' },
      { id: 'S2', cost: 10, votes: 5, territory: 'Sud' },
    ]);
    expect(count(instance, { rule: 'greedy' }).selected).toEqual(['N1', 'N2']);
    // Act
    const result = count(instance, { rule: 'greedy', atLeastOnePerTerritory: true });
    // Assess: S1 funded first (60 left), then N1 (10 left), N2 no longer fits, S2 does.
    expect(result.selected).toEqual(['S1', 'N1', 'S2']);
    expect(result.explanations.get('S1')).toMatchObject({ stage: 'repechage', territory: 'Sud' });
    expect(explainProject(result.explanations.get('S1') as never, result)).toContain('repêchage');
    expect(result.spent <= 100n).toBe(true);
  });

  it('counts each envelope with its own budget and its own voters', () => {
    const nord = election(50, [
      { id: 'N1', cost: 50, votes: 3 },
      { id: 'N2', cost: 10, votes: 1 },
    ]);
    const sud = election(30, [
      { id: 'S1', cost: 40, votes: 9 },
      { id: 'S2', cost: 30, votes: 1 },
    ]);
    const results = countEnvelopes(
      [
        { id: 'nord', instance: nord },
        { id: 'sud', instance: sud },
      ],
      { rule: 'greedy' },
    );
    // Nord: N1 fits its 50; Sud: S1 (40) exceeds its 30 although it is the most supported there.
    expect(results.map((r) => [r.id, r.result.selected])).toEqual([
      ['nord', ['N1']],
      ['sud', ['S2']],
    ]);
  });

  it('explains every project in French, with exact amounts', () => {
    const instance = election(100, [
      { id: 'A', cost: 60, votes: 3 },
      { id: 'B', cost: 50, votes: 2 },
      { id: 'C', cost: 30, votes: 0 },
    ]);
    const greedy = count(instance, { rule: 'greedy' });
    const text = (id: string) => explainProject(greedy.explanations.get(id) as never, greedy);
    expect(text('A')).toBe('Retenu : rang 1 (3\u00a0voix), il restait 100\u00a0€ quand il a été examiné.');
    expect(text('B')).toBe(
      'Non retenu : rang 2 (2\u00a0voix), coût de 50\u00a0€ supérieur aux 40\u00a0€ restants.',
    );
    const mes = count(instance, { rule: 'mes-raw' });
    const a = explainProject(mes.explanations.get('A') as never, mes);
    // 100 / 5 voters = 20 each: A's three supporters hold 60, they pay 20 each.
    expect(a).toBe('Retenu au tour 1 des parts égales : 3\u00a0voix, chaque soutien a payé 20\u00a0€.');
    expect(explainProject(mes.explanations.get('B') as never, mes)).toBe(
      'Non retenu : 2\u00a0voix, mais ses soutiens n’avaient plus que 40\u00a0€ pour un coût de 50\u00a0€.',
    );
    expect(formatAmount({ num: 10n, den: 3n }, 0)).toBe('≈\u00a03,33\u00a0€');
    expect(formatAmount(123456789n, 2, 'PLN')).toBe('1\u202f234\u202f567,89\u00a0PLN');
  });

  it('serialises a result to plain JSON with exact prices', () => {
    const instance = createInstance({
      budget: '100.5',
      projects: [{ id: 'A', cost: 50 }],
      ballots: [['A'], ['A'], ['A'], []],
    });
    const json = countResultToJson(count(instance, { rule: 'mes-raw' }));
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.budget).toBe('100.5');
    expect(json.mes?.budgetPerVoter).toEqual({ num: '201', den: '8', decimal: '25.13' });
    // 50 / 3 each.
    expect(json.projects[0]?.mes?.price).toEqual({ num: '50', den: '3', decimal: '16.67' });
  });
});
