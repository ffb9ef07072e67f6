import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Idea } from '../../functions/ideas/idea.ts';
import { seedStaffPool, signIn } from '../../local/cognito.ts';
import { REGION } from '../../local/stack.ts';
import { STAFF_ROLES } from '../../shared/auth/roles.ts';
import { fireScheduleOnce } from './local-bus.ts';
import type { StackContext } from './stack-context.ts';

const local = { region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/**
 * A published idea written straight into the table, with the ideas function's own schema: instruction tests
 * need published ideas without touching the call for ideas' window (other test files check it is closed).
 */
export async function seedPublishedIdea(
  stack: StackContext,
  documents: DynamoDBDocumentClient,
  input: { authorIds: string[]; territory: string; theme: string; title: string; proposerName?: string },
): Promise<string> {
  const ideaId = randomUUID();
  const at = new Date().toISOString();
  const idea = Idea.parse({
    ideaId,
    authorId: input.authorIds[0],
    authorIds: input.authorIds,
    status: 'published',
    title: input.title,
    description: 'Une idée d’essai pour l’instruction, décrite en plus de vingt caractères.',
    theme: input.theme,
    territory: input.territory,
    estimatedCost: 12_000,
    proposer: input.proposerName ? { kind: 'association', name: input.proposerName } : { kind: 'individual' },
    submittedAt: at,
    updatedAt: at,
    publishedAt: at,
    mergedFrom: [],
    revision: 2,
  });
  await documents.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: {
        pk: `IDEA#${ideaId}`,
        sk: 'IDEA',
        entity: 'Idea',
        version: 1,
        gsi1pk: 'IDEAS#published',
        gsi1sk: `${at}#${ideaId}`,
        ...idea,
      },
    }),
  );
  return ideaId;
}

/** The edition's action-link key, as the functions read it from the local Secrets Manager. */
export async function actionLinkKey(stack: StackContext): Promise<string> {
  const client = new SecretsManagerClient({ endpoint: stack.secretsUrl, ...local });
  try {
    const { SecretString } = await client.send(
      new GetSecretValueCommand({ SecretId: `bp-${stack.edition}-action-link-key` }),
    );
    if (!SecretString) throw new Error('No action-link-key in the local Secrets Manager');
    return SecretString;
  } finally {
    client.destroy();
  }
}

/** An instructor account of another service (the demo seeds one for the first service only). */
export async function instructorOf(stack: StackContext, service: string, email: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bp-instructor-'));
  try {
    const stateFile = join(dir, 'pool.json');
    await writeFile(
      stateFile,
      JSON.stringify({
        edition: stack.edition,
        userPoolId: stack.cognito.userPoolId,
        clientId: stack.cognito.clientId,
      }),
    );
    const user = {
      username: email,
      email,
      password: 'Essai-instructeur-2026!',
      groups: ['instructor'],
      service,
    };
    const pool = await seedStaffPool({
      endpoint: stack.cognitoUrl,
      edition: stack.edition,
      stateFile,
      users: [user],
      groups: STAFF_ROLES,
    });
    return (await signIn(pool, stack.cognitoUrl, user.username, user.password)).idToken;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Fires the instruction's daily deadline input through the local Scheduler as if its occurrence were
 * `scheduledAt` (the functions run on the real date in tests, the bus clock on the demo's 2023 calendar).
 */
export function fireDeadlines(stack: StackContext, scheduledAt: Date): Promise<void> {
  return fireScheduleOnce(stack, 'instruction', {
    kind: 'instruction-deadlines',
    scheduledAt: scheduledAt.toISOString(),
  });
}

export { type BusEvent, busEvents } from './local-bus.ts';
