import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, projectContext } from '../../lib/edition-app.ts';

const work = mkdtempSync(join(tmpdir(), 'bp-determinism-'));

/**
 * Runs bin/app.ts as `cdk synth -c deploy=…` does (context in CDK_CONTEXT_JSON, output in CDK_OUTDIR), with
 * bundling: the functions' bundles are hashed into the templates, so they must be reproducible too.
 */
function synth(outdir: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bin', 'app.ts')], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({
          ...projectContext(),
          deploy: 'loire-atlantique-demo.production',
        }),
        CDK_OUTDIR: outdir,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

const templates = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.template.json') || name.endsWith('.assets.json'))
    .sort();

describe('synth is deterministic', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('gives byte-identical templates and asset manifests for two synths of the same commit', async () => {
    // Act: two synths in two folders, side by side, the second started two seconds later (their clocks differ).
    const first = join(work, 'first');
    const second = join(work, 'second');
    const [a, b] = await Promise.all([
      synth(first),
      new Promise<void>((resolve) => setTimeout(resolve, 2_000)).then(() => synth(second)),
    ]);

    // Assess
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const names = templates(first);
    // Seven stacks (Data, Auth, Api, Edge, EdgeAlarms, Web, Functions), each a template and an asset manifest.
    expect(names).toHaveLength(14);
    expect(templates(second)).toEqual(names);
    const differing = names.filter(
      (name) => !readFileSync(join(first, name)).equals(readFileSync(join(second, name))),
    );
    expect(differing).toEqual([]);
    // The seeded config carries the edition, not the synth's clock.
    const data = readFileSync(join(first, 'Bp-loire-atlantique-demo-Data.template.json'), 'utf8');
    expect(data).toContain('EditionConfig');
    expect(data).not.toMatch(/updatedAt/);
    // The deploy file's account and region reached every stack (the Edge stack's WAF is in us-east-1).
    const manifest = readFileSync(join(first, 'manifest.json'), 'utf8');
    expect(manifest).toContain('aws://222222222222/eu-west-3');
    expect(manifest).toContain('aws://222222222222/us-east-1');
  }, 900_000);
});
