import { Stack } from 'aws-cdk-lib';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
interface Statement {
  Action: string | string[];
  Resource: unknown;
}

describe('the personal-data retention in the stacks', () => {
  let edition: BuiltEdition;

  beforeAll(() => {
    const { editions } = buildApp([fixtureConfig()]);
    edition = editions[0] as BuiltEdition;
  });

  it('declares the sparse retention index on the table, keyed gsi1pk / gsi1sk', () => {
    // Act
    const [table] = Object.values(
      edition.templates.data.findResources('AWS::DynamoDB::GlobalTable') as Resources,
    );

    // Assess
    expect(table?.Properties?.GlobalSecondaryIndexes).toContainEqual(
      expect.objectContaining({
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
      }),
    );
  });

  it('lets the identity function query that index, and runs its retention batches from a rule with retries and a dead-letter queue', () => {
    // Prepare
    const identity = edition.stacks.functions.functions.find((bp) => bp.spec.name === 'identity');
    if (!identity) throw new Error('no identity function');
    const stack = Stack.of(identity);
    const roleId = stack.getLogicalId(identity.role.node.defaultChild as CfnRole);
    const aliasId = stack.getLogicalId(identity.live.node.defaultChild as never);

    // Act
    const statements = Object.values(
      edition.templates.functions.findResources('AWS::IAM::Policy') as Resources,
    )
      .filter((policy) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        (policy) =>
          (policy.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
      );
    const rules = Object.values(edition.templates.functions.findResources('AWS::Events::Rule') as Resources);
    const retentionRule = rules.find(
      (rule) =>
        JSON.stringify(
          (rule.Properties?.EventPattern as Record<string, unknown> | undefined)?.['detail-type'],
        ) === JSON.stringify(['RetentionBatchRequested']),
    );

    // Assess: Query on the table's gsi1 (by name, no index wildcard).
    const onIndex = statements.filter((statement) =>
      JSON.stringify(statement.Resource).endsWith('"/index/gsi1"]]}'),
    );
    expect(onIndex.some((statement) => [statement.Action].flat().includes('dynamodb:Query'))).toBe(true);
    expect(JSON.stringify(statements)).not.toContain('/index/*');
    // The batches: the identity function, from its own source, with the bus's retries and a DLQ.
    expect(retentionRule?.Properties).toMatchObject({
      EventPattern: { source: ['bp.identity'], detail: { version: [1] } },
      Targets: [
        {
          // The function's `live` alias (gradual deploys).
          Arn: { Ref: aliasId },
          DeadLetterConfig: { Arn: expect.anything() },
          RetryPolicy: { MaximumRetryAttempts: 185 },
        },
      ],
    });
  });
});
