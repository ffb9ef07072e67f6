import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import { createClock } from '../../local/clock.ts';
import { startLocalStack } from '../../local/stack.ts';
import { installTimeShift } from '../../local/time-shift.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import { startLogCapture } from './log-capture.ts';

/**
 * A vitest setup file of the integration project: before each test file, in that file's own worker process,
 * starts the whole platform as `npm start` does (the file's own table in the shared DynamoDB Local, its own SES
 * emulator, cognito-local pool, local bus with its own clock, HTTP adapter and functions) and fills the context
 * that `inject('stack')` returns. The file starts from a fresh edition, one hour before the call for ideas, and
 * whatever it changes (phase, clock, items, mail) is seen by no other file.
 */
const shared = inject('sharedEmulators');
// The demo edition, unless the test file names another in a `@stack-edition <path>` line (the browser journey
// runs on a small edition it fills entirely through the pages: test/fixtures/parcours-essai.json).
const testPath = expect.getState().testPath;
const testSource = testPath ? await readFile(testPath, 'utf8') : '';
const editionFile =
  testSource.match(/@stack-edition\s+(\S+\.json)/)?.[1] ?? 'editions/loire-atlantique-demo.json';
// Function settings a file needs, in `@stack-env NAME=value` lines (the mail fan-out's batches of 2, say, so that
// a handful of followers spans several batches).
const fileEnv = Object.fromEntries(
  [...testSource.matchAll(/@stack-env\s+([A-Z][A-Z0-9_]*)=(\S+)/g)].map(([, name = '', value = '']) => [
    name,
    value,
  ]),
);
const parsed = await readEditionFile(editionFile);
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const { config } = parsed;
// Functions log at INFO so that the file can prove no personal data reaches a log line (captured, not shown).
process.env.BP_LOG_LEVEL ??= 'INFO';
const logs = await startLogCapture();
const dataDir = join(shared.dataDir, `file-${process.pid}-${randomUUID().slice(0, 8)}`);
// Files of the `integration-clock` project (`*.clock.test.ts`) run as `npm start` does: `Date` in this process
// (the functions, cognito-local, the test itself) follows the local clock, so that moving the clock moves
// everything but the browser, whose clock stays the real one. The other files' functions run on the real date.
const clock = createClock();
if (process.env.BP_TEST_CLOCK === 'local') installTimeShift(clock);
const stack = await startLocalStack({
  config,
  port: 0,
  dataDir,
  cacheDir: resolve('.cache'),
  persistent: false,
  clock,
  dynamodbEndpoint: shared.dynamodbUrl,
  tableName: `bp-${config.id}-${randomUUID().slice(0, 8)}`,
  webBuildDir: shared.webBuildDir,
  editionDir: dirname(editionFile),
  retry: { attempts: 3, baseDelayMs: 20 },
  // Every test calls from 127.0.0.1: the per-address code limit is proven by unit tests instead.
  functionEnv: { CODE_LIMIT_PER_CLIENT_HOUR: '100000', ...fileEnv },
  // Before the call for ideas, so that every phase schedule lies ahead and tests can reach it.
  startAt: new Date(toInstant(config.calendar.ideasOpen, config.timeZone).getTime() - 3600_000),
});

Object.assign(inject('stack'), {
  siteUrl: stack.urls.site,
  mailboxUrl: stack.urls.mailbox,
  busUrl: stack.urls.bus,
  dynamodbUrl: stack.urls.dynamodb,
  cognitoUrl: stack.urls.cognito,
  tableName: stack.tableName,
  secretsUrl: stack.urls.secrets,
  logsUrl: logs.url,
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
});

afterAll(async () => {
  await stack.stop();
  const { found } = await logs.stop();
  await rm(dataDir, { recursive: true, force: true });
  // ARCHITECTURE.md: no personal data in logs, whatever the file did.
  if (found.length > 0) {
    const lines = found.slice(0, 20).map(({ kind, line }) => `  ${kind}: ${line}`);
    throw new Error(`personal data in ${found.length} function log lines:\n${lines.join('\n')}`);
  }
}, 60_000);
