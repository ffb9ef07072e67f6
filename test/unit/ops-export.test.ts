import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeTableCommand,
  DynamoDBClient,
  ExportTableToPointInTimeCommand,
} from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportEdition } from '../../bin/commands/export.ts';

const cfn = mockClient(CloudFormationClient);
const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const TABLE_ARN = 'arn:aws:dynamodb:eu-west-3:222222222222:table/Bp-la-Data-Table-1';

async function bp(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await exportEdition.run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('bp export (requests sent to CloudFormation, DynamoDB and S3)', () => {
  beforeEach(() => {
    for (const mock of [cfn, dynamodb, s3]) mock.reset();
    cfn.on(ListStackResourcesCommand, { StackName: 'Bp-loire-atlantique-demo-Data' }).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'Table7ABB2AD4',
          PhysicalResourceId: 'Bp-la-Data-Table-1',
          ResourceType: 'AWS::DynamoDB::GlobalTable',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
        {
          LogicalResourceId: 'ArchiveA1B2C3',
          PhysicalResourceId: 'bp-la-archive',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
        {
          LogicalResourceId: 'AccessLogsD4E5',
          PhysicalResourceId: 'bp-la-access-logs',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    cfn.on(ListStackResourcesCommand, { StackName: 'Bp-loire-atlantique-demo-Web' }).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'Site1234',
          PhysicalResourceId: 'bp-la-site',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
        {
          LogicalResourceId: 'Logs5678',
          PhysicalResourceId: 'bp-la-logs',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableArn: TABLE_ARN } });
    dynamodb
      .on(ExportTableToPointInTimeCommand)
      .resolves({ ExportDescription: { ExportArn: `${TABLE_ARN}/export/01` } });
    s3.on(ListObjectsV2Command, { Bucket: 'bp-la-site', Prefix: 'data/' })
      .resolvesOnce({ Contents: [{ Key: 'data/ideas.json' }], IsTruncated: true, NextContinuationToken: 'n' })
      .resolves({ Contents: [{ Key: 'data/results/résultats 2027.csv' }], IsTruncated: false });
    s3.on(ListObjectsV2Command, { Bucket: 'bp-la-site', Prefix: 'uploads/' }).resolves({
      Contents: [{ Key: 'uploads/idea-1/a.jpg' }],
    });
    s3.on(CopyObjectCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
  });
  afterEach(() => {
    for (const mock of [cfn, dynamodb, s3]) mock.reset();
  });

  it('exports the table to the point in time and copies open data and pictures into the archive bucket', async () => {
    // Act
    const result = await bp('--deploy', 'loire-atlantique-demo.production', '--at', '2026-11-30T18:00:00Z');

    // Assess
    expect(result.code, result.err.join('\n')).toBe(0);
    const root = 'loire-atlantique-demo/2026-11-30T18:00:00Z/';
    expect(dynamodb.commandCalls(ExportTableToPointInTimeCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableArn: TABLE_ARN,
        ExportTime: new Date('2026-11-30T18:00:00Z'),
        S3Bucket: 'bp-la-archive',
        S3Prefix: `${root}table`,
        ExportFormat: 'DYNAMODB_JSON',
        S3SseAlgorithm: 'AES256',
        ClientToken: 'bp-export-loire-atlantique-demo-2026-11-30T18:00:00Z',
      },
    ]);
    expect(s3.commandCalls(CopyObjectCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: 'bp-la-archive',
        Key: `${root}site/data/ideas.json`,
        CopySource: 'bp-la-site/data/ideas.json',
      },
      {
        Bucket: 'bp-la-archive',
        Key: `${root}site/data/results/résultats 2027.csv`,
        CopySource: 'bp-la-site/data/results/r%C3%A9sultats%202027.csv',
      },
      {
        Bucket: 'bp-la-archive',
        Key: `${root}site/uploads/idea-1/a.jpg`,
        CopySource: 'bp-la-site/uploads/idea-1/a.jpg',
      },
    ]);
    // Nothing from the logs bucket, nothing written anywhere but the archive.
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Bucket)).not.toContain(
      'bp-la-logs',
    );
    const [manifest] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(manifest).toMatchObject({ Bucket: 'bp-la-archive', Key: `${root}manifest.json` });
    expect(JSON.parse(String(manifest?.Body))).toMatchObject({
      edition: 'loire-atlantique-demo',
      table: { name: 'Bp-la-Data-Table-1', exportArn: `${TABLE_ARN}/export/01` },
      copied: [
        { from: 's3://bp-la-site/data/', count: 2 },
        { from: 's3://bp-la-site/uploads/', count: 1 },
      ],
    });
    expect(result.err.at(-1)).toMatch(/describe-export --export-arn .*export\/01 .*COMPLETED/);
  });

  it('writes nothing with --dry-run, and refuses a date in the future or an edition that is not deployed', async () => {
    const dry = await bp(
      '--deploy',
      'loire-atlantique-demo.production',
      '--dry-run',
      '--at',
      '2026-01-01T00:00:00Z',
    );
    expect(dry.code).toBe(0);
    expect(dynamodb.commandCalls(ExportTableToPointInTimeCommand)).toHaveLength(0);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);

    const future = await bp('--deploy', 'loire-atlantique-demo.production', '--at', '2999-01-01T00:00:00Z');
    expect(future.code).toBe(2);
    const byHand = await bp('--edition', 'loire-atlantique-demo');
    expect(byHand.code).toBe(2);
    expect(byHand.err.join('\n')).toMatch(/--deploy/);
  });
});
