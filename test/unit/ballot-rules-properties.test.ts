import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ValidChoices, validateBallot } from '../../functions/voting/ballot-rules.ts';
import type { BallotRules } from '../../shared/edition/edition-config.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { EnvelopeChoices } from '../../shared/http/voting-schemas.ts';
import { type Envelope, type VoteSnapshot, voterEnvelopes } from '../../shared/voting/frozen-snapshot.ts';

/**
 * Ballot validation against every ballot shape (edition config `ballot`: approval, knapsack, cumulative),
 * compared with an oracle written here from the rules' definition. The voter lives in `nord`: they vote
 * in `nord` and in the Département-wide envelope, not in `sud`; `ouest` does not exist.
 */

const rules: fc.Arbitrary<BallotRules> = fc.oneof(
  fc
    .record({ minChoices: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 3 }) })
    .map(({ minChoices, extra }) => ({
      kind: 'approval' as const,
      minChoices,
      maxChoices: minChoices + extra,
    })),
  fc.constant({ kind: 'knapsack' as const }),
  fc.record({
    kind: fc.constant('cumulative' as const),
    points: fc.integer({ min: 1, max: 10 }),
    maxPerProject: fc.integer({ min: 1, max: 5 }),
  }),
);

const ENVELOPES = ['nord', 'sud', 'departement'] as const;

const snapshot: fc.Arbitrary<VoteSnapshot> = fc
  .record({
    rules,
    amounts: fc.tuple(...ENVELOPES.map(() => fc.integer({ min: 0, max: 100_000 }))),
    costs: fc.tuple(...ENVELOPES.map(() => fc.array(fc.integer({ min: 1, max: 60_000 }), { maxLength: 6 }))),
  })
  .map(({ rules, amounts, costs }) => ({
    rules,
    envelopes: ENVELOPES.map((id, e) => ({ id, name: `Enveloppe ${id}`, amount: amounts[e] ?? 0 })),
    departementWide: 'departement',
    projects: ENVELOPES.flatMap((envelope, e) =>
      (costs[e] ?? []).map((cost, n) => ({
        id: `${envelope}-${n + 1}`,
        title: `Projet ${n + 1}`,
        summary: 'Un projet pour les essais.',
        cost,
        envelope,
        theme: 'sport',
      })),
    ),
    counting: {
      rule: 'greedy',
      tieBreak: 'project-id',
      minimumSupport: 0,
      atLeastOneWinnerPerTerritory: false,
    },
    opensAt: '2026-10-02T07:00:00.000Z',
    closesAt: '2026-10-22T21:59:00.000Z',
    timeZone: 'Europe/Paris',
  }));

const projectsOf = (s: VoteSnapshot, envelope: string) => s.projects.filter((p) => p.envelope === envelope);

const rarely = <T>(usual: T, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 8, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: other });

/**
 * A ballot for the snapshot: plausible choices in the voter's envelopes (their count, cost and points free),
 * rarely a duplicate, a stranger, the wrong form, another territory's envelope or an unknown one.
 */
function ballotFor(s: VoteSnapshot): fc.Arbitrary<Record<string, EnvelopeChoices>> {
  const allIds = [...s.projects.map((p) => p.id), 'inconnu-1'];
  const maxPoints = s.rules.kind === 'cumulative' ? s.rules.maxPerProject : 1;
  const envelopeChoices = (envelope: string): fc.Arbitrary<EnvelopeChoices> =>
    fc
      .record({
        picked: fc.shuffledSubarray(projectsOf(s, envelope).map((p) => p.id)),
        extra: rarely<string[]>(
          [],
          fc.constantFrom(...allIds).map((id) => [id]),
        ),
        duplicate: rarely(false, fc.constant(true)),
        asPoints: rarely(s.rules.kind === 'cumulative', fc.constant(s.rules.kind !== 'cumulative')),
        points: fc.array(
          fc.oneof(
            { weight: 8, arbitrary: fc.integer({ min: 1, max: maxPoints }) },
            fc.integer({ min: -1, max: 7 }),
          ),
          { minLength: 8, maxLength: 8 },
        ),
      })
      .map(({ picked, extra, duplicate, asPoints, points }) => {
        const ids = [...picked, ...extra, ...(duplicate && picked[0] ? [picked[0]] : [])];
        return asPoints ? Object.fromEntries(ids.map((id, i) => [id, points[i % points.length] ?? 1])) : ids;
      });
  const keys = fc
    .record({
      mine: fc.shuffledSubarray(['nord', 'departement'], { minLength: 1 }),
      others: rarely<string[]>([], fc.shuffledSubarray(['sud', 'ouest'], { minLength: 1 })),
      none: rarely(false, fc.constant(true)),
    })
    .chain(({ mine, others, none }) =>
      none
        ? fc.constant<string[]>([])
        : fc.shuffledSubarray([...mine, ...others], { minLength: mine.length + others.length }),
    );
  return keys.chain((keys) =>
    fc
      .tuple(...keys.map((key) => envelopeChoices(key)))
      .map((values) => Object.fromEntries(keys.map((key, k) => [key, values[k] as EnvelopeChoices]))),
  );
}

