import { type AttributeValue, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { TABLE, type TableAccess } from './table.ts';

/**
 * The item-level actions IAM checks, as a function's table access grants them (lib/constructs/bp-function.ts
 * turns the same lists into policy statements): what `owns` allows, what `reads` allows, what `updates` allows.
 */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;
export const TABLE_UPDATE_ACTIONS = ['dynamodb:UpdateItem'] as const;
export const INDEX_ACTIONS = ['dynamodb:Query'] as const;

export type TableAction =
  | (typeof TABLE_READ_ACTIONS)[number]
  | (typeof TABLE_WRITE_ACTIONS)[number]
  | 'dynamodb:Scan'
  | 'dynamodb:TransactGetItems';

/** One partition a request touches: the action IAM evaluates for it, and on the table or an index. */
export interface KeyTouch {
  readonly action: TableAction;
  /** `undefined` for the table itself. */
  readonly index?: string;
  /** The partition key value (`dynamodb:LeadingKeys`); `undefined` for a Scan. */
  readonly partition?: string;
}

/** IAM `StringLike`: `*` any run of characters, `?` exactly one, everything else literal, whole string. */
export function matchesPattern(value: string, pattern: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

const stringOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  const attribute = value as AttributeValue | undefined;
  return attribute && typeof attribute === 'object' && 'S' in attribute ? attribute.S : undefined;
};

const partitionOf = (key: Record<string, unknown> | undefined) => stringOf(key?.[TABLE.partitionKey]);

/** The partition key value a Query names in its key condition (`pk = :pk`, `#pk = :v`, on the table or index). */
function queryPartition(input: Record<string, unknown>): string | undefined {
  const indexName = input.IndexName as string | undefined;
  const keyName = indexName
    ? TABLE.indexes.find((index) => index.name === indexName)?.partitionKey
    : TABLE.partitionKey;
  const expression = input.KeyConditionExpression as string | undefined;
  if (!keyName || !expression) return undefined;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  for (const match of expression.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const [, name = '', placeholder = ''] = match;
    if ((name.startsWith('#') ? names[name] : name) === keyName) return stringOf(values[placeholder]);
  }
  return undefined;
}

type Input = Record<string, unknown>;

/**
 * Every partition a DynamoDB request touches, by low-level command name (`GetItemCommand`, ...) and its input,
 * marshalled or not: the keys inside transactions and batches one by one, as IAM evaluates them.
 */
export function keysTouched(commandName: string, input: Input): KeyTouch[] {
  switch (commandName) {
    case 'GetItemCommand':
      return [{ action: 'dynamodb:GetItem', partition: partitionOf(input.Key as Input) }];
    case 'PutItemCommand':
      return [{ action: 'dynamodb:PutItem', partition: partitionOf(input.Item as Input) }];
    case 'UpdateItemCommand':
      return [{ action: 'dynamodb:UpdateItem', partition: partitionOf(input.Key as Input) }];
    case 'DeleteItemCommand':
      return [{ action: 'dynamodb:DeleteItem', partition: partitionOf(input.Key as Input) }];
    case 'QueryCommand':
      return [
        {
          action: 'dynamodb:Query',
          ...(input.IndexName ? { index: input.IndexName as string } : {}),
          partition: queryPartition(input),
        },
      ];
    case 'ScanCommand':
      return [{ action: 'dynamodb:Scan', ...(input.IndexName ? { index: input.IndexName as string } : {}) }];
    case 'BatchGetItemCommand':
      return Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: Input[] }>).flatMap(
        (request) =>
          (request.Keys ?? []).map((key) => ({
            action: 'dynamodb:BatchGetItem' as const,
            partition: partitionOf(key),
          })),
      );
    case 'BatchWriteItemCommand':
      return Object.values((input.RequestItems ?? {}) as Record<string, Input[]>).flatMap((requests) =>
        requests.map((request) => ({
          action: 'dynamodb:BatchWriteItem' as const,
          partition: partitionOf(
            ((request.PutRequest as Input | undefined)?.Item ??
              (request.DeleteRequest as Input | undefined)?.Key) as Input | undefined,
          ),
        })),
      );
    case 'TransactWriteItemsCommand':
      return ((input.TransactItems ?? []) as Input[]).map((item): KeyTouch => {
        if (item.Put)
          return { action: 'dynamodb:PutItem', partition: partitionOf((item.Put as Input).Item as Input) };
        if (item.Update)
          return {
            action: 'dynamodb:UpdateItem',
            partition: partitionOf((item.Update as Input).Key as Input),
          };
        if (item.Delete)
          return {
            action: 'dynamodb:DeleteItem',
            partition: partitionOf((item.Delete as Input).Key as Input),
          };
        return {
          action: 'dynamodb:ConditionCheckItem',
          partition: partitionOf((item.ConditionCheck as Input | undefined)?.Key as Input),
        };
      });
    case 'TransactGetItemsCommand':
      return ((input.TransactItems ?? []) as Input[]).map((item) => ({
        action: 'dynamodb:GetItem' as const,
        partition: partitionOf((item.Get as Input | undefined)?.Key as Input),
      }));
    default:
      // Control plane (DescribeTable, CreateTable...) and PartiQL: never granted to a function.
      return [{ action: `dynamodb:${commandName.replace(/Command$/, '')}` as TableAction }];
  }
}

