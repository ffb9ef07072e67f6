import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { dynamoEditionStore } from '../../shared/edition/edition-store.ts';
import { eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { parseFunctionEnv, platformTokenVerifier } from '../../shared/lambda/function-env.ts';
import { lazyEventBridge, lazySecretsManager } from '../../shared/lambda/lazy-client.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { INSTRUCTION_SLICE } from '../../shared/manifest-slices/instruction.generated.ts';
import { cachedSecrets } from '../../shared/secrets/cached-secrets.ts';
import { makeHandler } from './handler.ts';
import { dynamoInstructionRepository } from './instruction-repository.ts';

const env = parseFunctionEnv(process.env, { ACTION_LINK_KEY_SECRET: z.string().check(z.minLength(1)) });

const documents = createDocumentClient(undefined, {
  accessOf: { fn: INSTRUCTION_SLICE, edition: env.EDITION_ID },
});
const secret = cachedSecrets(lazySecretsManager());

export const handler = makeHandler({
  edition: env.EDITION_ID,
  editions: dynamoEditionStore({ client: documents, tableName: env.TABLE_NAME, edition: env.EDITION_ID }),
  repository: dynamoInstructionRepository(documents, env.TABLE_NAME, env.EDITION_ID),
  events: eventBridgePublisher(lazyEventBridge(), env.EVENT_BUS_NAME),
  actionLinkKey: () => secret(env.ACTION_LINK_KEY_SECRET),
  logger: createLogger('instruction'),
  verifyToken: platformTokenVerifier(env),
  now: () => new Date(),
  newId: randomUUID,
});
