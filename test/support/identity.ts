import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { keyedHash } from '../../functions/identity/keyed-hash.ts';
import { readMailbox } from '../../local/ses.ts';
import { type ApiResponse, api, eventually } from './api.ts';
import type { StackContext } from './stack-context.ts';

export interface TestProfile {
  firstName: string;
  lastName: string;
  birthDate: string;
  commune?: string;
  postcode?: string;
  workOrStudy?: boolean;
}

/** An adult living in Nantes (44109), territory of the demo edition. */
export const NANTAISE: TestProfile = {
  firstName: 'Camille',
  lastName: 'Le Goff',
  birthDate: '1990-05-14',
  commune: '44109',
};

/** A person no other test uses: the same profile twice would be a suspected duplicate (and `held`). */
export function uniquePerson(overrides: Partial<TestProfile> = {}): TestProfile {
  const letters = randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8);
  return { ...NANTAISE, lastName: `Le Goff ${letters}`, ...overrides };
}

export const uniqueEmail = (tag = 'habitant') => `${tag}-${randomUUID().slice(0, 8)}@exemple.fr`;

export const identityPath = (stack: StackContext, rest: string) => `/api/editions/${stack.edition}${rest}`;

export function requestCode(stack: StackContext, email: string): Promise<ApiResponse> {
  return api(stack, 'POST', identityPath(stack, '/identity/code'), { body: { email } });
}

/** The newest code sent to `email`, read back from the SES emulator's store. */
export async function readCode(stack: StackContext, email: string, after = 0): Promise<string> {
  return eventually(async () => {
    const mails = (await readMailbox(stack.mailboxUrl)).filter(
      (mail) => mail.destination.to.includes(email) && mail.subject.includes('code de vérification'),
    );
    const mail = mails.at(-1);
    if (!mail || mails.length <= after) return undefined;
    return mail.subject.match(/(\d{6})$/)?.[1];
  });
}

export function openSession(
  stack: StackContext,
  body: { email: string; code: string; profile?: TestProfile },
): Promise<ApiResponse> {
  return api(stack, 'POST', identityPath(stack, '/identity/session'), { body });
}

/** Code by email, read from the mailbox, then a session: the whole sign-in of a citizen. */
export async function signInCitizen(
  stack: StackContext,
  profile: TestProfile | undefined = uniquePerson(),
  email = uniqueEmail(),
): Promise<{ email: string; response: ApiResponse; token: string }> {
  const sent = await requestCode(stack, email);
  if (sent.status !== 202) throw new Error(`code: ${sent.status} ${JSON.stringify(sent.body)}`);
  const code = await readCode(stack, email);
  const response = await openSession(stack, { email, code, ...(profile ? { profile } : {}) });
  return { email, response, token: response.body?.token };
}

/** The keyed hashes of the running stack, from its local Secrets Manager (to reach items in tests). */
export async function stackHash(stack: StackContext) {
  const client = new SecretsManagerClient({
    endpoint: stack.secretsUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { SecretString } = await client.send(
      new GetSecretValueCommand({ SecretId: `bp-${stack.edition}-fingerprint-key` }),
    );
    return keyedHash(SecretString ?? '', stack.edition);
  } finally {
    client.destroy();
  }
}

export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}