/** A ballot the rules accept (or an empty one, when no envelope of the voter can be filled). */
function validBallotFor(s: VoteSnapshot): fc.Arbitrary<Record<string, EnvelopeChoices>> {
  const r = s.rules;
  const fill = (envelope: string, order: string[], wishes: number[]): EnvelopeChoices | undefined => {
    const amount = s.envelopes.find((e) => e.id === envelope)?.amount ?? 0;
    const cost = new Map(projectsOf(s, envelope).map((p) => [p.id, p.cost]));
    const wish = (i: number) => wishes[i % wishes.length] ?? 1;
    if (r.kind === 'approval') {
      if (order.length < r.minChoices) return undefined;
      return order.slice(0, Math.min(Math.max(wish(0), r.minChoices), r.maxChoices));
    }
    if (r.kind === 'knapsack') {
      // Projects in the voter's order, each taken if it still fits (and the voter wants it).
      let left = amount;
      const chosen = order.filter((id, i) => {
        const taken = (cost.get(id) ?? 0) <= left && wish(i) % 3 !== 0;
        if (taken) left -= cost.get(id) ?? 0;
        return taken;
      });
      return chosen.length > 0 ? chosen : undefined;
    }
    let left = r.points;
    const points: Record<string, number> = {};
    for (const [i, id] of order.entries()) {
      const given = Math.min(1 + (wish(i) % r.maxPerProject), left);
      if (given < 1) break;
      points[id] = given;
      left -= given;
    }
    return Object.keys(points).length > 0 ? points : undefined;
  };
  return fc
    .record({
      keys: fc.shuffledSubarray(['nord', 'departement'], { minLength: 1 }),
      orders: fc.tuple(
        ...['nord', 'departement'].map((e) => fc.shuffledSubarray(projectsOf(s, e).map((p) => p.id))),
      ),
      wishes: fc.array(fc.nat(9), { minLength: 1, maxLength: 6 }),
    })
    .map(({ keys, orders, wishes }) => {
      const ballot: Record<string, EnvelopeChoices> = {};
      for (const key of keys) {
        const choices = fill(key, orders[key === 'nord' ? 0 : 1] ?? [], wishes);
        if (choices) ballot[key] = choices;
      }
      return ballot;
    });
}

const case_ = snapshot.chain((s) =>
  fc.record({ snapshot: fc.constant(s), ballot: fc.oneof(ballotFor(s), validBallotFor(s)) }),
);
const validCase = snapshot.chain((s) => fc.record({ snapshot: fc.constant(s), ballot: validBallotFor(s) }));

type Verdict = { ok: true; valid: [string, ValidChoices][] } | { ok: false; field: string };

/** The rules, from their definition, envelope by envelope in the order given; the first offence is reported. */
function oracle(
  s: VoteSnapshot,
  mine: readonly Envelope[],
  ballot: Record<string, EnvelopeChoices>,
): Verdict {
  const entries = Object.entries(ballot);
  if (entries.length === 0) return { ok: false, field: 'body.choices' };
  const valid: [string, ValidChoices][] = [];
  for (const [envelopeId, choices] of entries) {
    const refused = { ok: false as const, field: `body.choices.${envelopeId}` };
    const envelope = mine.find((e) => e.id === envelopeId);
    if (!envelope) return refused;
    const costs = new Map(projectsOf(s, envelopeId).map((p) => [p.id, p.cost]));
    const ids = Array.isArray(choices) ? choices : Object.keys(choices);
    if (new Set(ids).size !== ids.length || !ids.every((id) => costs.has(id))) return refused;
    const r = s.rules;
    if (r.kind === 'cumulative') {
      if (Array.isArray(choices)) return refused;
      const points = Object.values(choices);
      const total = points.reduce((sum, p) => sum + p, 0);
      if (!points.every((p) => p >= 1 && p <= r.maxPerProject) || total < 1 || total > r.points)
        return refused;
      valid.push([
        envelopeId,
        Object.fromEntries(Object.entries(choices).sort(([a], [b]) => (a < b ? -1 : 1))),
      ]);
      continue;
    }
    if (!Array.isArray(choices)) return refused;
    if (r.kind === 'approval' && (ids.length < r.minChoices || ids.length > r.maxChoices)) return refused;
    if (r.kind === 'knapsack') {
      const total = ids.reduce((sum, id) => sum + (costs.get(id) ?? 0), 0);
      if (ids.length === 0 || total > envelope.amount) return refused;
    }
    valid.push([envelopeId, [...ids].sort()]);
  }
  return { ok: true, valid };
}

