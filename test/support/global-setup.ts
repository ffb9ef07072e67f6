import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { buildWeb } from '../../web/build.ts';
import type { StackContext } from './stack-context.ts';

let dynamodb: Awaited<ReturnType<typeof startDynamoDbLocal>> | undefined;
const dataDir = resolve('.local/test', String(process.pid));

/**
 * What every integration and browser test file shares: one DynamoDB Local (in memory; each file creates its own
 * table in it) and the site built once. Everything else a file needs (its table, SES emulator, cognito-local
 * pool, local bus and clock, HTTP adapter, functions) is its own: test/support/file-stack.ts starts it before the
 * file's tests, so files run in any order, in parallel, and never see each other's state.
 */
export async function setup(project: TestProject) {
  const freePort = await import('node:net').then(
    ({ createServer }) =>
      new Promise<number>((done, fail) => {
        const server = createServer();
        server.once('error', fail);
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          server.close(() => done(typeof address === 'object' && address ? address.port : 0));
        });
      }),
  );
  const webBuildDir = resolve(dataDir, 'web-build');
  [dynamodb] = await Promise.all([
    startDynamoDbLocal({ port: freePort, cacheDir: resolve('.cache') }),
    buildWeb(webBuildDir),
  ]);
  project.provide('sharedEmulators', { dynamodbUrl: dynamodb.endpoint, webBuildDir, dataDir });
  // Filled in each worker by test/support/file-stack.ts before the test file is imported.
  project.provide('stack', {} as StackContext);
}

export async function teardown() {
  await dynamodb?.stop();
  await rm(dataDir, { recursive: true, force: true });
}
