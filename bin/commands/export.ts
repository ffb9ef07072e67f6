/**
 * `bp export --deploy <edition>.<env> [--at <date ISO>]`: the archive of an edition, before its teardown, in the
 * Data stack's archive bucket (retained, versioned), under `<edition>/<instant>/`:
 * - `table/`: the table exported by DynamoDB to that point in time (point-in-time recovery is on), the full
 *   items as DynamoDB JSON; DynamoDB writes it in the background (minutes), the command prints its ARN;
 * - `site/data/…`: the open data and public files the functions published on the site bucket;
 * - `site/uploads/…` (and `pictures/…` where the pictures have a bucket of their own): the ideas' pictures;
 * - `manifest.json`: what was archived, from where, when.
 * Nothing is deleted anywhere: the teardown (docs/operations.md) comes after, once the export is COMPLETED.
 */
import { parseArgs } from 'node:util';
import {
  DescribeTableCommand,
  DynamoDBClient,
  ExportTableToPointInTimeCommand,
} from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EXPORT } from './catalog.ts';
import type { Command } from './command.ts';
import { resolveTarget, stackResource, stackResources, TARGET_OPTIONS } from './deploy-target.ts';

const OPTIONS = { ...TARGET_OPTIONS, at: { type: 'string' }, 'dry-run': { type: 'boolean' } } as const;

/** What is copied from the Web stack's buckets, by logical id prefix of the bucket. */
const SOURCES = [
  { bucket: 'Site', prefixes: ['data/', 'uploads/'], into: 'site/' },
  { bucket: 'Pictures', prefixes: [''], into: 'pictures/' },
] as const;

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

export const exportEdition: Command = {
  ...EXPORT,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, allowPositionals: false, options: OPTIONS });
    const resolved = await resolveTarget(values);
    if (!resolved.ok) {
      for (const line of resolved.errors) io.err(line);
      return 2;
    }
    if (!resolved.target.deploy) {
      io.err('bp export travaille sur une édition déployée : --deploy <édition>.<environnement>');
      return 2;
    }
    const at = values.at ? new Date(values.at) : new Date();
    if (Number.isNaN(at.getTime()) || at.getTime() > Date.now()) {
      io.err(`--at ${values.at} : une date ISO passée est attendue (ex. 2026-11-30T18:00:00Z)`);
      return 2;
    }
    const { region, config } = resolved.target;
    const edition = config.id;
    const dryRun = values['dry-run'] ?? false;
    const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const root = `${edition}/${stamp}/`;

    const archive = await stackResource(region, edition, 'Data', 'AWS::S3::Bucket', 'Archive');
    const tableName = await stackResource(region, edition, 'Data', 'AWS::DynamoDB::GlobalTable');
    const webBuckets = (await stackResources(region, edition, 'Web')).filter(
      (r) => r.ResourceType === 'AWS::S3::Bucket',
    );
    const dynamodb = new DynamoDBClient({ region });
    const s3 = new S3Client({ region });
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
      if (!Table?.TableArn) throw new Error(`Table ${tableName} introuvable`);
      io.out(`archive s3://${archive}/${root}`);

      let exportArn = '(à blanc)';
      if (!dryRun) {
        const { ExportDescription } = await dynamodb.send(
          new ExportTableToPointInTimeCommand({
            TableArn: Table.TableArn,
            ExportTime: at,
            S3Bucket: archive,
            S3Prefix: `${root}table`,
            ExportFormat: 'DYNAMODB_JSON',
            S3SseAlgorithm: 'AES256',
            // The same instant asked twice is one export, not two.
            ClientToken: `bp-export-${edition}-${stamp}`.slice(0, 64),
          }),
        );
        exportArn = ExportDescription?.ExportArn ?? '(sans ARN)';
      }
      io.out(`table ${tableName} à ${stamp} → ${root}table (${exportArn})`);

      const copied: { from: string; count: number }[] = [];
      for (const source of SOURCES) {
        for (const bucket of webBuckets.filter((b) => b.LogicalResourceId?.startsWith(source.bucket))) {
          const name = bucket.PhysicalResourceId ?? '';
          for (const prefix of source.prefixes) {
            const keys = await listKeys(s3, name, prefix);
            for (const key of keys) {
              if (dryRun) continue;
              await s3.send(
                new CopyObjectCommand({
                  Bucket: archive,
                  Key: `${root}${source.into}${key}`,
                  CopySource: `${name}/${key.split('/').map(encodeURIComponent).join('/')}`,
                }),
              );
            }
            copied.push({ from: `s3://${name}/${prefix}`, count: keys.length });
            io.out(`${keys.length} fichier(s) de s3://${name}/${prefix} → ${root}${source.into}${prefix}`);
          }
        }
      }

      if (!dryRun) {
        const manifest = { edition, at: stamp, region, table: { name: tableName, exportArn }, copied };
        await s3.send(
          new PutObjectCommand({
            Bucket: archive,
            Key: `${root}manifest.json`,
            Body: `${JSON.stringify(manifest, null, 2)}\n`,
            ContentType: 'application/json',
          }),
        );
      }
      io.err(
        dryRun
          ? 'À blanc : rien n’a été écrit.'
          : `Suivre l’export de la table : aws dynamodb describe-export --export-arn ${exportArn} --region ${region} (attendre COMPLETED avant tout démontage)`,
      );
      return 0;
    } finally {
      dynamodb.destroy();
      s3.destroy();
    }
  },
};
