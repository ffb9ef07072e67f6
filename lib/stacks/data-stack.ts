import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { editionConfigKey } from '../../shared/edition/edition-store.ts';
import { allSecrets, TABLE } from '../../shared/manifest.ts';
import {
  type Project,
  projectItem,
  projectsFilePath,
  readProjectsFile,
} from '../../shared/voting/projects.ts';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

export interface DataStackProps extends EditionStackProps {
  readonly config: EditionConfig;
  /**
   * Written as `updatedAt` on the seeded items. Left out by default: a date taken at synth would make two
   * synths of one commit differ, and a redeploy of an unchanged edition rewrite its items.
   * @default no `updatedAt` on the seeded items
   */
  readonly deployedAt?: Date;
  /**
   * How long the bus archive keeps events, for replay after a consumer bug.
   * @default Duration.days(90)
   */
  readonly archiveRetention?: Duration;
  /**
   * Where `editions/<id>.projects.json` is looked for (the seeded ballot list, if any).
   * @default process.cwd()
   */
  readonly projectRoot?: string;
}

/**
 * What must survive the edition's compute: the single table (retained, point-in-time recovery, deletion
 * protection) seeded with the edition's config, and the event bus the contexts coordinate through.
 */
export class DataStack extends EditionStack {
  readonly table: TableV2;
  readonly bus: EventBus;
  /** The manifest's secrets by id (generated at creation, retained like the table). */
  readonly secrets: Readonly<Record<string, Secret>>;
  /**
   * Where `bp export` puts the end of an edition (the table's export to a point in time, the open data, the
   * pictures): versioned and retained, so that neither a teardown nor an overwrite loses the archive.
   */
  readonly archiveBucket: Bucket;
  /** Logs of the seeding custom resources' provider (one function for all of them). */
  private seedLogs?: LogGroup;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: TABLE.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
      timeToLiveAttribute: TABLE.ttlAttribute,
      // A vote is a spike of a few days in a year of near silence.
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: TableEncryptionV2.awsManagedKey(),
    });

    // Events carry no personal data (ARCHITECTURE.md), so the bus and its archive can go with the stack.
    this.bus = new EventBus(this, 'Bus', { description: `Budget participatif ${config.id}` });
    this.bus.archive('Archive', {
      description: `Every event of ${config.id}, for replay`,
      eventPattern: { account: [this.account] },
      retention: props.archiveRetention ?? Duration.days(90),
    });

    // With the data, not the compute: the fingerprint key keys the email hashes and fingerprints stored in
    // the table, so a new key after a redeploy of the functions would orphan every identity.
    const secrets: Record<string, Secret> = {};
    for (const { secret } of allSecrets()) {
      secrets[secret.id] = new Secret(this, `Secret-${secret.id}`, {
        description: `Budget participatif ${config.id}: ${secret.description}`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.secrets = secrets;

    // Who read or wrote the archive: kept as long as the archive itself.
    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.archiveBucket = new Bucket(this, 'Archive', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'archive/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnOutput(this, 'ArchiveBucketName', {
      value: this.archiveBucket.bucketName,
      description:
        'Archive of the edition (bp export): table export, open data, pictures. Retained, versioned.',
    });

    this.seedConfig(config, props.deployedAt);
    const projects = readProjectsFile(
      config,
      join(props.projectRoot ?? process.cwd(), projectsFilePath(config.id)),
    );
    if (projects) this.seedProjects(config, projects.projects, props.deployedAt);
  }

  /**
   * Writes the seeded ballot list (`editions/<id>.projects.json`, until instruction writes projects) on
   * every create and update: the same items as `putProjects` (shared/voting/projects.ts), 25 per batch.
   * Once the vote is open the voting function works from its frozen snapshot, so a later redeploy with a
   * changed file cannot change the ballot (the difference is refused and audited by voting).
   */
  private seedProjects(
    config: EditionConfig,
    projects: readonly Project[],
    deployedAt: Date | undefined,
  ): void {
    for (let i = 0; i < projects.length; i += 25) {
      const batch = projects.slice(i, i + 25);
      const write = {
        service: 'DynamoDB',
        action: 'batchWriteItem',
        parameters: {
          RequestItems: {
            [this.table.tableName]: batch.map((project) => ({
              PutRequest: {
                Item: toAttributeValues(projectItem(config.id, project, deployedAt?.toISOString())),
              },
            })),
          },
        },
        physicalResourceId: PhysicalResourceId.of(`${config.id}/projects/${i / 25}`),
      };
      new AwsCustomResource(this, `ProjectsSeed${i / 25}`, {
        onCreate: write,
        onUpdate: write,
        policy: AwsCustomResourcePolicy.fromStatements([
          new PolicyStatement({ actions: ['dynamodb:BatchWriteItem'], resources: [this.table.tableArn] }),
        ]),
        installLatestAwsSdk: false,
        logGroup: this.seedLogGroup(),
      });
    }
  }

  /**
   * One log group with a retention for the singleton provider of every seed (the first custom resource
   * creates the provider with it), instead of one CloudWatch creates on first run and keeps forever.
   */
  private seedLogGroup(): LogGroup {
    this.seedLogs ??= new LogGroup(this, 'SeedLogs', { retention: RetentionDays.THREE_MONTHS });
    return this.seedLogs;
  }

  /**
   * Writes the validated edition config into the table on every create and update, so the deployed item
   * always equals `editions/<id>.json`. Same item as `putEditionConfig` (shared/edition/edition-store.ts, used
   * by the local runtime); the config stays a JSON string that readers parse with the same zod schema.
   */
  private seedConfig(config: EditionConfig, deployedAt: Date | undefined): void {
    const key = editionConfigKey(config.id);
    const putItem = {
      service: 'DynamoDB',
      action: 'putItem',
      parameters: {
        TableName: this.table.tableName,
        Item: {
          pk: { S: key.pk },
          sk: { S: key.sk },
          entity: { S: 'EditionConfig' },
          version: { N: '1' },
          configJson: { S: JSON.stringify(config) },
          ...(deployedAt ? { updatedAt: { S: deployedAt.toISOString() } } : {}),
        },
      },
      physicalResourceId: PhysicalResourceId.of(`${key.pk}/${key.sk}`),
    };
    new AwsCustomResource(this, 'ConfigSeed', {
      onCreate: putItem,
      onUpdate: putItem,
      // Nothing on delete: the table is retained and so is its content.
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [this.table.tableArn] }),
      ]),
      // The runtime's SDK is enough for PutItem; installing the latest one at deploy needs npm and network.
      installLatestAwsSdk: false,
      logGroup: this.seedLogGroup(),
    });
  }
}

/** DynamoDB JSON of a flat item of strings and numbers (what the custom resource's SDK call takes). */
function toAttributeValues(item: Record<string, string | number | readonly string[] | undefined>) {
  return Object.fromEntries(
    Object.entries(item)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [
        name,
        typeof value === 'number'
          ? { N: String(value) }
          : typeof value === 'string'
            ? { S: value }
            : { L: (value ?? []).map((entry) => ({ S: entry })) },
      ]),
  );
}
