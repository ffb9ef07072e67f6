import { randomInt, randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { citizenIssuer } from '../../shared/auth/citizen-tokens.ts';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { dynamoEditionStore } from '../../shared/edition/edition-store.ts';
import { brandedMailer, editionBrand } from '../../shared/email/branding.ts';
import { sesMailer } from '../../shared/email/mailer.ts';
import { eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { parseFunctionEnv, platformTokenVerifier } from '../../shared/lambda/function-env.ts';
import { lazyEventBridge, lazySecretsManager, lazySes } from '../../shared/lambda/lazy-client.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { IDENTITY_SLICE } from '../../shared/manifest-slices/identity.generated.ts';
import { powertoolsBusinessMetrics } from '../../shared/metrics/business-metrics.ts';
import { dynamoCitizenRecords } from '../../shared/personal-data/citizen-records.ts';
import { cachedSecrets, once } from '../../shared/secrets/cached-secrets.ts';
import { makeHandler } from './handler.ts';
import { dynamoIdentityRepository } from './identity-repository.ts';
import { keyedHash } from './keyed-hash.ts';
import { dynamoRateLimiter } from './rate-limiter.ts';
import { newVotingCode } from './register-in-person.ts';
import { DEFAULT_CODE_POLICY } from './request-code.ts';
import { citizenTokenSigner } from './signing-key.ts';

const env = parseFunctionEnv(process.env, {
  CITIZEN_SIGNING_SEED_SECRET: z.string().check(z.minLength(1)),
  FINGERPRINT_KEY_SECRET: z.string().check(z.minLength(1)),
  ORIGIN_VERIFY_SECRET: z.string().check(z.minLength(1)),
  /** The edition's SESv2 configuration set: a bounce or complaint of a code suppresses the address. */
  MAIL_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /**
   * Optional overrides of the code policy (a load test from one address, say); the client limit applies to
   * code requests and to codes typed alike.
   */
  CODE_LIMIT_PER_CLIENT_HOUR: z.optional(z.coerce.number().check(z.int(), z.positive())),
  CODE_LIMIT_PER_EMAIL_HOUR: z.optional(z.coerce.number().check(z.int(), z.positive())),
});

const documents = createDocumentClient(undefined, {
  accessOf: { fn: IDENTITY_SLICE, edition: env.EDITION_ID },
});
const secret = cachedSecrets(lazySecretsManager());
const citizens = citizenIssuer(env.SITE_URL, env.EDITION_ID);

const editions = dynamoEditionStore({
  client: documents,
  tableName: env.TABLE_NAME,
  edition: env.EDITION_ID,
});

export const handler = makeHandler({
  edition: env.EDITION_ID,
  metrics: powertoolsBusinessMetrics(env.EDITION_ID),
  editions,
  identities: dynamoIdentityRepository(documents, env.TABLE_NAME),
  records: dynamoCitizenRecords(documents, env.TABLE_NAME, env.EDITION_ID),
  limiter: dynamoRateLimiter(documents, env.TABLE_NAME),
  mailer: brandedMailer(
    sesMailer(lazySes(), env.MAIL_FROM, { configurationSet: env.MAIL_CONFIGURATION_SET }),
    editionBrand(editions, env.SITE_URL),
  ),
  events: eventBridgePublisher(lazyEventBridge(), env.EVENT_BUS_NAME),
  keys: once(async () => {
    const [seed, fingerprintKey, originSecret] = await Promise.all([
      secret(env.CITIZEN_SIGNING_SEED_SECRET),
      secret(env.FINGERPRINT_KEY_SECRET),
      secret(env.ORIGIN_VERIFY_SECRET),
    ]);
    return {
      originSecret,
      hash: keyedHash(fingerprintKey, env.EDITION_ID),
      signer: await citizenTokenSigner({ seed, issuer: citizens.issuer, edition: env.EDITION_ID }),
    };
  }),
  policy: {
    ...DEFAULT_CODE_POLICY,
    ...(env.CODE_LIMIT_PER_CLIENT_HOUR
      ? {
          perClientPerHour: env.CODE_LIMIT_PER_CLIENT_HOUR,
          attemptsPerClientPerHour: env.CODE_LIMIT_PER_CLIENT_HOUR,
        }
      : {}),
    ...(env.CODE_LIMIT_PER_EMAIL_HOUR ? { perEmailPerHour: env.CODE_LIMIT_PER_EMAIL_HOUR } : {}),
  },
  logger: createLogger('identity'),
  verifyToken: platformTokenVerifier(env),
  now: () => new Date(),
  newId: randomUUID,
  newCode: () => String(randomInt(0, 1_000_000)).padStart(6, '0'),
  newVotingCode: () => newVotingCode(),
});
