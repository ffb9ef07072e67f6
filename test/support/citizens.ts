import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { dynamoIdentityRepository, type Identity } from '../../functions/identity/identity-repository.ts';
import { citizenTokenSigner } from '../../functions/identity/signing-key.ts';
import { citizenIssuer } from '../../shared/auth/citizen-tokens.ts';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';

/** Where a running local stack is (test StackContext or the bench's own stack). */
export interface CitizenFactoryTarget {
  siteUrl: string;
  dynamodbUrl: string;
  secretsUrl: string;
  tableName: string;
  edition: string;
}

export interface SeededCitizen {
  citizenId: string;
  territory: string;
  token: string;
  /** The address on the identity item (where notifications write to). */
  email: string;
}

/**
 * Verified citizens without the email-code round trip (thousands of them for load tests): identity items
 * written with the identity function's own repository, tokens signed with the key the identity function
 * derives from the same secret, so the voting function trusts them exactly as real sessions.
 */
export async function citizenFactory(target: CitizenFactoryTarget) {
  const secrets = new SecretsManagerClient({
    endpoint: target.secretsUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { SecretString: seed } = await secrets.send(
    new GetSecretValueCommand({ SecretId: `bp-${target.edition}-citizen-signing-seed` }),
  );
  secrets.destroy();
  if (!seed) throw new Error('No citizen signing seed in the local Secrets Manager');
  const signer = await citizenTokenSigner({
    seed,
    issuer: citizenIssuer(target.siteUrl, target.edition).issuer,
    edition: target.edition,
  });
  const dynamo = new DynamoDBClient({
    endpoint: target.dynamodbUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
  const documents = createDocumentClient(dynamo);
  const identities = dynamoIdentityRepository(documents, target.tableName);

  return {
    documents,
    /** One verified (or `held`, or in-person) identity of `territory`, and a valid session token for it. */
    async create(
      territory: string,
      overrides: Partial<Pick<Identity, 'status' | 'channel'>> = {},
    ): Promise<SeededCitizen> {
      const citizenId = randomUUID();
      const tag = citizenId.slice(0, 8);
      const identity: Identity = {
        citizenId,
        emailKey: `test-email-key-${citizenId}`,
        email: `votant-${tag}@exemple.fr`,
        firstName: 'Votant',
        lastName: `Essai ${tag}`,
        birthDate: '1985-03-02',
        commune: '44109',
        territory,
        workOrStudy: false,
        fingerprint: `test-fingerprint-${citizenId}`,
        status: overrides.status ?? 'verified',
        channel: overrides.channel ?? 'email',
        createdAt: new Date().toISOString(),
        published: true,
      };
      const created = await identities.create(identity, undefined);
      if (created !== 'created') throw new Error(`Identity not created: ${created}`);
      const status = identity.status === 'held' ? 'held' : 'verified';
      const { token } = await signer.sign({ citizenId, territory, status }, new Date());
      return { citizenId, territory, token, email: identity.email };
    },
    /** `count` citizens of `territory`, created `concurrency` at a time. */
    async createMany(territory: string, count: number, concurrency = 16): Promise<SeededCitizen[]> {
      const out: SeededCitizen[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            next++;
            out.push(await this.create(territory));
          }
        }),
      );
      return out;
    },
    close: () => dynamo.destroy(),
  };
}
