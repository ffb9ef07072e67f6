/**
 * `npm run bench:bundles`: the cold-start side of each function. The bundles are the ones CDK builds
 * (the Functions stack is synthesized in process with bundling on, so lib/constructs/bp-function.ts's
 * esbuild options are used as they are, not copied). For each function:
 * - the minified size of the bundle (`index.js`, CommonJS; `index.mjs` before), and of the whole asset that becomes the deployed zip (the bundle alone
 *   now that its source map is kept beside it);
 * - import: the median over BENCH_RUNS fresh Node processes of (a) the wall time of
 *   `node -e "await import(bundle)"` from spawn to exit and (b) the import time measured inside that
 *   process; the same for a bare handler module in the same run. The SDK is in the bundles (only S3 is left to
 *   the runtime; here it resolves from node_modules). The ratio is (a) of the function over (a) of the bare
 *   handler: what a cold start adds to an empty one. Two more modules give the floor of every function (each
 *   main.ts makes the DynamoDB document client at load, as AWS advises): a bare handler that makes that client
 *   from the SDK bundled as the functions bundle it, and the same `require`-ing the runtime's SDK (how functions
 *   were built before);
 * - first request: the local stack is started (emulators, as `npm start`), then, BENCH_FIRST_RUNS times, a
 *   fresh Node process loads the bundle with the stack's function environment and serves one real request
 *   (a representative route per function, against DynamoDB Local and the other emulators): the median wall
 *   time from spawn to the answer (init + first invocation), and inside it import and invocation times, with
 *   the answer's status; the same for the bare handler, and their ratio;
 * - for both, the CPU time (user + system) of the whole process, and its ratio to the bare handler's: on a
 *   machine loaded by other work, wall times swing with the scheduler, CPU times much less.
 * With BENCH_BUNDLE_REPORT=1, or when a bundle is over 800 kB, the largest inputs of each bundle are
 * listed (from the bundle's source map).
 * Env: BENCH_RUNS (10), BENCH_FIRST_RUNS (5), BENCH_EDITION (loire-atlantique-demo), BENCH_NODE (the `node` that runs
 * the fresh processes, this one by default: give the Lambda runtime's major, Node 22, to measure what it would do),
 * BENCH_KEEP=1 (keep the bundles in .cache/bench-bundles afterwards).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { loadPath, SDK_BUNDLING, sourceMapName } from '../lib/constructs/function-bundle.ts';
import { buildEditionApp, editionStackId, PROJECT_ROOT, projectContext } from '../lib/edition-app.ts';
import { signIn } from '../local/cognito.ts';
import { startLocalStack } from '../local/stack.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { ORIGIN_VERIFY_HEADER } from '../shared/http/origin.ts';
import { allSecrets, FUNCTIONS } from '../shared/manifest.ts';
import { toInstant } from '../shared/time/zoned.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const FIRST_RUNS = Number(process.env.BENCH_FIRST_RUNS ?? 5);
const EDITION = process.env.BENCH_EDITION ?? 'loire-atlantique-demo';
/** Above this, the largest inputs of a bundle are listed: the SDK in the bundle makes 450–630 kB the norm. */
const LIMIT_KB = 800;
const NODE = process.env.BENCH_NODE ?? process.execPath;

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

// Bundles are copied under the project so that what stays external (S3's SDK) resolves from node_modules.
const work = resolve(PROJECT_ROOT, '.cache', 'bench-bundles');
rmSync(work, { recursive: true, force: true });

