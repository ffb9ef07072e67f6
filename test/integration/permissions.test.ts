import { randomUUID } from 'node:crypto';
import { DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { FUNCTIONS } from '../../shared/manifest.ts';
import { voteClosedKey } from '../../shared/voting/vote-window.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const table = stack.tableName;
const edition = stack.edition;

const raw = () =>
  new DynamoDBClient({
    endpoint: stack.dynamodbUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
/** The client a function's main.ts builds (its declaration checked), on its own low-level client. */
const clientOf = (functionName: string) => {
  const fn = FUNCTIONS.find((candidate) => candidate.name === functionName);
  if (!fn) throw new Error(`No function ${functionName} in the manifest`);
  return createDocumentClient(raw(), { accessOf: { fn, edition }, enforce: true });
};
/** Unchecked, to set up and look at the table. */
const admin = createDocumentClient(raw());

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
};
const expectDenied = async (promise: Promise<unknown>, action: string) => {
  const error = await refusal(promise);
  expect(error).toBeInstanceOf(DynamoDBServiceException);
  expect((error as Error).name).toBe('AccessDeniedException');
  expect((error as Error).message).toContain(action);
};
const exists = async (key: { pk: string; sk: string }) =>
  (await admin.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item !== undefined;

/** Per function: one access it needs (it reaches DynamoDB Local and works), one it must not have (refused). */
const cases: Record<
  string,
  {
    allowed: (c: DynamoDBDocumentClient) => Promise<unknown>;
    refused: (c: DynamoDBDocumentClient) => Promise<unknown>;
    action: string;
  }
> = {
  editions: {
    allowed: (c) =>
      c.send(new GetCommand({ TableName: table, Key: { pk: `EDITION#${edition}`, sk: 'CONFIG' } })),
    // The vote window is voting's: editions checks it, never writes it.
    refused: (c) =>
      c.send(
        new PutCommand({
          TableName: table,
          Item: { pk: `EDITION#${edition}#VOTING`, sk: 'WINDOW', paused: true },
        }),
      ),
    action: 'dynamodb:PutItem',
  },
  identity: {
    allowed: (c) =>
      c.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': 'PERSONALDATA#0' },
        }),
      ),
    // The receipt index is voting's: identity cannot find a ballot from a receipt.
    refused: (c) =>
      c.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': 'RECEIPT#ABCD' },
        }),
      ),
    action: 'dynamodb:Query',
  },
  voting: {
    allowed: (c) => c.send(new GetCommand({ TableName: table, Key: { pk: 'VOTER#nobody', sk: 'MARKER' } })),
    // The vote-closed marker is the editions function's: voting checks it is absent, never deletes it.
    refused: (c) =>
      c.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { pk: `VOTER#perm-${randomUUID()}`, sk: 'MARKER', channel: 'online' },
              },
            },
            { Delete: { TableName: table, Key: voteClosedKey(edition) } },
          ],
        }),
      ),
    action: 'dynamodb:DeleteItem',
  },
  ideas: {
    allowed: (c) =>
      c.send(
        new PutCommand({ TableName: table, Item: { pk: `IDEADRAFT#perm-${randomUUID()}`, sk: 'DRAFT' } }),
      ),
    // Ideas never learn who voted.
    refused: (c) => c.send(new GetCommand({ TableName: table, Key: { pk: 'VOTER#nobody', sk: 'MARKER' } })),
    action: 'dynamodb:GetItem',
  },
  results: {
    allowed: (c) =>
      c.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'BALLOT#nantes#0' },
        }),
      ),
    // The example: results could read and erase identity items.
    refused: (c) =>
      c.send(
        new PutCommand({
          TableName: table,
          Item: { pk: 'CITIZEN#someone', sk: 'IDENTITY', erasedAt: 'now' },
        }),
      ),
    action: 'dynamodb:PutItem',
  },
  instruction: {
    allowed: (c) =>
      c.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: '#k = :pk',
          ExpressionAttributeNames: { '#k': 'gsi1pk' },
          ExpressionAttributeValues: { ':pk': 'INSTRUCTION#ASSIGNMENTS' },
        }),
      ),
    // Instruction reads ideas, never the identities behind them.
    refused: (c) =>
      c.send(new GetCommand({ TableName: table, Key: { pk: 'CITIZEN#someone', sk: 'IDENTITY' } })),
    action: 'dynamodb:GetItem',
  },
  notifications: {
    allowed: (c) =>
      c.send(new GetCommand({ TableName: table, Key: { pk: 'CITIZEN#someone', sk: 'IDENTITY' } })),
    // The example: notifications could delete ballots.
    refused: (c) =>
      c.send(
        new BatchWriteCommand({
          RequestItems: {
            [table]: [
              { DeleteRequest: { Key: { pk: 'EMAIL#x', sk: 'EMAIL' } } },
              { DeleteRequest: { Key: { pk: 'BALLOT#nantes#0', sk: 'BALLOT#x' } } },
            ],
          },
        }),
      ),
    action: 'dynamodb:BatchWriteItem',
  },
  // The results emails' fan-out (safe14's branch): it reads the suppressions, never lifts or adds one.
  'mail-fanout': {
    allowed: (c) =>
      c.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `RESULTSNEWS#${edition}` },
        }),
      ),
    refused: (c) =>
      c.send(new PutCommand({ TableName: table, Item: { pk: 'SUPPRESSION#x', sk: 'SUPPRESSION' } })),
    action: 'dynamodb:PutItem',
  },
};
const declared = (name: string) => FUNCTIONS.some((fn) => fn.name === name);

