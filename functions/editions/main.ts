import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { dynamoEditionStore } from '../../shared/edition/edition-store.ts';
import { eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { parseFunctionEnv, platformTokenVerifier } from '../../shared/lambda/function-env.ts';
import { lazyEventBridge } from '../../shared/lambda/lazy-client.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { EDITIONS_SLICE } from '../../shared/manifest-slices/editions.generated.ts';
import { readProjects } from '../../shared/voting/projects.ts';
import { makeHandler } from './handler.ts';
import { dynamoPhaseRepository } from './phase-repository.ts';

const env = parseFunctionEnv(process.env);

const documents = createDocumentClient(undefined, {
  accessOf: { fn: EDITIONS_SLICE, edition: env.EDITION_ID },
});

export const handler = makeHandler({
  edition: env.EDITION_ID,
  editions: dynamoEditionStore({ client: documents, tableName: env.TABLE_NAME, edition: env.EDITION_ID }),
  phases: dynamoPhaseRepository(documents, env.TABLE_NAME, env.EDITION_ID),
  projects: () => readProjects(documents, env.TABLE_NAME, env.EDITION_ID),
  events: eventBridgePublisher(lazyEventBridge(), env.EVENT_BUS_NAME),
  logger: createLogger('editions'),
  verifyToken: platformTokenVerifier(env),
  now: () => new Date(),
  newId: randomUUID,
});
