import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, productRulesFromMeta } from '../../bin/commands/count.ts';
import { countEnvelope } from '../../functions/results/count-envelope.ts';
import { createInstance, writePabulib } from '../../shared/counting/index.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await count.run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('bp count', () => {
  let dir = '';
  let file = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bp-count-'));
    file = join(dir, 'quartier.pb');
    const instance = createInstance({
      budget: '100000',
      meta: { description: 'Quartier test', currency: 'EUR', rule: 'greedy' },
      projects: [
        { id: '9', cost: 60000, name: 'Jardin partagé' },
        { id: '10', cost: 60000, name: 'Aire de jeux' },
        { id: '11', cost: 30000, name: 'Bancs' },
      ],
      ballots: [['9', '11'], ['10'], ['9'], ['10', '11'], []],
    });
    await writeFile(file, writePabulib(instance));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON line per file with the winners in selection order', async () => {
    const { code, out } = await run([file, '--rule', 'greedy', '--json']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    // "10" and "9" tie at 2 votes: "10" comes first as a string.
    expect(out[0]).toMatch(
      /^\{"file": ".*quartier\.pb", "rule": "greedy", "selected": \["10", "11"\], "seconds": \d+(\.\d+)?\}$/,
    );
  });

  it('prints a French table explaining every project', async () => {
    const { code, out } = await run([file, '--rule', 'mes']);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('Règle : mes — méthode des parts égales');
    expect(text).toContain('Budget : 100\u202f000\u00a0€');
    expect(text).toContain('5 bulletins (les bulletins vides comptent)');
    expect(text).toMatch(/Explication/);
    expect(text).toMatch(/Retenu au tour 1 des parts égales/);
    expect(out.filter((l) => /non retenu/.test(l))).toHaveLength(1);
  });

  it('applies a published tie-break and a minimum support', async () => {
    const order = await run([file, '--rule', 'greedy', '--json', '--tie-break', 'order:9,10']);
    expect(JSON.parse(order.out[0] ?? '{}').selected).toEqual(['9', '11']);
    const threshold = await run([file, '--rule', 'greedy', '--json', '--minimum-support', '3']);
    expect(JSON.parse(threshold.out[0] ?? '{}').selected).toEqual([]);
  });

  it('refuses a missing or unknown rule, tie-break or threshold with exit code 2', async () => {
    const missing = await run([file]);
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toContain('Indiquer la règle');
    const unknown = await run([file, '--rule', 'borda']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toEqual([
      expect.stringContaining('Règle inconnue'),
      expect.stringContaining('Usage : bp count'),
    ]);
    expect(await run([file, '--rule', 'mes', '--tie-break', 'random'])).toMatchObject({ code: 2 });
    expect(await run([file, '--rule', 'mes', '--minimum-support', 'beaucoup'])).toMatchObject({ code: 2 });
    expect(await run(['--rule', 'mes'])).toMatchObject({ code: 2 });
  });

  it('reports an unreadable file and goes on with the others, exit code 1', async () => {
    const { code, out, err } = await run([join(dir, 'absent.pb'), file, '--rule', 'greedy', '--json']);
    expect(code).toBe(1);
    expect(err[0]).toContain('absent.pb');
    expect(out).toHaveLength(1);
  });
});

