import * as z from 'zod/mini';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { dynamoEditionStore } from '../../shared/edition/edition-store.ts';
import { brandedMailer, editionBrand } from '../../shared/email/branding.ts';
import { faultInjectingMailer } from '../../shared/email/fault-injecting-mailer.ts';
import { sesMailer } from '../../shared/email/mailer.ts';
import { signedPageCursors } from '../../shared/http/page-cursor.ts';
import { dynamoCitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import { parseFunctionEnv, platformTokenVerifier } from '../../shared/lambda/function-env.ts';
import { lazySecretsManager, lazySes } from '../../shared/lambda/lazy-client.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { NOTIFICATIONS_SLICE } from '../../shared/manifest-slices/notifications.generated.ts';
import { cachedSecrets, once } from '../../shared/secrets/cached-secrets.ts';
import { signedEmailLinks } from './email-links.ts';
import { dynamoEmailLog } from './email-log-repository.ts';
import { makeHandler } from './handler.ts';
import { dynamoIdeaDossiers } from './idea-dossiers.ts';
import { dynamoIdeaTitles } from './idea-titles.ts';
import { dynamoSuppressionList } from './suppression-list.ts';

const env = parseFunctionEnv(process.env, {
  ACTION_LINK_KEY_SECRET: z.string().check(z.minLength(1)),
  PAGE_CURSOR_KEY_SECRET: z.string().check(z.minLength(1)),
  /** The SESv2 configuration set whose bounces and complaints come back as events (deployed stacks only). */
  MAIL_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /** Test hook of the local runtime only (shared/email/fault-injecting-mailer.ts). */
  MAIL_FAULT_DOMAIN: z.optional(z.string().check(z.minLength(1))),
});

const documents = createDocumentClient(undefined, {
  accessOf: { fn: NOTIFICATIONS_SLICE, edition: env.EDITION_ID },
});
const secret = cachedSecrets(lazySecretsManager());
const linkKey = once(() => secret(env.ACTION_LINK_KEY_SECRET));
const now = () => new Date();
const siteUrl = env.SITE_URL.replace(/\/$/, '');

const editions = dynamoEditionStore({
  client: documents,
  tableName: env.TABLE_NAME,
  edition: env.EDITION_ID,
});

export const handler = makeHandler({
  editions,
  log: dynamoEmailLog(documents, env.TABLE_NAME, env.EDITION_ID),
  mailer: faultInjectingMailer(
    brandedMailer(
      sesMailer(lazySes(), env.MAIL_FROM, { configurationSet: env.MAIL_CONFIGURATION_SET }),
      editionBrand(editions, siteUrl),
    ),
    env.MAIL_FAULT_DOMAIN,
  ),
  logger: createLogger('notifications'),
  now,
  siteUrl,
  contacts: dynamoCitizenContacts(documents, env.TABLE_NAME),
  titles: dynamoIdeaTitles(documents, env.TABLE_NAME),
  edition: env.EDITION_ID,
  verifyToken: platformTokenVerifier(env),
  suppressions: dynamoSuppressionList(documents, env.TABLE_NAME, linkKey),
  links: signedEmailLinks({ key: linkKey, edition: env.EDITION_ID, siteUrl, now }),
  linkKey,
  cursors: signedPageCursors(() => secret(env.PAGE_CURSOR_KEY_SECRET)),
  dossiers: dynamoIdeaDossiers(documents, env.TABLE_NAME),
});
