import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BP = fileURLToPath(new URL('../../bin/bp.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the CLI as ops (and the deploy workflow) do. */
async function bp(...args: string[]) {
  const lines = (text: string) => text.split('\n').filter((line) => line !== '');
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BP, ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout: lines(stdout), stderr: lines(stderr) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: lines(failed.stdout ?? ''), stderr: lines(failed.stderr ?? '') };
  }
}

let dir: string;
beforeAll(async () => {
  // A copy of the layout: deploy/ beside editions/.
  dir = await mkdtemp(join(tmpdir(), 'bp-deploy-validate-'));
  await mkdir(join(dir, 'deploy'));
  await cp(join(ROOT, 'editions'), join(dir, 'editions'), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function deployFile(environment: string, change: (raw: Record<string, unknown>) => void = () => {}) {
  const raw = JSON.parse(
    await readFile(join(ROOT, 'deploy', `loire-atlantique-demo.${environment}.json`), 'utf8'),
  ) as Record<string, unknown>;
  change(raw);
  const file = join(dir, 'deploy', `loire-atlantique-demo.${environment}.json`);
  await writeFile(file, JSON.stringify(raw));
  return file;
}

describe('bp deploy validate', () => {
  it('accepts the demo edition’s example files', async () => {
    const result = await bp(
      'deploy',
      'validate',
      join(ROOT, 'deploy', 'loire-atlantique-demo.staging.json'),
      join(ROOT, 'deploy', 'loire-atlantique-demo.production.json'),
    );
    expect(result).toMatchObject({ code: 0, stderr: [] });
    expect(result.stdout).toHaveLength(2);
  });

  it('fails with one line per problem: production without alarms, both environments in one account', async () => {
    // Prepare
    const production = await deployFile('production', (raw) => {
      raw.alarmEmail = undefined;
    });
    const staging = await deployFile('staging', (raw) => {
      raw.account = '222222222222';
    });

    // Act
    const result = await bp('deploy', 'validate', staging, production);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      expect.stringMatching(/production\.json: alarmEmail: Obligatoire en production/),
    ]);
    // The pair is checked among the valid files: fix production and the shared account shows.
    await deployFile('production');
    const pair = await bp('deploy', 'validate', staging, production);
    expect(pair.code).toBe(1);
    expect(pair.stderr).toEqual([expect.stringMatching(/même compte et la même région/)]);
  });

  it('refuses a file whose edition does not send from its SES domain', async () => {
    const file = await deployFile('staging', (raw) => {
      raw.ses = { senderDomain: 'autre.example', mailFromDomain: 'bounce.autre.example' };
      // Its mailbox is on the demo's domain, which the schema would refuse first.
      raw.rehearsalMailbox = undefined;
    });
    const result = await bp('deploy', 'validate', file);
    expect(result.code).toBe(1);
    expect(result.stderr.join('\n')).toMatch(
      /ses\.senderDomain: .*budget-participatif@demo\.loire-atlantique\.example/,
    );
  });

  it('refuses the rehearsal’s mailbox in a production file, naming the field', async () => {
    // Prepare
    const file = await deployFile('production', (raw) => {
      raw.rehearsalMailbox = { domain: 'repetition.demo.loire-atlantique.example' };
    });

    // Act
    const result = await bp('deploy', 'validate', file);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toEqual([]);
    expect(result.stderr).toEqual([
      `${file}: rehearsalMailbox: Interdit en production : la boîte de répétition garde dans un compartiment S3 tout le courrier de son domaine ; elle ne s’active que dans un fichier de staging`,
    ]);
  });
});