const bundles: {
  name: string;
  file: string;
  /** What Node reads at start: the entry and its static imports. */
  bytes: number;
  /** The whole zip: every chunk. */
  assetBytes: number;
  /** Each file read at start, with its source map. */
  loaded: { file: string; map: string }[];
}[] = [];
for (const resource of Object.values(template.Resources)) {
  if (resource.Type !== 'AWS::Lambda::Function') continue;
  const name = resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
  const key = resource.Properties.Code?.S3Key;
  if (typeof name !== 'string' || !key || !FUNCTIONS.some((fn) => fn.name === name)) continue;
  const asset = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const inAsset = readdirSync(asset);
  // In Lambda, the task's folder has no package.json: `.js` is CommonJS there, and here too.
  const bundleName = inAsset.includes('index.mjs') ? 'index.mjs' : 'index.js';
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  for (const file of inAsset) writeFileSync(join(dir, file), readFileSync(join(asset, file)));
  // Each file's source map is beside the asset (function-bundle.ts), named after the file's hash.
  const maps = join(assembly.directory, 'source-maps', config.id, name);
  const loaded = loadPath(asset, bundleName).map((file) => ({
    file: join(dir, file),
    map: readFileSync(join(maps, sourceMapName(readFileSync(join(asset, file)), file)), 'utf8'),
  }));
  bundles.push({
    name,
    file: join(dir, bundleName),
    bytes: loaded.reduce((sum, { file }) => sum + statSync(file).size, 0),
    assetBytes: inAsset.reduce((sum, file) => sum + statSync(join(asset, file)).size, 0),
    loaded,
  });
}
rmSync(outdir, { recursive: true, force: true });
if (bundles.length !== FUNCTIONS.length) {
  throw new Error(`Found ${bundles.length} bundles for ${FUNCTIONS.length} functions of the manifest`);
}
const bareDir = join(work, 'bare');
mkdirSync(bareDir, { recursive: true });
// The bare handler in the bundles' own module format.
const esm = bundles.some((bundle) => bundle.file.endsWith('.mjs'));
const bareFile = join(bareDir, esm ? 'index.mjs' : 'index.js');
writeFileSync(join(bareDir, 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(
  bareFile,
  `${esm ? 'export const handler =' : 'exports.handler ='} async () => ({ statusCode: 200, body: "ok" });\n`,
);
// The floor of every function's import: a bare handler that also makes the DynamoDB document client at load, as
// each main.ts does, with the SDK bundled as lib/constructs/function-bundle.ts bundles it (its SDK_BUNDLING options,
// as one CommonJS file)...
const floorSource =
  'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nimport { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";\nconst documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));\nexport const handler = async () => ({ statusCode: 200, body: typeof documents.send });\n';
const floorDir = join(work, 'dynamodb-floor');
mkdirSync(floorDir, { recursive: true });
const floorFile = join(floorDir, 'index.js');
writeFileSync(join(floorDir, 'package.json'), '{ "type": "commonjs" }\n');
buildSync({
  ...SDK_BUNDLING,
  stdin: { contents: floorSource, resolveDir: PROJECT_ROOT, loader: 'js' },
  format: 'cjs',
  outfile: floorFile,
  logLevel: 'error',
});
// ...and `require`-ing the runtime's SDK (from node_modules here as from the runtime's folder in Lambda).
const runtimeFloorDir = join(work, 'runtime-sdk-floor');
mkdirSync(runtimeFloorDir, { recursive: true });
const runtimeFloorFile = join(runtimeFloorDir, 'index.js');
writeFileSync(join(runtimeFloorDir, 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(
  runtimeFloorFile,
  `const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");\nconst { DynamoDBDocumentClient } = require("@aws-sdk/lib-dynamodb");\nconst documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));\nexports.handler = async () => ({ statusCode: 200, body: typeof documents.send });\n`,
);

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

/**
 * How the Lambda runtime loads a handler file: `require` for CommonJS (a `.js` file with no `"type": "module"`),
 * `import()` for an ES module.
 */
function load(file: string): string {
  return file.endsWith('.mjs')
    ? `await import(${JSON.stringify(pathToFileURL(file).href)})`
    : `(await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(file)})`;
}

/** CPU time of the whole process (start included), printed by the child: far less noisy than wall time on a busy machine. */
const CPU = 'const c = process.cpuUsage(); const cpuMs = (c.user + c.system) / 1000;';

/**
 * Runs `script` in a fresh Node process and reads the JSON it prints, with the process's wall time (spawn to
 * exit); `what` names it in the error when it fails.
 */
function runFresh<T>(script: string, env: NodeJS.ProcessEnv, what: string): Promise<T & { wallMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(NODE, ['--input-type=module', '-e', script], {
      env,
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
      if (code !== 0) reject(new Error(`${what} failed (${code}): ${err.slice(0, 800)}`));
      else resolvePromise({ wallMs, ...(JSON.parse(out) as T) });
    });
  });
}

function importOnce(file: string): Promise<{ wallMs: number; importMs: number; cpuMs: number }> {
  const script = `const t = performance.now(); const m = ${load(file)}; if (typeof m.handler !== 'function') throw new Error('no handler'); const importMs = performance.now() - t; ${CPU} process.stdout.write(JSON.stringify({ importMs, cpuMs }));`;
  return runFresh(script, lambdaEnv, `import of ${file}`);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const subjects = [
  { name: 'bare', file: bareFile },
  { name: 'dynamodb-floor', file: floorFile },
  { name: 'runtime-sdk-floor', file: runtimeFloorFile },
  ...bundles,
];
const samples = new Map(
  subjects.map((subject) => [
    subject.name,
    { wall: [] as number[], imp: [] as number[], cpu: [] as number[] },
  ]),
);
// Interleaved rounds, so that the load of the machine at one moment weighs on every module alike.
for (let run = 0; run < RUNS; run++) {
  for (const subject of subjects) {
    const { wallMs, importMs, cpuMs } = await importOnce(subject.file);
    samples.get(subject.name)?.wall.push(wallMs);
    samples.get(subject.name)?.imp.push(importMs);
    samples.get(subject.name)?.cpu.push(cpuMs);
  }
}

// ---- First request on a fresh process, against the local stack ---------------------------------
/** One representative request per function: its busiest public route, or a staff list. */
const FIRST_REQUESTS: Record<
  string,
  { method: string; route: string; staff?: string; body?: () => unknown }
> = {
  editions: { method: 'GET', route: '/api/editions/{edition}' },
  identity: {
    method: 'POST',
    route: '/api/editions/{edition}/identity/code',
    body: () => ({ email: `premiere-${randomUUID().slice(0, 8)}@exemple.fr` }),
  },
  voting: { method: 'GET', route: '/api/editions/{edition}/turnout' },
  ideas: { method: 'GET', route: '/api/editions/{edition}/ideas' },
  results: { method: 'GET', route: '/api/editions/{edition}/results' },
  instruction: {
    method: 'GET',
    route: '/api/editions/{edition}/staff/instruction/dossiers',
    staff: 'coordinator',
  },
  notifications: { method: 'GET', route: '/api/editions/{edition}/staff/email-log', staff: 'coordinator' },
};
/** Functions with HTTP routes get a first request; an event-only one (the mail fan-out) is measured by import only. */
const served = (name: string) => (FUNCTIONS.find((fn) => fn.name === name)?.routes.length ?? 0) > 0;
for (const bundle of bundles) {
  if (served(bundle.name) && !FIRST_REQUESTS[bundle.name])
    throw new Error(`No first request for ${bundle.name}`);
}

/** The origin header's value, as the local HTTP adapter (CloudFront in AWS) adds it to every request. */
let originProof = '';

/** The API Gateway (payload 2.0) event the local HTTP adapter would build for this request. */
function httpEvent(request: (typeof FIRST_REQUESTS)[string], token?: string) {
  const path = request.route.replace('{edition}', config.id);
  const body = request.body?.();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${request.method} ${request.route}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      host: '127.0.0.1',
      accept: 'application/json',
      'user-agent': 'bench-bundles',
      [ORIGIN_VERIFY_HEADER]: originProof,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    pathParameters: { edition: config.id },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench-bundles',
      },
      requestId: randomUUID(),
      routeKey: `${request.method} ${request.route}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  };
}

/** Spawn to answer: a fresh process imports `file`, serves `event` once, prints its timings and exits. */
function firstRequestOnce(
  file: string,
  name: string,
  event: unknown,
  env: Record<string, string>,
): Promise<{ wallMs: number; importMs: number; invokeMs: number; cpuMs: number; status: number }> {
  const script = `const t = performance.now();
const m = ${load(file)};
const t1 = performance.now();
const context = { callbackWaitsForEmptyEventLoop: false, functionName: ${JSON.stringify(name)}, functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-3:000000000000:function:${name}', memoryLimitInMB: '256', awsRequestId: crypto.randomUUID(), logGroupName: '/aws/lambda/${name}', logStreamName: 'bench', getRemainingTimeInMillis: () => 10000, done() {}, fail() {}, succeed() {} };
const result = await m.handler(JSON.parse(process.env.BENCH_EVENT), context);
const t2 = performance.now();
${CPU}
process.stdout.write(JSON.stringify({ importMs: t1 - t, invokeMs: t2 - t1, cpuMs, status: result?.statusCode ?? 0 }));
process.exit(0);`;
  return runFresh(script, { ...env, BENCH_EVENT: JSON.stringify(event) }, `first request of ${name}`);
}

const stackDir = mkdtempSync(join(tmpdir(), 'bp-bundles-stack-'));
const stackStarted = performance.now();
const stack = await startLocalStack({
  config,
  port: 0,
  dataDir: stackDir,
  cacheDir: resolve(PROJECT_ROOT, '.cache'),
  persistent: false,
  // Every run asks for a code from the same address.
  functionEnv: { CODE_LIMIT_PER_CLIENT_HOUR: '1000000' },
  // Inside the call for ideas: every first request below has something to read or to do.
  startAt: new Date(toInstant(config.calendar.ideasOpen, config.timeZone).getTime() + 86_400_000),
});
const stackSeconds = (performance.now() - stackStarted) / 1000;
const firstSamples = new Map<
  string,
  { wall: number[]; imp: number[]; inv: number[]; cpu: number[]; status: Set<number> }
>();
try {
  // What the stack put in its own environment for the functions (endpoints, table, secrets...), nothing else.
  const functionEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'NODE_OPTIONS',
    ),
  );
  originProof =
    (
      await new SecretsManagerClient({}).send(
        new GetSecretValueCommand({ SecretId: functionEnv.ORIGIN_VERIFY_SECRET }),
      )
    ).SecretString ?? '';
  const tokens = new Map<string, string>();
  for (const request of Object.values(FIRST_REQUESTS)) {
    const role = request.staff;
    if (!role || tokens.has(role)) continue;
    const user = stack.staff.find((candidate) => candidate.role === role);
    if (!user) throw new Error(`No demo staff account for ${role}`);
    tokens.set(role, (await signIn(stack.pool, stack.urls.cognito, user.username, user.password)).idToken);
  }
  const firstSubjects = [
    { name: 'bare', file: bareFile, request: FIRST_REQUESTS.editions as (typeof FIRST_REQUESTS)[string] },
    ...bundles
      .filter((bundle) => served(bundle.name))
      .map((bundle) => ({
        name: bundle.name,
        file: bundle.file,
        request: FIRST_REQUESTS[bundle.name] as (typeof FIRST_REQUESTS)[string],
      })),
  ];
  for (let run = 0; run < FIRST_RUNS; run++) {
    for (const subject of firstSubjects) {
      const token = subject.request.staff ? tokens.get(subject.request.staff) : undefined;
      const sample = await firstRequestOnce(
        subject.file,
        subject.name,
        httpEvent(subject.request, token),
        functionEnv,
      );
      const entry = firstSamples.get(subject.name) ?? {
        wall: [],
        imp: [],
        cpu: [],
        inv: [],
        status: new Set<number>(),
      };
      entry.wall.push(sample.wallMs);
      entry.imp.push(sample.importMs);
      entry.cpu.push(sample.cpuMs);
      entry.inv.push(sample.invokeMs);
      entry.status.add(sample.status);
      firstSamples.set(subject.name, entry);
    }
  }
} finally {
  await stack.stop();
  rmSync(stackDir, { recursive: true, force: true });
}

/** Bytes of generated code per source file, from the source map's mappings (no esbuild metafile needed). */
function inputsOf(loaded: { file: string; map: string }, byPackage: Map<string, number>): void {
  const map = JSON.parse(loaded.map) as { sources: string[]; mappings: string };
  const code = readFileSync(loaded.file, 'utf8').split('\n');
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
  for (const [index, size] of bytes) {
    const path = map.sources[index] ?? '?';
    const match = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const key = match ? match[1] : path.replace(/^(\.\.\/)+/, '');
    byPackage.set(key as string, (byPackage.get(key as string) ?? 0) + size);
  }
}

/** The inputs that weigh most in what a function loads at start, by package (or our file). */
function largestInputs(bundle: (typeof bundles)[number], top: number) {
  const byPackage = new Map<string, number>();
  for (const loaded of bundle.loaded) inputsOf(loaded, byPackage);
  return [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}

const bare = samples.get('bare') as { wall: number[]; imp: number[]; cpu: number[] };
const bareWall = median(bare.wall);
const bareFirst = firstSamples.get('bare') as { wall: number[]; imp: number[]; inv: number[]; cpu: number[] };
const bareFirstWall = median(bareFirst.wall);
console.log(
  `synth+bundle: ${synthSeconds.toFixed(1)} s; ${RUNS} fresh processes per module for the import, ${FIRST_RUNS} for the first request (local stack started in ${stackSeconds.toFixed(1)} s)`,
);
console.log(
  `bare handler: process ${bareWall.toFixed(1)} ms (CPU ${median(bare.cpu).toFixed(0)} ms), import ${median(bare.imp).toFixed(1)} ms; first request ${bareFirstWall.toFixed(1)} ms (CPU ${median(bareFirst.cpu).toFixed(0)} ms)`,
);
const bareCpu = median(bare.cpu);
const bareFirstCpu = median(bareFirst.cpu);
const floor = samples.get('dynamodb-floor') as { wall: number[]; imp: number[]; cpu: number[] };
const floorCpuRatio = median(floor.cpu) / bareCpu;
const runtimeFloor = samples.get('runtime-sdk-floor') as { wall: number[]; imp: number[]; cpu: number[] };
const runtimeFloorCpuRatio = median(runtimeFloor.cpu) / bareCpu;
console.log(
  `floor (bare handler + the DynamoDB document client made at load, SDK bundled): process ${median(floor.wall).toFixed(1)} ms (CPU ${median(floor.cpu).toFixed(0)} ms, ratio ${floorCpuRatio.toFixed(2)}), import ${median(floor.imp).toFixed(1)} ms`,
);
console.log(
  `      (the same with the runtime's SDK, required: process ${median(runtimeFloor.wall).toFixed(1)} ms (CPU ${median(runtimeFloor.cpu).toFixed(0)} ms, ratio ${runtimeFloorCpuRatio.toFixed(2)}), import ${median(runtimeFloor.imp).toFixed(1)} ms)`,
);
let maxKb = 0;
let maxAssetKb = 0;
let worstRatio = 0;
let worstFirstRatio = 0;
let worstCpuRatio = 0;
let worstFirstCpuRatio = 0;
for (const bundle of bundles) {
  const sample = samples.get(bundle.name) as { wall: number[]; imp: number[]; cpu: number[] };
  const first = firstSamples.get(bundle.name);
  const kb = bundle.bytes / 1024;
  const wall = median(sample.wall);
  const ratio = wall / bareWall;
  maxKb = Math.max(maxKb, kb);
  maxAssetKb = Math.max(maxAssetKb, bundle.assetBytes / 1024);
  worstRatio = Math.max(worstRatio, ratio);
  const cpuRatio = median(sample.cpu) / bareCpu;
  worstCpuRatio = Math.max(worstCpuRatio, cpuRatio);
  console.log(
    `${bundle.name.padEnd(14)} ${kb.toFixed(1).padStart(7)} kB (asset ${(bundle.assetBytes / 1024).toFixed(1)} kB)  process ${wall.toFixed(1).padStart(6)} ms  import ${median(sample.imp).toFixed(1).padStart(6)} ms  ratio ${ratio.toFixed(2)}  CPU ${median(sample.cpu).toFixed(0)} ms, ratio ${cpuRatio.toFixed(2)}${kb > LIMIT_KB ? `  OVER ${LIMIT_KB} kB` : ''}`,
  );
  if (!first) {
    console.log(`${''.padEnd(24)}first request: none (no HTTP route; invoked by events)`);
  } else {
    const firstWall = median(first.wall);
    const firstRatio = firstWall / bareFirstWall;
    const firstCpuRatio = median(first.cpu) / bareFirstCpu;
    worstFirstRatio = Math.max(worstFirstRatio, firstRatio);
    worstFirstCpuRatio = Math.max(worstFirstCpuRatio, firstCpuRatio);
    const request = FIRST_REQUESTS[bundle.name] as (typeof FIRST_REQUESTS)[string];
    console.log(
      `${''.padEnd(24)}first request ${firstWall.toFixed(1).padStart(6)} ms (import ${median(first.imp).toFixed(1)} + invoke ${median(first.inv).toFixed(1)})  ratio ${firstRatio.toFixed(2)}  CPU ${median(first.cpu).toFixed(0)} ms, ratio ${firstCpuRatio.toFixed(2)}  ${request.method} ${request.route.replace('/api/editions/{edition}', '')} → ${[...first.status].join('/')}`,
    );
  }
  if (kb > LIMIT_KB || process.env.BENCH_BUNDLE_REPORT === '1') {
    for (const [input, size] of largestInputs(bundle, 8)) {
      console.log(`    ${(size / 1024).toFixed(1).padStart(7)} kB  ${input}`);
    }
  }
}
if (process.env.BENCH_KEEP !== '1') rmSync(work, { recursive: true, force: true });
console.log(
  `bench:bundles max_kb=${maxKb.toFixed(1)} max_asset_kb=${maxAssetKb.toFixed(1)} worst_import_ratio=${worstRatio.toFixed(2)} worst_first_request_ratio=${worstFirstRatio.toFixed(2)} worst_import_cpu_ratio=${worstCpuRatio.toFixed(2)} worst_first_request_cpu_ratio=${worstFirstCpuRatio.toFixed(2)} dynamodb_floor_cpu_ratio=${floorCpuRatio.toFixed(2)} runtime_sdk_floor_cpu_ratio=${runtimeFloorCpuRatio.toFixed(2)}`,
);
