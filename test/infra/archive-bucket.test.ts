import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, fixtureConfig } from './build-edition.ts';

describe('the archive bucket (Data stack), where bp export puts the end of an edition', () => {
  const [edition] = buildApp([fixtureConfig()]).editions;
  const data = edition?.templates.data;

  it('is versioned, private, encrypted, TLS-only, logged, and survives the stack and a replacement', () => {
    expect(data).toBeDefined();
    const archives = data?.findResources('AWS::S3::Bucket', {
      Properties: { VersioningConfiguration: { Status: 'Enabled' } },
    });
    const [entry] = Object.entries(archives ?? {});
    expect(Object.keys(archives ?? {})).toHaveLength(1);
    const [logicalId, archive] = entry ?? [];
    expect(logicalId).toMatch(/^Archive/);
    expect(archive).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LoggingConfiguration: { LogFilePrefix: 'archive/' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
    });
    // No auto-delete custom resource could empty it at teardown.
    data?.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    data?.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // Its access logs are kept too.
    const logs = data?.findResources('AWS::S3::Bucket', {
      Properties: { LoggingConfiguration: Match.absent() },
    });
    expect(Object.values(logs ?? {}).map((bucket) => bucket.DeletionPolicy)).toEqual(['Retain']);
    data?.hasOutput('ArchiveBucketName', { Value: { Ref: logicalId } });
  });
});
