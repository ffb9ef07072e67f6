import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUTDIR = `dist.test-${process.pid}`;

/**
 * `npx bp` runs the esbuild bundle, not the TypeScript: a command whose module reads a file beside its source
 * (`new URL('./x.json', import.meta.url)`) works under tsx and fails in the bundle, where no such file exists.
 * Each command chunk of a fresh build is loaded in plain Node, as `bp` loads it when the command runs.
 */
describe('the bundled bp CLI', () => {
  beforeAll(async () => {
    await run(process.execPath, [join(ROOT, 'bin', 'build-cli.mjs'), '--outdir', OUTDIR], { cwd: ROOT });
  }, 60_000);
  afterAll(async () => {
    await rm(join(ROOT, OUTDIR), { recursive: true, force: true });
  });

  it('loads every command chunk in plain Node (rehearse, count, deploy, staff, dlq, export…)', async () => {
    const chunks = (await readdir(join(ROOT, OUTDIR))).filter(
      (file) => file.endsWith('.mjs') && file !== 'bp.mjs',
    );
    expect(chunks.some((file) => file.startsWith('driver-'))).toBe(true);
    const script = `for (const file of ${JSON.stringify(chunks)}) {
      try { await import('./${OUTDIR}/' + file); } catch (error) { console.log(file + ': ' + error.message); }
    }`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    expect(stdout.trim()).toBe('');
  }, 60_000);
});
