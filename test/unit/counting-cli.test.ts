import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from '../../bin/commands/count.ts';
import { createInstance, writePabulib } from '../../shared/counting/index.ts';

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
