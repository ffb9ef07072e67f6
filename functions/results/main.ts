import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import { citizenIssuer } from '../../shared/auth/citizen-tokens.ts';
import { createTokenVerifier } from '../../shared/auth/token-verifier.ts';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { makeHandler } from './handler.ts';
import { dynamoResultsRepository } from './results-repository.ts';

const env = z
  .object({
    TABLE_NAME: z.string().min(1),
    EVENT_BUS_NAME: z.string().min(1),
    EDITION_ID: z.string().min(1),
    STAFF_ISSUER: z.url(),
    STAFF_AUDIENCE: z.string().min(1),
    SITE_URL: z.url(),
  })
  .parse(process.env);

const documents = createDocumentClient();

export const handler = makeHandler({
  edition: env.EDITION_ID,
  results: dynamoResultsRepository(documents, env.TABLE_NAME, env.EDITION_ID),
  events: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  logger: createLogger('results'),
  verifyToken: createTokenVerifier([
    { issuer: env.STAFF_ISSUER, audience: env.STAFF_AUDIENCE },
    citizenIssuer(env.SITE_URL, env.EDITION_ID),
  ]),
  now: () => new Date(),
  newId: randomUUID,
});
