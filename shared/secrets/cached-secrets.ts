import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ClientSource, resolveClient } from '../lambda/lazy-client.ts';

/** Reads a secret's string once per process (cold start); a failed read is retried at the next call. */
export function cachedSecrets(client: ClientSource<SecretsManagerClient>) {
  const cache = new Map<string, Promise<string>>();
  return (secretId: string): Promise<string> => {
    let value = cache.get(secretId);
    if (!value) {
      // The package is loaded at the first read, not at the function's load (lazy-client.ts).
      value = Promise.all([import('@aws-sdk/client-secrets-manager'), resolveClient(client)])
        .then(([{ GetSecretValueCommand }, secrets]) =>
          secrets.send(new GetSecretValueCommand({ SecretId: secretId })),
        )
        .then((result) => {
          if (!result.SecretString) throw new Error(`Secret ${secretId} has no string value`);
          return result.SecretString;
        });
      value.catch(() => cache.delete(secretId));
      cache.set(secretId, value);
    }
    return value;
  };
}

/** Memoises an async factory; a rejection is forgotten so the next call tries again. */
export function once<T>(factory: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      pending = factory();
      pending.catch(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}
