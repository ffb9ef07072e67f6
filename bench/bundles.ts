/**
 * `npm run bench:bundles`: the cold-start side of each function. The bundles are the ones CDK builds
 * (the Functions stack is synthesized in process with bundling on, so lib/constructs/bp-function.ts's
 * esbuild options are used as they are, not copied). For each function: the minified size of
 * `index.mjs`, and the median over BENCH_RUNS fresh Node processes of (a) the wall time of
 * `node -e "await import(bundle)"` from spawn to exit and (b) the import time measured inside that
 * process; the same for a bare handler module in the same run. `@aws-sdk/*` stays external, as in
 * Lambda, where the runtime provides it (here it resolves from node_modules, so its load time counts).
 * The ratio is (a) of the function over (a) of the bare handler: what a cold start adds to an empty one.
 * With BENCH_BUNDLE_REPORT=1, or when a bundle is over 500 kB, the largest inputs of each bundle are
 * listed (from the bundle's source map).
 * Env: BENCH_RUNS (10), BENCH_EDITION (loire-atlantique-demo).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildEditionApp, editionStackId, PROJECT_ROOT, projectContext } from '../lib/edition-app.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { allSecrets, FUNCTIONS } from '../shared/manifest.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const EDITION = process.env.BENCH_EDITION ?? 'loire-atlantique-demo';
const LIMIT_KB = 500;

const parsed = await readEditionFile(`editions/${EDITION}.json`);
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const config = parsed.config;

// ---- Bundle as `cdk synth` does ------------------------------------------------------------------
const outdir = mkdtempSync(join(tmpdir(), 'bp-bundles-'));
const functionsStack = editionStackId(config.id, 'Functions');
const synthStarted = performance.now();
const app = new App({
  outdir,
  context: { ...projectContext(), 'aws:cdk:bundling-stacks': [functionsStack] },
});
buildEditionApp(app, config, { nag: false, deployedAt: new Date('2027-01-04T10:00:00.000Z') });
const assembly = app.synth();
const template = JSON.parse(
  readFileSync(join(assembly.directory, `${functionsStack}.template.json`), 'utf8'),
) as {
  Resources: Record<
    string,
    {
      Type: string;
      Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } };
    }
  >;
};
const synthSeconds = (performance.now() - synthStarted) / 1000;

// Bundles are copied under the project so that `@aws-sdk/*` (external) resolves from node_modules.
const work = resolve(PROJECT_ROOT, '.cache', 'bench-bundles');
rmSync(work, { recursive: true, force: true });
const bundles: { name: string; file: string; bytes: number; map: string }[] = [];
for (const resource of Object.values(template.Resources)) {
  if (resource.Type !== 'AWS::Lambda::Function') continue;
  const name = resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
  const key = resource.Properties.Code?.S3Key;
  if (typeof name !== 'string' || !key || !FUNCTIONS.some((fn) => fn.name === name)) continue;
  const asset = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const code = readFileSync(join(asset, 'index.mjs'));
  writeFileSync(join(dir, 'index.mjs'), code);
  bundles.push({
    name,
    file: join(dir, 'index.mjs'),
    bytes: statSync(join(asset, 'index.mjs')).size,
    map: readFileSync(join(asset, 'index.mjs.map'), 'utf8'),
  });
}
rmSync(outdir, { recursive: true, force: true });
if (bundles.length !== FUNCTIONS.length) {
  throw new Error(`Found ${bundles.length} bundles for ${FUNCTIONS.length} functions of the manifest`);
}
const bareDir = join(work, 'bare');
mkdirSync(bareDir, { recursive: true });
const bareFile = join(bareDir, 'index.mjs');
writeFileSync(bareFile, 'export const handler = async () => ({ statusCode: 200, body: "ok" });\n');

// ---- Import in fresh processes ------------------------------------------------------------------
/** What the CDK stack gives every function (values only need to parse), plus each declared secret. */
const lambdaEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-3',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'bench-table',
  EVENT_BUS_NAME: 'bench-bus',
  EDITION_ID: config.id,
  MAIL_FROM: config.mailFrom,
  SITE_URL: 'https://bench.example.org',
  SITE_BUCKET: 'bench-site',
  STAFF_ISSUER: 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_bench',
  STAFF_AUDIENCE: 'bench-client',
  POWERTOOLS_DEV: 'false',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  ...Object.fromEntries(
    allSecrets().map(({ secret }) => [
      secret.env,
      `arn:aws:secretsmanager:eu-west-3:000000000000:secret:${secret.id}`,
    ]),
  ),
};

