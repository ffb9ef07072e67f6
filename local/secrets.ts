/**
 * Secrets Manager stand-in (none exists on npm): a node:http server speaking the service's JSON 1.1
 * protocol for `GetSecretValue`, `CreateSecret` and `PutSecretValue`, reached by the SDK through
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`. Values live in memory, or in `stateFile` so that generated
 * secrets (signing seeds, HMAC keys) survive a restart of `npm start`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredSecret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  createdAt: number;
}

export interface SecretsEmulator {
  readonly endpoint: string;
  /** Creates the secret with `generate()` unless it exists; its name either way. */
  ensure(name: string, generate: () => string): Promise<string>;
  /** The current value of a secret, as `GetSecretValue` would give it (for the local stand-ins of AWS). */
  valueOf(name: string): string | undefined;
  stop(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

const failure = (res: ServerResponse, type: string, message: string) =>
  send(res, 400, { __type: type, message, Message: message });

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startSecretsEmulator(options: {
  port: number;
  region: string;
  account: string;
  stateFile?: string;
}): Promise<SecretsEmulator> {
  const secrets = new Map<string, StoredSecret>();
  if (options.stateFile && existsSync(options.stateFile)) {
    for (const secret of JSON.parse(await readFile(options.stateFile, 'utf8')) as StoredSecret[])
      secrets.set(secret.name, secret);
  }
  const persist = async () => {
    if (options.stateFile)
      await writeFile(options.stateFile, `${JSON.stringify([...secrets.values()], null, 2)}\n`);
  };
  const find = (id: unknown) =>
    typeof id === 'string' ? (secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id)) : undefined;
  const create = async (name: string, value: string) => {
    const secret: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:${options.region}:${options.account}:secret:${name}-${randomUUID().slice(0, 6)}`,
      value,
      versionId: randomUUID(),
      createdAt: Math.floor(Date.now() / 1000),
    };
    secrets.set(name, secret);
    await persist();
    return secret;
  };

  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    readJson(req)
      .then(async (input) => {
        const operation = target.replace(/^secretsmanager\./, '');
        if (operation === 'GetSecretValue') {
          const secret = find(input.SecretId);
          if (!secret)
            return failure(
              res,
              'ResourceNotFoundException',
              'Secrets Manager can’t find the specified secret.',
            );
          return send(res, 200, {
            ARN: secret.arn,
            Name: secret.name,
            SecretString: secret.value,
            VersionId: secret.versionId,
            VersionStages: ['AWSCURRENT'],
            CreatedDate: secret.createdAt,
          });
        }
        if (operation === 'CreateSecret') {
          if (typeof input.Name !== 'string' || typeof input.SecretString !== 'string')
            return failure(res, 'InvalidParameterException', 'Name and SecretString are required.');
          if (secrets.has(input.Name))
            return failure(res, 'ResourceExistsException', `The secret ${input.Name} already exists.`);
          const secret = await create(input.Name, input.SecretString);
          return send(res, 200, { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId });
        }
        if (operation === 'PutSecretValue') {
          const secret = find(input.SecretId);
          if (!secret)
            return failure(
              res,
              'ResourceNotFoundException',
              'Secrets Manager can’t find the specified secret.',
            );
          if (typeof input.SecretString !== 'string')
            return failure(res, 'InvalidParameterException', 'SecretString is required.');
          Object.assign(secret, { value: input.SecretString, versionId: randomUUID() });
          await persist();
          return send(res, 200, { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId });
        }
        return failure(res, 'UnknownOperationException', `Operation not supported locally: ${target}`);
      })
      .catch(() => failure(res, 'InternalServiceError', 'Local Secrets Manager failure'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async ensure(name, generate) {
      if (!secrets.has(name)) await create(name, generate());
      return name;
    },
    valueOf: (name) => secrets.get(name)?.value,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