/** What `validateBallot` decides, with the refusal's shape checked on the way. */
function verdictOf(s: VoteSnapshot, mine: readonly Envelope[], ballot: Record<string, EnvelopeChoices>) {
  try {
    return { ok: true as const, valid: [...validateBallot(s, mine, ballot)] };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // Every refusal is a 422 with a French reason and names the field at fault.
    expect(error.status).toBe(422);
    expect(error.code).toMatch(/^[a-z_]+$/);
    expect(error.detail).toMatch(/\S/);
    expect(error.errors).toHaveLength(1);
    return { ok: false as const, code: error.code, field: error.errors[0]?.field ?? '(no field)' };
  }
}

const shuffled = <T>(values: readonly T[], keys: readonly number[]) =>
  values
    .map((value, i) => ({ value, key: keys[i % Math.max(keys.length, 1)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map(({ value }) => value);

describe('ballot validation, against the rules of every ballot shape', () => {
  it('accepts a ballot iff the rules allow it, and otherwise names the first envelope at fault', () => {
    fc.assert(
      fc.property(case_, ({ snapshot: s, ballot }) => {
        // Prepare
        const mine = voterEnvelopes(s, 'nord');
        // Act
        const verdict = verdictOf(s, mine, ballot);
        // Assess
        const expected = oracle(s, mine, ballot);
        if (expected.ok) expect(verdict).toEqual(expected);
        else expect(verdict).toMatchObject({ ok: false, field: expected.field });
      }),
      { numRuns: 300 },
    );
  });

  it('never changes its verdict when the choices inside an envelope come in another order', () => {
    fc.assert(
      fc.property(
        case_,
        fc.array(fc.nat(100), { minLength: 1, maxLength: 10 }),
        ({ snapshot: s, ballot }, keys) => {
          // Prepare
          const mine = voterEnvelopes(s, 'nord');
          const reordered = Object.fromEntries(
            Object.entries(ballot).map(([envelope, choices]) => [
              envelope,
              Array.isArray(choices)
                ? shuffled(choices, keys)
                : Object.fromEntries(shuffled(Object.entries(choices), keys)),
            ]),
          );
          // Act / Assess: same acceptance and stored choices, or the same refusal on the same field.
          expect(verdictOf(s, mine, reordered)).toEqual(verdictOf(s, mine, ballot));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses any accepted ballot once a project is chosen twice, or an unknown project is added, in one envelope', () => {
    fc.assert(
      fc.property(validCase, fc.nat(), fc.boolean(), ({ snapshot: s, ballot }, pick, stranger) => {
        // Prepare: a ballot the rules accept, with an envelope holding a list of projects.
        const mine = voterEnvelopes(s, 'nord');
        fc.pre(Object.keys(ballot).length > 0);
        expect(verdictOf(s, mine, ballot).ok).toBe(true);
        const lists = Object.entries(ballot).filter(
          (entry): entry is [string, string[]] => Array.isArray(entry[1]) && entry[1].length > 0,
        );
        fc.pre(lists.length > 0);
        const [envelope, ids] = lists[pick % lists.length] as [string, string[]];
        const spoiled = {
          ...ballot,
          [envelope]: [...ids, stranger ? 'projet-inconnu' : (ids[pick % ids.length] as string)],
        };
        // Act
        const verdict = verdictOf(s, mine, spoiled);
        // Assess
        expect(verdict).toMatchObject({ ok: false, field: `body.choices.${envelope}` });
        if (verdict.ok) return;
        // An approval ballot already at its maximum may be refused first as too long: the count comes first.
        const countFirst = s.rules.kind === 'approval' && ids.length + 1 > s.rules.maxChoices;
        const codes = [
          stranger ? 'project_not_in_envelope' : 'duplicate_choice',
          ...(countFirst ? ['too_many_choices'] : []),
        ];
        expect(codes).toContain(verdict.code);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an empty ballot, naming the choices', () => {
    fc.assert(
      fc.property(snapshot, (s) => {
        expect(verdictOf(s, voterEnvelopes(s, 'nord'), {})).toEqual({
          ok: false,
          code: 'empty_ballot',
          field: 'body.choices',
        });
      }),
      { numRuns: 20 },
    );
  });
});
