import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `bin/bp.js` in a scratch copy of the layout it expects (bin/, dist/, node_modules for tsx): a stand-in build
 * that prints « built » and a stand-in source that prints « source », so each case shows which one ran.
 */
describe('bin/bp.js: the built CLI when it is fresh, the TypeScript otherwise', () => {
  let dir = '';
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));
  const whichRuns = async () => (await run(process.execPath, [join(dir, 'bin', 'bp.js')])).stdout.trim();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bp-entry-'));
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'dist'));
    await cp(join(ROOT, 'bin', 'bp.js'), join(dir, 'bin', 'bp.js'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await writeFile(join(dir, 'package.json'), '{"type": "module"}\n');
    await writeFile(join(dir, 'bin', 'bp.ts'), "const from: string = 'source';\nconsole.log(from);\n");
    await writeFile(join(dir, 'bin', 'helper.ts'), 'export {};\n');
    await writeFile(join(dir, 'dist', 'bp.mjs'), "console.log('built');\n");
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs dist/bp.mjs when every source it was built from is older', async () => {
    await writeFile(join(dir, 'dist', 'bp.inputs.json'), '{"inputs": ["bin/bp.ts", "bin/helper.ts"]}\n');
    await utimes(join(dir, 'bin', 'bp.ts'), at(0), at(0));
    await utimes(join(dir, 'bin', 'helper.ts'), at(0), at(0));
    await utimes(join(dir, 'dist', 'bp.mjs'), at(10), at(10));
    expect(await whichRuns()).toBe('built');
  });

  it('runs the TypeScript when one source is newer than the build, or gone', async () => {
    await utimes(join(dir, 'bin', 'helper.ts'), at(20), at(20));
    expect(await whichRuns()).toBe('source');
    await utimes(join(dir, 'bin', 'helper.ts'), at(0), at(0));
    expect(await whichRuns()).toBe('built');
    await writeFile(join(dir, 'dist', 'bp.inputs.json'), '{"inputs": ["bin/bp.ts", "bin/removed.ts"]}\n');
    expect(await whichRuns()).toBe('source');
  });

  it('runs the TypeScript when there is no build', async () => {
    await rm(join(dir, 'dist'), { recursive: true });
    expect(await whichRuns()).toBe('source');
  });
});
