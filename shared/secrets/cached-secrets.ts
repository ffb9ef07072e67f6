import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads a secret's string once per process (cold start); a failed read is retried at the next call. */
export function cachedSecrets(client: SecretsManagerClient) {
  const cache = new Map<string, Promise<string>>();
  return (secretId: string): Promise<string> => {
    let value = cache.get(secretId);
    if (!value) {
      value = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((result) => {
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
