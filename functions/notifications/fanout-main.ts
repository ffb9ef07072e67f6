import * as z from 'zod/mini';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { dynamoEditionStore } from '../../shared/edition/edition-store.ts';
import { brandedMailer, editionBrand } from '../../shared/email/branding.ts';
import { faultInjectingMailer } from '../../shared/email/fault-injecting-mailer.ts';
import { sesMailer } from '../../shared/email/mailer.ts';
import { eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { dynamoCitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import { parseFunctionEnv } from '../../shared/lambda/function-env.ts';
import { lazyEventBridge, lazySecretsManager, lazySes } from '../../shared/lambda/lazy-client.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { MAIL_FANOUT_SLICE } from '../../shared/manifest-slices/mail-fanout.generated.ts';
import { cachedSecrets, once } from '../../shared/secrets/cached-secrets.ts';
import { dynamoEmailLog } from './email-log-repository.ts';
import { makeFanoutHandler } from './fanout-handler.ts';
import { dynamoProjectFollowers } from './notify-realisation-updated.ts';
import { dynamoResultsAudience } from './notify-results-published.ts';
import { dynamoSuppressionList } from './suppression-list.ts';

const env = parseFunctionEnv(process.env, {
  ACTION_LINK_KEY_SECRET: z.string().check(z.minLength(1)),
  /** The SESv2 configuration set of the edition's mail (bounces and complaints suppress the address). */
  MAIL_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /** Test hook of the local runtime only (shared/email/fault-injecting-mailer.ts). */
  MAIL_FAULT_DOMAIN: z.optional(z.string().check(z.minLength(1))),
  /** Sends a second per invocation: the account's SES rate over the function's reserved concurrency; 0: no pace. */
  MAIL_FANOUT_SENDS_PER_SECOND: z._default(z.coerce.number().check(z.minimum(0)), 7),
  MAIL_FANOUT_BATCH_SIZE: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(500))),
});

const documents = createDocumentClient(undefined, {
  accessOf: { fn: MAIL_FANOUT_SLICE, edition: env.EDITION_ID },
});
const secret = cachedSecrets(lazySecretsManager());
const linkKey = once(() => secret(env.ACTION_LINK_KEY_SECRET));

const siteUrl = env.SITE_URL.replace(/\/$/, '');
const editions = dynamoEditionStore({
  client: documents,
  tableName: env.TABLE_NAME,
  edition: env.EDITION_ID,
});

export const handler = makeFanoutHandler({
  edition: env.EDITION_ID,
  editions,
  log: dynamoEmailLog(documents, env.TABLE_NAME, env.EDITION_ID),
  // The Département's header, as the notifications function gives every other email (shared/email/branding.ts).
  mailer: faultInjectingMailer(
    brandedMailer(
      sesMailer(lazySes(), env.MAIL_FROM, { configurationSet: env.MAIL_CONFIGURATION_SET }),
      editionBrand(editions, siteUrl),
    ),
    env.MAIL_FAULT_DOMAIN,
  ),
  logger: createLogger('mail-fanout'),
  now: () => new Date(),
  siteUrl,
  contacts: dynamoCitizenContacts(documents, env.TABLE_NAME),
  audience: dynamoResultsAudience(documents, env.TABLE_NAME, env.EDITION_ID),
  followers: dynamoProjectFollowers(documents, env.TABLE_NAME, env.EDITION_ID),
  suppressions: dynamoSuppressionList(documents, env.TABLE_NAME, linkKey),
  events: eventBridgePublisher(lazyEventBridge(), env.EVENT_BUS_NAME),
  sendsPerSecond: env.MAIL_FANOUT_SENDS_PER_SECOND,
  ...(env.MAIL_FANOUT_BATCH_SIZE ? { batchSize: env.MAIL_FANOUT_BATCH_SIZE } : {}),
});