describe('permissions: a function touching a key outside its declaration fails locally, as IAM refuses it in AWS', () => {
  it('covers every function of the manifest', () => {
    expect(Object.keys(cases)).toEqual(expect.arrayContaining(FUNCTIONS.map((fn) => fn.name)));
  });

  for (const [name, { allowed, refused, action }] of Object.entries(cases)) {
    it.skipIf(!declared(name))(
      `${name}: allows what it needs, refuses ${action} outside its keys`,
      async () => {
        const client = clientOf(name);
        await expect(allowed(client)).resolves.toBeDefined();
        await expectDenied(refused(client), action);
        // Scan is nobody's.
        await expectDenied(client.send(new ScanCommand({ TableName: table, Limit: 1 })), 'dynamodb:Scan');
      },
    );
  }

  it('refuses a whole transaction for one foreign key: nothing of it is written', async () => {
    const voter = `perm-${randomUUID()}`;
    const error = await refusal(
      clientOf('voting').send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: `VOTER#${voter}`, sk: 'MARKER', channel: 'online' } } },
            {
              Put: { TableName: table, Item: { pk: `CITIZEN#${voter}`, sk: 'IDENTITY', status: 'verified' } },
            },
          ],
        }),
      ),
    );
    expect((error as Error).name).toBe('AccessDeniedException');
    expect(await exists({ pk: `VOTER#${voter}`, sk: 'MARKER' })).toBe(false);
    expect(await exists({ pk: `CITIZEN#${voter}`, sk: 'IDENTITY' })).toBe(false);
  });

  it('lets voting mark an in-person code used (UpdateItem) but neither replace nor delete it', async () => {
    const key = { pk: `VOTECODE#perm-${randomUUID()}`, sk: 'CODE' };
    await admin.send(new PutCommand({ TableName: table, Item: { ...key, citizenId: 'c' } }));
    const voting = clientOf('voting');
    await voting.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table,
              Key: key,
              UpdateExpression: 'SET usedAt = :at',
              ExpressionAttributeValues: { ':at': '2026-01-01T00:00:00Z' },
            },
          },
        ],
      }),
    );
    await expectDenied(
      voting.send(new PutCommand({ TableName: table, Item: { ...key, citizenId: 'other' } })),
      'dynamodb:PutItem',
    );
    const stored = await admin.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    expect(stored.Item).toMatchObject({ citizenId: 'c', usedAt: '2026-01-01T00:00:00Z' });
  });

  it('checks the edition: another edition’s partition is not this one’s', async () => {
    await expectDenied(
      clientOf('editions').send(
        new GetCommand({ TableName: table, Key: { pk: 'EDITION#another-edition', sk: 'CONFIG' } }),
      ),
      'dynamodb:GetItem',
    );
  });
});