describe('bp count: the product rules a published file declares in its META', () => {
  // The Département-wide envelope of a règlement with repêchage and a share for young people: n1 and n2
  // (Nord) lead, s1 (Sud Loire, « jeunesse ») trails and does not fit after them.
  const departement = { id: 'departement', name: 'Tout le Département', amount: 100 };
  const located = (id: string, cost: number, territory: string, extra: object = {}) => ({
    id,
    title: `Projet ${id}`,
    summary: 'Un résumé assez long pour passer.',
    cost,
    envelope: 'departement',
    theme: 'nature',
    territory,
    ...extra,
  });
  const base: VoteSnapshot = {
    rules: { kind: 'approval', minChoices: 1, maxChoices: 3 },
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
  const votes = [['n1', 'n2'], ['n1', 'n2'], ['n1', 'n2'], ['s1']];
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bp-count-meta-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The ballot file the results function publishes for this règlement, written where the CLI reads it. */
  async function published(name: string, snapshot: VoteSnapshot) {
    const { result, ballotsFile } = countEnvelope(snapshot, departement, votes, 'essai');
    const path = join(dir, name);
    await writeFile(path, ballotsFile);
    return { path, result };
  }

  it('recounts a published file with repêchage per territory into the published winners', async () => {
    // Prepare
    const { path, result } = await published('repechage.pb', {
      ...base,
      counting: { ...base.counting, atLeastOneWinnerPerTerritory: true },
    });
    // Act
    const recount = await run([path, '--rule', 'greedy', '--json']);
    const raw = await run([path, '--rule', 'greedy', '--json', '--ignore-product-rules']);
    // Assess
    expect(recount.code).toBe(0);
    expect(result.selected).toEqual(['s1', 'n2']);
    expect(JSON.parse(recount.out[0] ?? '{}').selected).toEqual(result.selected);
    expect(JSON.parse(raw.out[0] ?? '{}').selected).toEqual(['n1', 'n2']);
  });

  it('recounts a published file with a reserved amount into the published winners, same JSON line', async () => {
    // Prepare
    const { path, result } = await published('reserve.pb', {
      ...base,
      counting: {
        ...base.counting,
        reservedAmounts: [{ envelope: 'departement', category: 'jeunesse', amount: 50 }],
      },
    });
    // Act
    const recount = await run([path, '--rule', 'greedy', '--json']);
    // Assess
    expect(recount.out).toHaveLength(1);
    expect(recount.out[0]).toMatch(
      /^\{"file": ".*reserve\.pb", "rule": "greedy", "selected": \["s1", "n2"\], "seconds": \d+(\.\d+)?\}$/,
    );
    expect(JSON.parse(recount.out[0] ?? '{}').selected).toEqual(result.selected);
  });

  it('names the rules it applied from the META in the French table', async () => {
    // Prepare
    const { path } = await published('deux-regles.pb', {
      ...base,
      counting: {
        ...base.counting,
        atLeastOneWinnerPerTerritory: true,
        reservedAmounts: [{ envelope: 'departement', category: 'jeunesse', amount: 50 }],
      },
    });
    // Act
    const { code, out } = await run([path, '--rule', 'greedy']);
    // Assess
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('Règle du fichier (META) : au moins un lauréat par territoire (repêchage)');
    expect(text).toContain('Règle du fichier (META) : 50\u00a0€ réservés aux projets « jeunesse »');
  });

  it('reads the META keys, and refuses a malformed one instead of counting with a guess', async () => {
    expect(productRulesFromMeta(new Map())).toEqual({});
    expect(
      productRulesFromMeta(
        new Map([
          ['min_one_winner_per_territory', 'true'],
          ['reserved_amounts', 'jeunesse:50,aînés:12.5'],
        ]),
      ),
    ).toEqual({
      atLeastOnePerTerritory: true,
      reserved: [
        { category: 'jeunesse', amount: '50' },
        { category: 'aînés', amount: '12.5' },
      ],
    });
    expect(productRulesFromMeta(new Map([['min_one_winner_per_territory', 'false']]))).toEqual({});
    expect(() => productRulesFromMeta(new Map([['reserved_amounts', 'jeunesse']]))).toThrow(
      /reserved_amounts invalide/,
    );
    const path = join(dir, 'mal-forme.pb');
    await writeFile(
      path,
      writePabulib(
        createInstance({
          budget: '100',
          meta: { reserved_amounts: 'jeunesse:beaucoup' },
          projects: [{ id: '1', cost: 10 }],
          ballots: [['1']],
        }),
      ),
    );
    const { code, err } = await run([path, '--rule', 'greedy', '--json']);
    expect(code).toBe(1);
    expect(err[0]).toContain('reserved_amounts invalide');
  });
});