function importOnce(file: string): Promise<{ wallMs: number; importMs: number }> {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); if (typeof m.handler !== 'function') throw new Error('no handler'); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: lambdaEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) reject(new Error(`import of ${file} failed (${code}): ${err.slice(0, 500)}`));
      else resolvePromise({ wallMs, importMs: Number(out) });
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const subjects = [{ name: 'bare', file: bareFile }, ...bundles];
const samples = new Map(
  subjects.map((subject) => [subject.name, { wall: [] as number[], imp: [] as number[] }]),
);
// Interleaved rounds, so that the load of the machine at one moment weighs on every module alike.
for (let run = 0; run < RUNS; run++) {
  for (const subject of subjects) {
    const { wallMs, importMs } = await importOnce(subject.file);
    samples.get(subject.name)?.wall.push(wallMs);
    samples.get(subject.name)?.imp.push(importMs);
  }
}

/** Bytes of generated code per source file, from the source map's mappings (no esbuild metafile needed). */
function largestInputs(bundle: (typeof bundles)[number], top: number) {
  const map = JSON.parse(bundle.map) as { sources: string[]; mappings: string };
  const code = readFileSync(bundle.file, 'utf8').split('\n');
  const bytes = new Map<number, number>();
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let source = 0;
  map.mappings.split(';').forEach((line, lineIndex) => {
    const text = code[lineIndex] ?? '';
    let column = 0;
    const segments = line ? line.split(',') : [];
    const starts: { column: number; source: number }[] = [];
    for (const segment of segments) {
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = chars.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0] ?? 0;
      if (values.length > 1) source += values[1] ?? 0;
      starts.push({ column, source });
    }
    starts.forEach((start, i) => {
      const end = starts[i + 1]?.column ?? text.length;
      bytes.set(start.source, (bytes.get(start.source) ?? 0) + Math.max(0, end - start.column));
    });
  });
  const byPackage = new Map<string, number>();
  for (const [index, size] of bytes) {
    const path = map.sources[index] ?? '?';
    const match = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const key = match ? match[1] : path.replace(/^(\.\.\/)+/, '');
    byPackage.set(key as string, (byPackage.get(key as string) ?? 0) + size);
  }
  return [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}

const bare = samples.get('bare') as { wall: number[]; imp: number[] };
const bareWall = median(bare.wall);
console.log(`synth+bundle: ${synthSeconds.toFixed(1)} s; ${RUNS} fresh processes per module`);
console.log(`bare handler: process ${bareWall.toFixed(1)} ms, import ${median(bare.imp).toFixed(1)} ms`);
let maxKb = 0;
let worstRatio = 0;
for (const bundle of bundles) {
  const sample = samples.get(bundle.name) as { wall: number[]; imp: number[] };
  const kb = bundle.bytes / 1024;
  const wall = median(sample.wall);
  const ratio = wall / bareWall;
  maxKb = Math.max(maxKb, kb);
  worstRatio = Math.max(worstRatio, ratio);
  console.log(
    `${bundle.name.padEnd(14)} ${kb.toFixed(1).padStart(7)} kB  process ${wall.toFixed(1).padStart(6)} ms  import ${median(sample.imp).toFixed(1).padStart(6)} ms  ratio ${ratio.toFixed(2)}${kb > LIMIT_KB ? '  OVER 500 kB' : ''}`,
  );
  if (kb > LIMIT_KB || process.env.BENCH_BUNDLE_REPORT === '1') {
    for (const [input, size] of largestInputs(bundle, 8)) {
      console.log(`    ${(size / 1024).toFixed(1).padStart(7)} kB  ${input}`);
    }
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`bench:bundles max_kb=${maxKb.toFixed(1)} worst_import_ratio=${worstRatio.toFixed(2)}`);
