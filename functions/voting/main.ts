import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { dynamoEditionStore } from '../../shared/edition/edition-store.ts';
import { brandedMailer, editionBrand } from '../../shared/email/branding.ts';
import { sesMailer } from '../../shared/email/mailer.ts';
import { eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { dynamoCitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import { votingCodeHash } from '../../shared/identity/voting-code.ts';
import { parseFunctionEnv, platformTokenVerifier } from '../../shared/lambda/function-env.ts';
import { lazyEventBridge, lazySecretsManager, lazySes } from '../../shared/lambda/lazy-client.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { VOTING_SLICE } from '../../shared/manifest-slices/voting.generated.ts';
import { powertoolsBusinessMetrics } from '../../shared/metrics/business-metrics.ts';
import { cachedSecrets } from '../../shared/secrets/cached-secrets.ts';
import { readProjects } from '../../shared/voting/projects.ts';
import { makeHandler } from './handler.ts';
import { dynamoPaperSheetRepository } from './paper-sheet-repository.ts';
import { dynamoVotingRepository } from './voting-repository.ts';

const env = parseFunctionEnv(process.env, {
  FINGERPRINT_KEY_SECRET: z.string().check(z.minLength(1)),
  /** The edition's SESv2 configuration set: a bounce or complaint of a receipt suppresses the address. */
  MAIL_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
});

const documents = createDocumentClient(undefined, {
  accessOf: { fn: VOTING_SLICE, edition: env.EDITION_ID },
});
// Read at the first paper ballot only: online casting never needs it.
const secret = cachedSecrets(lazySecretsManager());

const editions = dynamoEditionStore({
  client: documents,
  tableName: env.TABLE_NAME,
  edition: env.EDITION_ID,
});

export const handler = makeHandler({
  edition: env.EDITION_ID,
  metrics: powertoolsBusinessMetrics(env.EDITION_ID),
  editions,
  projects: () => readProjects(documents, env.TABLE_NAME, env.EDITION_ID),
  votes: dynamoVotingRepository(documents, env.TABLE_NAME, env.EDITION_ID),
  sheets: dynamoPaperSheetRepository(documents, env.TABLE_NAME),
  votingCodeHash: async (code) =>
    votingCodeHash(await secret(env.FINGERPRINT_KEY_SECRET), env.EDITION_ID, code),
  events: eventBridgePublisher(lazyEventBridge(), env.EVENT_BUS_NAME),
  // The receipt email is a courtesy next to a ballot already stored: a slow SES must not hold the cast.
  mailer: brandedMailer(
    sesMailer(
      lazySes({
        maxAttempts: 2,
        requestHandler: { requestTimeout: 3_000, throwOnRequestTimeout: true },
      }),
      env.MAIL_FROM,
      { configurationSet: env.MAIL_CONFIGURATION_SET },
    ),
    editionBrand(editions, env.SITE_URL),
  ),
  contacts: dynamoCitizenContacts(documents, env.TABLE_NAME),
  siteUrl: env.SITE_URL.replace(/\/$/, ''),
  logger: createLogger('voting'),
  verifyToken: platformTokenVerifier(env),
  now: () => new Date(),
  newId: randomUUID,
});
