import { describe, expect, it } from 'vitest';
import { validateBallot } from '../../functions/voting/ballot-rules.ts';
import {
  newReceiptCode,
  ReceiptCodePattern,
  sealReceipt,
  unsealReceipt,
} from '../../functions/voting/receipt-seal.ts';
import { shuffleFor } from '../../functions/voting/shuffle.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import { type VoteSnapshot, voterEnvelopes } from '../../shared/voting/frozen-snapshot.ts';

const project = (envelope: string, n: number, cost: number) => ({
  id: `${envelope}-${n}`,
  title: `Projet ${n} de ${envelope}`,
  summary: 'Un projet pour les essais unitaires.',
  cost,
  envelope,
  theme: 'sport',
});

function snapshot(rules: VoteSnapshot['rules']): VoteSnapshot {
  return {
    rules,
    envelopes: [
      { id: 'nord', name: 'Nord', amount: 100_000 },
      { id: 'sud', name: 'Sud', amount: 100_000 },
      { id: 'departement', name: 'Tout le Département', amount: 50_000 },
    ],
    departementWide: 'departement',
    projects: [
      ...[1, 2, 3, 4, 5].map((n) => project('nord', n, 30_000)),
      project('sud', 1, 10_000),
      ...[1, 2].map((n) => project('departement', n, 30_000)),
    ],
    counting: {
      rule: 'greedy',
      tieBreak: 'project-id',
      minimumSupport: 0,
      atLeastOneWinnerPerTerritory: false,
    },
    opensAt: '2023-10-02T07:00:00.000Z',
    closesAt: '2023-10-22T21:59:00.000Z',
    timeZone: 'Europe/Paris',
  };
}

function refusal(run: () => unknown): { code: string; detail: string | undefined; status: number } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, detail: error.detail, status: error.status };
    throw error;
  }
  throw new Error('not refused');
}

describe('ballot rules', () => {
  const approval = snapshot({ kind: 'approval', minChoices: 2, maxChoices: 3 });
  const mine = voterEnvelopes(approval, 'nord');

  it('gives a voter their territory and the Département-wide envelope, nothing else', () => {
    expect(mine.map((e) => e.id)).toEqual(['nord', 'departement']);
  });

  it('accepts an approval ballot within the bounds, sorted, abstaining in an envelope left out', () => {
    const valid = validateBallot(approval, mine, { nord: ['nord-3', 'nord-1'] });
    expect([...valid]).toEqual([['nord', ['nord-1', 'nord-3']]]);
  });

  it.each([
    ['too_few_choices', { nord: ['nord-1'] }],
    ['too_many_choices', { nord: ['nord-1', 'nord-2', 'nord-3', 'nord-4'] }],
    ['duplicate_choice', { nord: ['nord-1', 'nord-1'] }],
    ['envelope_not_yours', { sud: ['sud-1', 'sud-1'] }],
    ['unknown_envelope', { ouest: ['x', 'y'] }],
    ['project_not_in_envelope', { nord: ['nord-1', 'sud-1'] }],
    ['empty_ballot', {}],
  ])('refuses %s with a French reason (422)', (code, ballot) => {
    const refused = refusal(() => validateBallot(approval, mine, ballot));
    expect(refused).toMatchObject({ code, status: 422 });
    expect(refused.detail).toMatch(/[éèàç]|projet|enveloppe|bulletin/i);
  });

  it('refuses a knapsack ballot over the envelope, in euros, and accepts one within it', () => {
    const knapsack = snapshot({ kind: 'knapsack' });
    const envelopes = voterEnvelopes(knapsack, 'nord');
    const over = refusal(() =>
      validateBallot(knapsack, envelopes, { nord: ['nord-1', 'nord-2', 'nord-3', 'nord-4'] }),
    );
    expect(over.code).toBe('over_budget');
    expect(over.detail).toContain('120 000 €');
    expect(over.detail).toContain('100 000 €');
    expect([...validateBallot(knapsack, envelopes, { nord: ['nord-1', 'nord-2', 'nord-3'] })]).toHaveLength(
      1,
    );
  });

  it('checks cumulative points per project and in total', () => {
    const cumulative = snapshot({ kind: 'cumulative', points: 5, maxPerProject: 3 });
    const envelopes = voterEnvelopes(cumulative, 'nord');
    expect(refusal(() => validateBallot(cumulative, envelopes, { nord: { 'nord-1': 4 } })).code).toBe(
      'points_out_of_range',
    );
    expect(
      refusal(() => validateBallot(cumulative, envelopes, { nord: { 'nord-1': 3, 'nord-2': 3 } })).code,
    ).toBe('too_many_points');
    expect(refusal(() => validateBallot(cumulative, envelopes, { nord: ['nord-1'] })).code).toBe(
      'points_expected',
    );
    expect([...validateBallot(cumulative, envelopes, { nord: { 'nord-2': 2, 'nord-1': 3 } })]).toEqual([
      ['nord', { 'nord-1': 3, 'nord-2': 2 }],
    ]);
  });
});

describe('receipt sealing', () => {
  it('unseals the receipt with the same Idempotency-Key only', () => {
    const receipt = newReceiptCode();
    const sealed = sealReceipt(receipt, 'client-key-0123456789abcdef', 'citizen-1', 'edition-a');
    expect(sealed).not.toContain(receipt);
    expect(unsealReceipt(sealed, 'client-key-0123456789abcdef', 'citizen-1', 'edition-a')).toBe(receipt);
    expect(unsealReceipt(sealed, 'another-key-0123456789abcdef', 'citizen-1', 'edition-a')).toBeUndefined();
    expect(unsealReceipt(sealed, 'client-key-0123456789abcdef', 'citizen-2', 'edition-a')).toBeUndefined();
    expect(unsealReceipt(sealed, 'client-key-0123456789abcdef', 'citizen-1', 'edition-b')).toBeUndefined();
    expect(unsealReceipt('garbage', 'client-key-0123456789abcdef', 'citizen-1', 'edition-a')).toBeUndefined();
  });

  it('seals the same receipt differently each time (random IV)', () => {
    const a = sealReceipt('ABCD-EFGH-JKMN', 'k'.repeat(30), 'c', 'e');
    const b = sealReceipt('ABCD-EFGH-JKMN', 'k'.repeat(30), 'c', 'e');
    expect(a).not.toBe(b);
  });

  it('makes human-friendly receipt codes without ambiguous characters', () => {
    const codes = Array.from({ length: 500 }, newReceiptCode);
    expect(codes.every((code) => ReceiptCodePattern.test(code))).toBe(true);
    expect(codes.join('')).not.toMatch(/[01ILOS25Z]/);
    expect(new Set(codes).size).toBe(500);
  });
});

describe('per-voter shuffle', () => {
  const items = Array.from({ length: 12 }, (_, i) => i);

  it('is reproducible for a voter and a permutation of the list', () => {
    const once = shuffleFor(items, 'voter-1', 'edition');
    expect(shuffleFor(items, 'voter-1', 'edition')).toEqual(once);
    expect([...once].sort((a, b) => a - b)).toEqual(items);
  });

  it('differs between voters and puts each project first about equally often', () => {
    const firsts = new Map<number, number>();
    for (let v = 0; v < 2400; v++) {
      const first = shuffleFor(items, `voter-${v}`, 'edition')[0] as number;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect(firsts.size).toBe(12);
    for (const count of firsts.values()) expect(count).toBeGreaterThan(120);
  });
});
