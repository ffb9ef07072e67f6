import { describe, expect, it } from 'vitest';
import { checkKeyAccess, isAllowed, keysTouched, matchesPattern } from '../../shared/dynamo/key-access.ts';
import type { TableAccess } from '../../shared/manifest.ts';

const access: TableAccess = {
  owns: ['VOTER#*', 'EDITION#ed#VOTING'],
  reads: ['CITIZEN#*', 'EDITION#ed'],
  updates: ['VOTECODE#*'],
  indexes: { gsi1: ['RECEIPT#*'] },
  scans: false,
};

describe('the local key check (what IAM evaluates with dynamodb:LeadingKeys)', () => {
  it('matches like IAM StringLike: whole string, * and ? only, # and regex characters literal', () => {
    expect(matchesPattern('CITIZEN#abc', 'CITIZEN#*')).toBe(true);
    expect(matchesPattern('CITIZENS#abc', 'CITIZEN#*')).toBe(false);
    expect(matchesPattern('xCITIZEN#abc', 'CITIZEN#*')).toBe(false);
    expect(matchesPattern('EDITION#ed', 'EDITION#ed')).toBe(true);
    expect(matchesPattern('EDITION#ed#VOTING', 'EDITION#ed')).toBe(false);
    expect(matchesPattern('A.B', 'A?B')).toBe(true);
    expect(matchesPattern('AxB', 'A.B')).toBe(false);
    expect(matchesPattern('a\nb', 'a*')).toBe(true);
  });

  it('reads every key of transactions and batches, marshalled or not, and the index key of a Query', () => {
    expect(
      keysTouched('TransactWriteItemsCommand', {
        TransactItems: [
          { ConditionCheck: { Key: { pk: { S: 'EDITION#ed' }, sk: { S: 'PHASE' } } } },
          { Put: { Item: { pk: { S: 'VOTER#1' } } } },
          { Update: { Key: { pk: { S: 'VOTECODE#h' } } } },
          { Delete: { Key: { pk: { S: 'BALLOT#e#1' } } } },
        ],
      }),
    ).toEqual([
      { action: 'dynamodb:ConditionCheckItem', partition: 'EDITION#ed' },
      { action: 'dynamodb:PutItem', partition: 'VOTER#1' },
      { action: 'dynamodb:UpdateItem', partition: 'VOTECODE#h' },
      { action: 'dynamodb:DeleteItem', partition: 'BALLOT#e#1' },
    ]);
    expect(
      keysTouched('BatchWriteItemCommand', {
        RequestItems: {
          t: [{ PutRequest: { Item: { pk: 'A#1' } } }, { DeleteRequest: { Key: { pk: 'B#1' } } }],
        },
      }).map((t) => t.partition),
    ).toEqual(['A#1', 'B#1']);
    expect(
      keysTouched('QueryCommand', {
        IndexName: 'gsi1',
        KeyConditionExpression: '#k = :v AND begins_with(gsi1sk, :p)',
        ExpressionAttributeNames: { '#k': 'gsi1pk' },
        ExpressionAttributeValues: { ':v': { S: 'RECEIPT#x' }, ':p': { S: 'E' } },
      }),
    ).toEqual([{ action: 'dynamodb:Query', index: 'gsi1', partition: 'RECEIPT#x' }]);
    // The sort key condition is not the partition.
    expect(
      keysTouched('QueryCommand', {
        KeyConditionExpression: 'sk = :s AND pk = :p',
        ExpressionAttributeValues: { ':s': 'CITIZEN#1', ':p': 'BALLOT#1' },
      })[0]?.partition,
    ).toBe('BALLOT#1');
  });

  it('allows owned partitions fully, read partitions for reads, updates for UpdateItem only, index keys on their index only', () => {
    const allowed = (action: string, partition: string, index?: string) =>
      isAllowed(access, { action: action as never, partition, ...(index ? { index } : {}) });
    expect(allowed('dynamodb:DeleteItem', 'VOTER#1')).toBe(true);
    expect(allowed('dynamodb:ConditionCheckItem', 'EDITION#ed')).toBe(true);
    expect(allowed('dynamodb:PutItem', 'EDITION#ed')).toBe(false);
    expect(allowed('dynamodb:UpdateItem', 'VOTECODE#h')).toBe(true);
    expect(allowed('dynamodb:PutItem', 'VOTECODE#h')).toBe(false);
    expect(allowed('dynamodb:GetItem', 'VOTECODE#h')).toBe(false);
    expect(allowed('dynamodb:Query', 'RECEIPT#x', 'gsi1')).toBe(true);
    expect(allowed('dynamodb:Query', 'RECEIPT#x')).toBe(false);
    expect(allowed('dynamodb:Query', 'VOTER#1', 'gsi1')).toBe(false);
    expect(isAllowed(access, { action: 'dynamodb:Scan' })).toBe(false);
    expect(isAllowed(access, { action: 'dynamodb:GetItem' })).toBe(false);
  });

  it('refuses a transaction for its one foreign key, with an AccessDeniedException naming the action', () => {
    const attempt = () =>
      checkKeyAccess('voting', access, 'TransactWriteItemsCommand', {
        TransactItems: [{ Put: { Item: { pk: 'VOTER#1' } } }, { Put: { Item: { pk: 'CITIZEN#1' } } }],
      });
    expect(attempt).toThrow(/not authorized to perform: dynamodb:PutItem/);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).name).toBe('AccessDeniedException');
    }
    // A batch must fit one statement: owned and read partitions cannot be mixed in it, as in IAM.
    const batch = (keys: string[]) => () =>
      checkKeyAccess('voting', access, 'BatchGetItemCommand', {
        RequestItems: { t: { Keys: keys.map((pk) => ({ pk, sk: 'x' })) } },
      });
    expect(batch(['VOTER#1', 'VOTER#2'])).not.toThrow();
    expect(batch(['CITIZEN#1', 'EDITION#ed'])).not.toThrow();
    expect(batch(['VOTER#1', 'CITIZEN#1'])).toThrow(/BatchGetItem/);
    expect(() => checkKeyAccess('voting', access, 'DescribeTableCommand', { TableName: 't' })).toThrow(
      /DescribeTable/,
    );
  });
});
