import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import { startLogCapture } from './log-capture.ts';
import type { StackContext } from './stack-context.ts';

let stack: LocalStack | undefined;
let logs: Awaited<ReturnType<typeof startLogCapture>> | undefined;
const dataDir = resolve('.local/test', String(process.pid));

/**
 * One local stack per test run (DynamoDB Local in memory, SES emulator, cognito-local, local bus,
 * HTTP adapter), the same one `npm start` runs; tests talk to it over HTTP like any client.
 */
export async function setup(project: TestProject) {
  const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  // Functions log at INFO so that a test can prove no personal data reaches a log line (captured, not shown).
  process.env.BP_LOG_LEVEL ??= 'INFO';
  logs = await startLogCapture();
  stack = await startLocalStack({
    config: parsed.config,
    port: 0,
    dataDir,
    cacheDir: resolve('.cache'),
    persistent: false,
    retry: { attempts: 3, baseDelayMs: 20 },
    // Every test calls from 127.0.0.1: the per-address code limit is proven by unit tests instead.
    functionEnv: { CODE_LIMIT_PER_CLIENT_HOUR: '100000' },
    // Before the call for ideas, so that every phase schedule lies ahead and tests can reach it.
    startAt: new Date(
      toInstant(parsed.config.calendar.ideasOpen, parsed.config.timeZone).getTime() - 3600_000,
    ),
  });
  const context: StackContext = {
    siteUrl: stack.urls.site,
    mailboxUrl: stack.urls.mailbox,
    busUrl: stack.urls.bus,
    dynamodbUrl: stack.urls.dynamodb,
    cognitoUrl: stack.urls.cognito,
    tableName: stack.tableName,
    secretsUrl: stack.urls.secrets,
    logsUrl: logs.url,
    edition: parsed.config.id,
    staff: stack.staff.map(({ username, password, role, email }) => ({ username, password, role, email })),
    cognito: {
      userPoolId: stack.pool.userPoolId,
      clientId: stack.pool.clientId,
      issuer: stack.pool.issuer,
      region: stack.pool.region,
    },
  };
  project.provide('stack', context);
}

export async function teardown() {
  await stack?.stop();
  await logs?.stop();
  await rm(dataDir, { recursive: true, force: true });
}
