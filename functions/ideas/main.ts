import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { dynamoEditionStore } from '../../shared/edition/edition-store.ts';
import { eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { parseFunctionEnv, platformTokenVerifier } from '../../shared/lambda/function-env.ts';
import { lazyEventBridge } from '../../shared/lambda/lazy-client.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { IDEAS_SLICE } from '../../shared/manifest-slices/ideas.generated.ts';
import { powertoolsBusinessMetrics } from '../../shared/metrics/business-metrics.ts';
import { siteS3Client, siteWriterFromEnv } from '../../shared/site/site-writer.ts';
import { s3UploadPresigner } from '../../shared/site/upload-presigner.ts';
import { makeHandler } from './handler.ts';
import { dynamoIdeaPaths } from './idea-paths.ts';
import { dynamoIdeaRepository } from './idea-repository.ts';
import { dynamoSupportRepository } from './support-repository.ts';

// The static public list goes to the site bucket (AWS, granted `data/*` only) or the served folder (local).
const env = parseFunctionEnv(process.env, {
  SITE_BUCKET: z.optional(z.string().check(z.minLength(1))),
  /** Idea pictures (the Web stack's pictures bucket, the S3 emulator's locally). */
  PICTURES_BUCKET: z.optional(z.string().check(z.minLength(1))),
  SITE_DIR: z.optional(z.string().check(z.minLength(1))),
  AWS_REGION: z.optional(z.string().check(z.minLength(1))),
});
const site = siteWriterFromEnv(env);
if (!site)
  throw new Error('ideas: SITE_BUCKET (AWS) or SITE_DIR (local) must name where the public list goes');

const documents = createDocumentClient(undefined, {
  accessOf: { fn: IDEAS_SLICE, edition: env.EDITION_ID },
});

export const handler = makeHandler({
  edition: env.EDITION_ID,
  metrics: powertoolsBusinessMetrics(env.EDITION_ID),
  editions: dynamoEditionStore({ client: documents, tableName: env.TABLE_NAME, edition: env.EDITION_ID }),
  ideas: dynamoIdeaRepository(documents, env.TABLE_NAME, env.EDITION_ID),
  paths: dynamoIdeaPaths(documents, env.TABLE_NAME, env.EDITION_ID),
  supports: dynamoSupportRepository(documents, env.TABLE_NAME),
  site,
  // Pictures go straight from the browser to the pictures bucket (the S3 emulator locally); without one, none.
  uploads: env.PICTURES_BUCKET
    ? s3UploadPresigner({ bucket: env.PICTURES_BUCKET, client: siteS3Client(env) })
    : undefined,
  events: eventBridgePublisher(lazyEventBridge(), env.EVENT_BUS_NAME),
  logger: createLogger('ideas'),
  verifyToken: platformTokenVerifier(env),
  now: () => new Date(),
  newId: randomUUID,
});
