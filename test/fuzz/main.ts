/**
 * `npm run test:fuzz`: starts the local stack (as test/support/global-setup.ts does), then sends a few
 * thousand generated requests over every route of the manifest, with no token, a token of each role and
 * forged ones, and judges every answer (no 5xx, problem+json 4xx, no internals, no answer to a role the
 * manifest does not allow, no network-level error: reset, unparsable answer, timeout). `FUZZ_SEED=<n>`
 * replays a run, `FUZZ_RUNS=<n>` sets its size. Last line: `fuzz: seed=N requests=N 5xx=0 leaks=0
 * authz_violations=0 not_problem_json=0 network_errors=0`; exits 1 if anything was found.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startLocalStack } from '../../local/stack.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import { startLogCapture } from '../support/log-capture.ts';
import type { StackContext } from '../support/stack-context.ts';
import { prepareCallers } from './callers.ts';
import { runFuzz, summaryLine } from './run-fuzz.ts';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 8);

const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const { config } = parsed;
const dataDir = resolve('.local/fuzz', String(process.pid));
// Functions log at INFO, captured (not shown): hostile input must not push personal data into a log line.
process.env.BP_LOG_LEVEL ??= 'INFO';
const logs = await startLogCapture();
const stack = await startLocalStack({
  config,
  port: 0,
  dataDir,
  cacheDir: resolve('.cache'),
  persistent: false,
  retry: { attempts: 3, baseDelayMs: 20 },
  functionEnv: { CODE_LIMIT_PER_CLIENT_HOUR: '1000000' },
  // Seconds before the call for ideas opens: its schedule fires during the run, so schema-shaped ideas
  // reach the use case and the table, not only the "call closed" refusal.
  startAt: new Date(toInstant(config.calendar.ideasOpen, config.timeZone).getTime() - 5000),
}).catch(async (error: unknown) => {
  // DynamoDB Local may not start on a loaded machine: leave no data folder behind.
  await logs.stop();
  await rm(dataDir, { recursive: true, force: true });
  throw error;
});
let exitCode = 1;
try {
  const context: StackContext = {
    siteUrl: stack.urls.site,
    mailboxUrl: stack.urls.mailbox,
    busUrl: stack.urls.bus,
    dynamodbUrl: stack.urls.dynamodb,
    cognitoUrl: stack.urls.cognito,
    tableName: stack.tableName,
    secretsUrl: stack.urls.secrets,
    logsUrl: '',
    s3Url: stack.urls.s3,
    picturesBucket: stack.picturesBucket,
    edition: config.id,
    staff: stack.staff.map(({ username, password, role, email }) => ({ username, password, role, email })),
    cognito: {
      userPoolId: stack.pool.userPoolId,
      clientId: stack.pool.clientId,
      issuer: stack.pool.issuer,
      region: stack.pool.region,
    },
  };
  const territory = config.territories[0]?.id ?? '';
  const callers = await prepareCallers(context, territory);
  console.log(
    `fuzz: seed=${seed} runs=${numRuns} callers=${callers.length} (replay: FUZZ_SEED=${seed} npm run test:fuzz)`,
  );
  const started = performance.now();
  const report = await runFuzz({
    siteUrl: stack.urls.site,
    edition: config.id,
    internalNames: [stack.tableName],
    callers,
    seed,
    numRuns,
    concurrency,
  });
  // Personal data in the functions' logs counts as a leak too (test/support/log-capture.ts).
  const inLogs = (await (await fetch(`${logs.url}/personal-data`)).json()) as {
    kind: string;
    line: string;
  }[];
  for (const { kind, line } of inLogs)
    report.findings.push({ problem: 'leak', detail: `${kind} in a log line: ${line}`, request: '(logs)' });
  const seen = new Set<string>();
  for (const finding of report.findings) {
    const key = `${finding.problem} ${finding.detail.slice(0, 80)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    console.log(`FINDING ${finding.problem}: ${finding.detail}\n  request: ${finding.request}`);
  }
  console.log(
    `fuzz: seed=${seed} seconds=${((performance.now() - started) / 1000).toFixed(1)} statuses=${JSON.stringify(report.byStatus)} not_problem_json=${report.notProblemJson} network_errors=${report.networkErrors}`,
  );
  for (const { ms, request } of report.slowest) console.log(`fuzz: slow ${ms} ms ${request}`);
  console.log(summaryLine({ ...report, leaks: report.leaks + inLogs.length }));
  exitCode = report.findings.length === 0 && report.networkErrors === 0 ? 0 : 1;
  if (exitCode !== 0)
    console.log(`fuzz: replay with FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns} npm run test:fuzz`);
} finally {
  await stack.stop();
  await logs.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
