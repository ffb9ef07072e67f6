import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, parsePabulib } from '../../shared/counting/index.ts';

const run = promisify(execFile);
const PACKAGE = fileURLToPath(new URL('../../packages/counting/', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/pabulib/Poland_Swiecie_2023.pb', import.meta.url));

/** Every module specifier a source file imports or re-exports (static and dynamic). */
function specifiers(source: string): string[] {
  const found = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)];
  return found.map((m) => m[1] as string);
}

describe('the counting package (packages/counting)', () => {
  it('imports nothing but its own files and Node built-ins, and declares no dependency', async () => {
    const files = (await readdir(join(PACKAGE, 'src'))).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('index.ts');
    const outside: string[] = [];
    for (const file of files) {
      for (const spec of specifiers(await readFile(join(PACKAGE, 'src', file), 'utf8'))) {
        const inside = /^\.\/[\w.-]+\.ts$/.test(spec) && files.includes(spec.slice(2));
        if (!inside && !spec.startsWith('node:')) outside.push(`${file}: ${spec}`);
      }
    }
    expect(outside).toEqual([]);
    const pkg = JSON.parse(await readFile(join(PACKAGE, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.type).toBe('module');
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  // Built as `npm pack` builds it, then installed in a folder outside the repository: a file that reached out of
  // the package (or into the repository's node_modules) would not build or would not resolve there.
  describe('built and installed alone', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'counting-package-'));
      const pkg = join(dir, 'pkg');
      await mkdir(pkg);
      // --noEmitOnError: a source that reaches out of the package must not leave JavaScript beside the repository's.
      await run(process.execPath, [
        TSC,
        '-p',
        join(PACKAGE, 'tsconfig.json'),
        '--outDir',
        join(pkg, 'dist'),
        '--noEmitOnError',
      ]);
      await cp(join(PACKAGE, 'package.json'), join(pkg, 'package.json'));
      await mkdir(join(dir, 'app', 'node_modules', '@budget-participatif'), { recursive: true });
      await symlink(pkg, join(dir, 'app', 'node_modules', '@budget-participatif', 'counting'), 'dir');
    }, 60_000);
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('exports the count and the parser, with their types, and counts as the platform does', async () => {
      const script = join(dir, 'app', 'recount.mjs');
      await writeFile(
        script,
        [
          "import { readFileSync } from 'node:fs';",
          "import * as counting from '@budget-participatif/counting';",
          'const instance = counting.parsePabulib(readFileSync(process.argv[2], "utf8"));',
          "const result = counting.count(instance, { rule: 'mes-add1', tieBreak: { kind: 'id' } });",
          'console.log(JSON.stringify({ exports: Object.keys(counting).sort(), selected: result.selected }));',
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, [script, FIXTURE], { cwd: join(dir, 'app') });
      const out = JSON.parse(stdout) as { exports: string[]; selected: string[] };
      expect(out.exports).toEqual(
        expect.arrayContaining([
          'count',
          'countEnvelopes',
          'parsePabulib',
          'parsePabulibStream',
          'writePabulib',
        ]),
      );
      const expected = count(parsePabulib(await readFile(FIXTURE, 'utf8')), {
        rule: 'mes-add1',
        tieBreak: { kind: 'id' },
      });
      expect(expected.selected.length).toBeGreaterThan(0);
      expect(out.selected).toEqual(expected.selected);
      const types = await readFile(join(dir, 'pkg', 'dist', 'index.d.ts'), 'utf8');
      expect(types).toMatch(/\bcount\b/);
      expect(types).toMatch(/\bparsePabulib\b/);
    });

    it('ships the recount as a command, pabulib-count', async () => {
      const { stdout } = await run(process.execPath, [
        join(dir, 'pkg', 'dist', 'bin.js'),
        FIXTURE,
        '--rule',
        'mes-add1',
        '--json',
      ]);
      const expected = count(parsePabulib(await readFile(FIXTURE, 'utf8')), {
        rule: 'mes-add1',
        tieBreak: { kind: 'id' },
      });
      expect(JSON.parse(stdout).selected).toEqual(expected.selected);
    });
  });
});
