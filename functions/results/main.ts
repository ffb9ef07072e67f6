import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { parseFunctionEnv, platformTokenVerifier } from '../../shared/lambda/function-env.ts';
import { lazyEventBridge } from '../../shared/lambda/lazy-client.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { RESULTS_SLICE } from '../../shared/manifest-slices/results.generated.ts';
import { dynamoFollowUpRepository } from './follow-up-repository.ts';
import { makeHandler } from './handler.ts';
import { dynamoResultsRepository } from './results-repository.ts';

const env = parseFunctionEnv(process.env);

const documents = createDocumentClient(undefined, {
  accessOf: { fn: RESULTS_SLICE, edition: env.EDITION_ID },
});

export const handler = makeHandler({
  edition: env.EDITION_ID,
  results: dynamoResultsRepository(documents, env.TABLE_NAME, env.EDITION_ID),
  followUp: dynamoFollowUpRepository(documents, env.TABLE_NAME, env.EDITION_ID),
  events: eventBridgePublisher(lazyEventBridge(), env.EVENT_BUS_NAME),
  logger: createLogger('results'),
  verifyToken: platformTokenVerifier(env),
  now: () => new Date(),
  newId: randomUUID,
});
