import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { EditionConfig } from './edition-config.ts';

/** The edition's config item, seeded at deploy (CDK custom resource) or by the local runtime. */
export const editionConfigKey = (edition: string) => ({ pk: `EDITION#${edition}`, sk: 'CONFIG' });

const ConfigItem = z.object({
  entity: z.literal('EditionConfig'),
  version: z.number(),
  configJson: z.string(),
  /** Absent on the item the CDK seeds (a synth takes no date, so that it is reproducible). */
  updatedAt: z.optional(z.string()),
});

export interface EditionStore {
  /** The validated config; cached for a short while since every request needs it. */
  get(): Promise<EditionConfig>;
}

export function dynamoEditionStore(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  edition: string;
  now?: () => number;
  /** @default 30_000 */
  cacheMs?: number;
}): EditionStore {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 30_000;
  let cached: { config: EditionConfig; at: number } | undefined;
  return {
    async get() {
      if (cached && now() - cached.at < cacheMs) return cached.config;
      const { Item } = await options.client.send(
        new GetCommand({
          TableName: options.tableName,
          Key: editionConfigKey(options.edition),
          ConsistentRead: true,
        }),
      );
      if (!Item) throw new Error(`Edition ${options.edition} has no config item`);
      const config = EditionConfig.parse(JSON.parse(ConfigItem.parse(Item).configJson));
      cached = { config, at: now() };
      return config;
    },
  };
}

/** What the deploy-time seed writes; the local runtime uses it to mirror the CDK custom resource. */
export async function putEditionConfig(
  client: DynamoDBDocumentClient,
  tableName: string,
  config: EditionConfig,
) {
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...editionConfigKey(config.id),
        entity: 'EditionConfig',
        version: 1,
        configJson: JSON.stringify(config),
        updatedAt: new Date().toISOString(),
      },
    }),
  );
}
