import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Identity, IdentityRepository } from '../../functions/identity/identity-repository.ts';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';

/** A document client on a local DynamoDB (test or bench stack); the caller destroys `dynamo`. */
export function localDocuments(
  dynamodbUrl: string,
  requestTimeout = 10_000,
): { dynamo: DynamoDBClient; documents: DynamoDBDocumentClient } {
  const dynamo = new DynamoDBClient({
    endpoint: dynamodbUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { requestTimeout, throwOnRequestTimeout: true },
  });
  return { dynamo, documents: createDocumentClient(dynamo) };
}

/** One identity with personal data, as identity writes it (no email code, no duplicate keys). */
export function retentionIdentity(territory: string, createdAt = new Date()): Identity {
  const citizenId = randomUUID();
  const tag = citizenId.slice(0, 8);
  return {
    citizenId,
    emailKey: `retention-email-key-${citizenId}`,
    email: `habitant-${tag}@exemple.fr`,
    firstName: 'Habitant',
    lastName: `Essai ${tag}`,
    birthDate: '1985-03-02',
    commune: '44109',
    territory,
    workOrStudy: false,
    fingerprint: `retention-fingerprint-${citizenId}`,
    status: 'verified',
    channel: 'email',
    createdAt: createdAt.toISOString(),
    published: true,
  };
}

/**
 * Creates `count` identities through the identity repository, `concurrency` at a time; their citizen ids.
 * `onProgress` is called with the number created so far, every 1,000.
 */
export async function seedIdentities(
  identities: IdentityRepository,
  territory: string,
  count: number,
  { concurrency = 16, onProgress }: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        const identity = retentionIdentity(territory);
        const created = await identities.create(identity, undefined);
        if (created !== 'created') throw new Error(`Identity not created: ${created}`);
        ids.push(identity.citizenId);
        if (ids.length % 1000 === 0) onProgress?.(ids.length);
      }
    }),
  );
  return ids;
}