/** Whether one touch is allowed by the access (already resolved for the edition: see `tableAccessOf`). */
export function isAllowed(access: TableAccess, touch: KeyTouch): boolean {
  if (touch.action === 'dynamodb:Scan') return access.scans === true;
  const { partition } = touch;
  // Like the policy's `Null` condition: a request without a partition key is refused.
  if (partition === undefined) return false;
  const any = (patterns: readonly string[] | undefined) =>
    (patterns ?? []).some((pattern) => matchesPattern(partition, pattern));
  if (touch.index !== undefined) {
    return (INDEX_ACTIONS as readonly string[]).includes(touch.action) && any(access.indexes?.[touch.index]);
  }
  if (any(access.owns))
    return [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS].includes(touch.action as never);
  if ((TABLE_READ_ACTIONS as readonly string[]).includes(touch.action) && any(access.reads)) return true;
  return (TABLE_UPDATE_ACTIONS as readonly string[]).includes(touch.action) && any(access.updates);
}

/** What IAM answers to a request outside the role's policy (`AccessDeniedException`, HTTP 400). */
export function accessDenied(functionName: string, touch: KeyTouch): DynamoDBServiceException {
  const resource = touch.index ? `table/index/${touch.index}` : 'table';
  return new DynamoDBServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message:
      `User: ${functionName} is not authorized to perform: ${touch.action} on resource: ${resource}` +
      ` (dynamodb:LeadingKeys ${JSON.stringify(touch.partition ?? null)}) because no identity-based policy` +
      ` allows the ${touch.action} action (manifest permissions.table of ${functionName})`,
  });
}

/** Throws like IAM if any key the request touches is outside the function's declared access. */
export function checkKeyAccess(
  functionName: string,
  access: TableAccess,
  commandName: string,
  input: Record<string, unknown>,
): void {
  const touches = keysTouched(commandName, input);
  for (const touch of touches) {
    if (!isAllowed(access, touch)) throw accessDenied(functionName, touch);
  }
  // A batch is one request: IAM needs one statement whose `ForAllValues` patterns match every key of it, so a
  // batch mixing owned and read partitions is refused there although each key alone would pass (a transaction is
  // evaluated item by item, as its own PutItem, UpdateItem... actions).
  if (commandName === 'BatchGetItemCommand' || commandName === 'BatchWriteItemCommand') {
    const statements: TableAccess[] = [
      { owns: access.owns, reads: [] },
      { owns: [], reads: access.reads },
      { owns: [], reads: [], ...(access.updates ? { updates: access.updates } : {}) },
    ];
    if (!statements.some((one) => touches.every((touch) => isAllowed(one, touch)))) {
      throw accessDenied(functionName, touches[0] ?? { action: 'dynamodb:BatchGetItem' });
    }
  }
}
