/**
 * Creates the edition table on DynamoDB Local from the manifest's `TABLE`, the same description the
 * CDK stack reads, so local and deployed tables cannot drift apart.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import type { TableSpec } from '../shared/manifest.ts';

const WAIT_SECONDS = 60;

type IndexSpec = TableSpec['indexes'][number];

function attributeDefinitions(spec: TableSpec): AttributeDefinition[] {
  const names = new Set([
    spec.partitionKey,
    spec.sortKey,
    ...spec.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]);
  return [...names].map((name) => ({ AttributeName: name, AttributeType: 'S' }));
}

function globalIndex(index: IndexSpec): GlobalSecondaryIndex {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  };
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Table and every index ACTIVE: a freshly added index stays CREATING for a while and refuses queries. */
async function waitActive(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  await waitUntilTableExists({ client, maxWaitTime: WAIT_SECONDS }, { TableName: tableName });
  const deadline = Date.now() + WAIT_SECONDS * 1000;
  for (;;) {
    const table = await describe(client, tableName);
    if (!table) throw new Error(`Table ${tableName} vanished while waiting for it`);
    const pending = (table.GlobalSecondaryIndexes ?? []).filter((index) => index.IndexStatus !== 'ACTIVE');
    if (table.TableStatus === 'ACTIVE' && pending.length === 0) return table;
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} not ACTIVE after ${WAIT_SECONDS} s (${table.TableStatus})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function keyOf(schema: TableDescription['KeySchema'], type: 'HASH' | 'RANGE'): string | undefined {
  return schema?.find((key) => key.KeyType === type)?.AttributeName;
}

/**
 * A persisted local table (`-dbPath`) outlives manifest changes: refuse a different primary key
 * (only a reset can fix that) and add indexes the manifest gained since.
 */
async function reconcile(
  client: DynamoDBClient,
  tableName: string,
  spec: TableSpec,
  table: TableDescription,
): Promise<void> {
  if (
    keyOf(table.KeySchema, 'HASH') !== spec.partitionKey ||
    keyOf(table.KeySchema, 'RANGE') !== spec.sortKey
  ) {
    throw new Error(
      `Table ${tableName} exists with a different primary key than shared/manifest.ts; reset the local data (npm run reset)`,
    );
  }
  const existing = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of spec.indexes.filter((candidate) => !existing.has(candidate.name))) {
    // DynamoDB accepts one index creation per UpdateTable call.
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions(spec),
        GlobalSecondaryIndexUpdates: [{ Create: globalIndex(index) }],
      }),
    );
    await waitActive(client, tableName);
  }
}

async function ensureTtl(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const { TimeToLiveStatus: status, AttributeName: name } = current.TimeToLiveDescription ?? {};
  if ((status === 'ENABLED' || status === 'ENABLING') && name === attribute) return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    // A concurrent ensureTable may have won the race.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  }
}

/** Creates the table (on-demand, GSIs projecting ALL) if missing, waits until ACTIVE, enables TTL. */
export async function ensureTable(client: DynamoDBClient, tableName: string, spec: TableSpec): Promise<void> {
  const existing = await describe(client, tableName);
  if (existing) {
    await reconcile(client, tableName, spec, await waitActive(client, tableName));
  } else {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attributeDefinitions(spec),
          KeySchema: [
            { AttributeName: spec.partitionKey, KeyType: 'HASH' },
            { AttributeName: spec.sortKey, KeyType: 'RANGE' },
          ],
          ...(spec.indexes.length > 0 ? { GlobalSecondaryIndexes: spec.indexes.map(globalIndex) } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitActive(client, tableName);
  }
  await ensureTtl(client, tableName, spec.ttlAttribute);
}

export async function deleteTableIfExists(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return;
    throw error;
  }
  await waitUntilTableNotExists({ client, maxWaitTime: WAIT_SECONDS }, { TableName: tableName });
}
