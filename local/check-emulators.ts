/**
 * Smoke check of the local stand-ins for DynamoDB, SES, Cognito and S3, run by hand after changing them:
 * `npx tsx local/check-emulators.ts`. Exits non-zero on the first failed check.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TABLE } from '../shared/manifest.ts';
import { s3UploadPresigner } from '../shared/site/upload-presigner.ts';
import { seedStaffPool, signIn, startCognitoLocal } from './cognito.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { localPicturesBucketName, localSiteBucketName, startS3Emulator } from './s3.ts';
import { clearMailbox, readMailbox, startSesEmulator } from './ses.ts';
import { ensureTable } from './table.ts';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
// requestTimeout alone only logs a warning in this SDK version: an unanswered call would hang.
const requestHandler = { requestTimeout: 5_000, throwOnRequestTimeout: true };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Direct children of this process, read from /proc so that no `ps` child pollutes the answer. */
async function childProcesses(): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const children: string[] = [];
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // The command name may hold spaces or parentheses: fields resume after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== process.pid) continue;
    const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    // tsx's own esbuild service lives as long as this script does.
    if (!command.includes('/@esbuild/')) children.push(`${pid} ${command.trim()}`);
  }
  return children;
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  console.log(`  ${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

const work = await mkdtemp(path.join(tmpdir(), 'bp-emulators-'));
const stops: (() => Promise<void>)[] = [];
try {
  console.log('DynamoDB Local');
  const dynamoPort = await freePort();
  const dynamo = await timed('start (incl. download if not cached)', () =>
    startDynamoDbLocal({ port: dynamoPort, cacheDir: path.join(root, '.cache') }),
  );
  stops.push(dynamo.stop);
  const ddb = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'eu-west-3',
    credentials,
    requestHandler,
  });
  const TableName = 'bp-check';
  await timed('ensureTable', () => ensureTable(ddb, TableName, TABLE));
  await timed('ensureTable again (no-op)', () => ensureTable(ddb, TableName, TABLE));
  const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName }));
  assert.equal(ttl.TimeToLiveDescription?.TimeToLiveStatus, 'ENABLED');
  assert.equal(ttl.TimeToLiveDescription?.AttributeName, TABLE.ttlAttribute);

  await ddb.send(new PutItemCommand({ TableName, Item: { pk: { S: 'VOTER#1' }, sk: { S: 'VOTED' } } }));
  const transaction = ddb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName, Item: { pk: { S: 'BALLOT#1' }, sk: { S: 'BALLOT' } } } },
        {
          Put: {
            TableName,
            Item: { pk: { S: 'VOTER#1' }, sk: { S: 'VOTED' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
  await assert.rejects(transaction, (error: unknown) => {
    assert.ok(error instanceof TransactionCanceledException, `unexpected ${String(error)}`);
    assert.deepEqual(
      error.CancellationReasons?.map((reason) => reason.Code),
      ['None', 'ConditionalCheckFailed'],
    );
    return true;
  });
  const ballot = await ddb.send(
    new GetItemCommand({ TableName, Key: { pk: { S: 'BALLOT#1' }, sk: { S: 'BALLOT' } } }),
  );
  assert.equal(ballot.Item, undefined, 'a cancelled transaction must write nothing');
  console.log('  TransactionCanceledException [None, ConditionalCheckFailed], nothing written: ok');
  ddb.destroy();

  console.log('SES');
  const ses = await timed('start', () => startSesEmulator({ port: 0 }));
  stops.push(ses.stop);
  const sesClient = new SESv2Client({
    endpoint: ses.endpoint,
    region: 'eu-west-3',
    credentials,
    requestHandler,
  });
  const since = Math.floor(Date.now() / 1000);
  await sesClient.send(
    new SendEmailCommand({
      FromEmailAddress: 'budget-participatif@example.fr',
      Destination: { ToAddresses: ['habitante@example.fr'] },
      Content: {
        Simple: {
          Subject: { Data: 'Votre code de connexion' },
          Body: {
            Text: { Data: 'Votre code : 123456' },
            Html: { Data: '<p>Votre code : <b>123456</b></p>' },
          },
        },
      },
    }),
  );
  sesClient.destroy();
  const mails = await readMailbox(ses.endpoint, since);
  assert.equal(mails.length, 1);
  assert.equal(mails[0]?.subject, 'Votre code de connexion');
  assert.deepEqual(mails[0]?.destination.to, ['habitante@example.fr']);
  await clearMailbox(ses.endpoint);
  assert.deepEqual(await readMailbox(ses.endpoint), []);
  console.log('  SESv2 SendEmail → mailbox → clear: ok');

  console.log('Cognito');
  const cognitoPort = await freePort();
  const dataDir = path.join(work, 'cognito');
  const stateFile = path.join(work, 'staff-pool.json');
  const seed = (endpoint: string) =>
    seedStaffPool({
      endpoint,
      edition: 'check',
      stateFile,
      groups: ['admin', 'coordinator', 'instructor'],
      users: [
        { username: 'admin', password: 'Admin-local-1', email: 'admin@example.fr', groups: ['admin'] },
        {
          username: 'coordination',
          password: 'Coord-local-1',
          email: 'coordination@example.fr',
          groups: ['coordinator', 'instructor'],
          service: 'voirie',
        },
      ],
    });
  let cognito = await timed('start', () => startCognitoLocal({ port: cognitoPort, dataDir }));
  const pool = await timed('seedStaffPool', () => seed(cognito.endpoint));
  assert.deepEqual(await seed(cognito.endpoint), pool, 'seeding twice must reuse the pool');
  await cognito.stop();
  cognito = await timed('restart on the same dataDir', () =>
    startCognitoLocal({ port: cognitoPort, dataDir }),
  );
  stops.push(cognito.stop);
  assert.deepEqual(
    await timed('seedStaffPool again', () => seed(cognito.endpoint)),
    pool,
    'state must survive',
  );

  const tokens = await signIn(pool, cognito.endpoint, 'coordination', 'Coord-local-1');
  const jwks = createRemoteJWKSet(new URL(pool.jwksUrl));
  const { payload } = await jwtVerify(tokens.idToken, jwks, { issuer: pool.issuer, audience: pool.clientId });
  const access = await jwtVerify(tokens.accessToken, jwks, { issuer: pool.issuer });
  assert.equal(access.payload.token_use, 'access');
  console.log(`  issuer: ${payload.iss}`);
  console.log(`  jwksUrl: ${pool.jwksUrl}`);
  console.log(`  cognito:groups = ${JSON.stringify(payload['cognito:groups'])}`);
  console.log(`  custom:service = ${JSON.stringify(payload['custom:service'])}`);
  assert.deepEqual([...(payload['cognito:groups'] as string[])].sort(), ['coordinator', 'instructor']);
  assert.equal(payload['custom:service'], 'voirie');
  await assert.rejects(signIn(pool, cognito.endpoint, 'admin', 'wrong-password'));
  console.log('  sign-in, jose verification, wrong password refused: ok');

  console.log('S3');
  const siteOrigin = 'http://127.0.0.1:3000';
  const s3 = await timed('start', () =>
    startS3Emulator({
      port: 0,
      directory: path.join(work, 's3'),
      bucket: localSiteBucketName('check'),
      picturesBucket: localPicturesBucketName('check'),
      siteOrigins: [siteOrigin],
      ...credentials,
    }),
  );
  stops.push(s3.stop);
  const s3Client = new S3Client({ endpoint: s3.endpoint, region: 'eu-west-3', credentials, requestHandler });
  const storage = s3UploadPresigner({ bucket: s3.picturesBucket, client: s3Client });
  const key = 'uploads/check/idea/0b6f6c1e-7a53-4c2e-9d1c-8f1b2c3d4e5f.png';
  const bytes = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const upload = await storage.presignPut(key, { contentType: 'image/png', size: bytes.length });
  assert.ok(
    upload.url.startsWith(`${s3.endpoint}/${s3.picturesBucket}/uploads/`),
    `path-style URL: ${upload.url}`,
  );
  const preflight = (origin: string) =>
    fetch(upload.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type,x-amz-tagging',
      },
    });
  assert.equal((await preflight(siteOrigin)).status, 200);
  assert.equal((await preflight('https://elsewhere.example')).status, 403);
  const put = await fetch(upload.url, {
    method: 'PUT',
    headers: upload.headers,
    body: new Uint8Array(bytes),
  });
  assert.equal(put.status, 200, await put.text());
  const read = await fetch(await storage.presignGet(key));
  assert.deepEqual(Buffer.from(await read.arrayBuffer()), bytes);
  assert.deepEqual(await storage.inspect(key), { size: bytes.length, head: new Uint8Array(bytes) });
  assert.equal(await storage.inspect(key.replace('.png', '.jpg')), undefined);
  await storage.markAttached([key]);
  const tags = await s3Client.send(new GetObjectTaggingCommand({ Bucket: s3.picturesBucket, Key: key }));
  assert.deepEqual(tags.TagSet, [{ Key: 'bp-picture', Value: 'attached' }]);
  s3Client.destroy();
  console.log('  presigned PUT (CORS for the site only) → presigned GET → inspect → tagged attached: ok');
} finally {
  for (const stop of stops.reverse()) await stop();
  await rm(work, { recursive: true, force: true });
}

const leftovers = await childProcesses();
assert.deepEqual(leftovers, [], `child processes left: ${leftovers.join('; ')}`);
console.log('All emulators stopped, no child process left: ok');
