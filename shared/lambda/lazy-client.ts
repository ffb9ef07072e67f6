/**
 * AWS SDK clients made at their first use rather than when a function's module loads: each service package's
 * code costs a cold start CPU to run (bench:bundles), and most requests need only DynamoDB (made at load, in
 * main.ts, as usual). EventBridge (writes only), SES (a few routes) and Secrets Manager (first request of some
 * routes) are loaded when a request first needs them, once per process; in a function's bundle, which carries the
 * SDK, esbuild turns each `import()` into code run then.
 */

import type { EventBridgeClient, EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type { SESv2Client, SESv2ClientConfig } from '@aws-sdk/client-sesv2';

/** A client, or a function that makes it when it is first needed (unit tests pass a client). */
export type ClientSource<C extends object> = C | (() => Promise<C>);

export async function resolveClient<C extends object>(source: ClientSource<C>): Promise<C> {
  return typeof source === 'function' ? source() : source;
}

/**
 * Loads the SDK package with `load` (an `import()`: esbuild turns it into a `require` run then, not at load)
 * and makes the client with `make`, at the first call; later calls share it. A failed load is tried again.
 */
export function lazyClient<M, C extends object>(
  load: () => Promise<M>,
  make: (sdk: M) => C,
): () => Promise<C> {
  let client: Promise<C> | undefined;
  return () => {
    if (!client) {
      client = load().then(make);
      client.catch(() => {
        client = undefined;
      });
    }
    return client;
  };
}

export const lazyEventBridge = (config: EventBridgeClientConfig = {}): (() => Promise<EventBridgeClient>) =>
  lazyClient(
    () => import('@aws-sdk/client-eventbridge'),
    (sdk) => new sdk.EventBridgeClient(config),
  );

export const lazySes = (config: SESv2ClientConfig = {}): (() => Promise<SESv2Client>) =>
  lazyClient(
    () => import('@aws-sdk/client-sesv2'),
    (sdk) => new sdk.SESv2Client(config),
  );

export const lazySecretsManager = (
  config: SecretsManagerClientConfig = {},
): (() => Promise<SecretsManagerClient>) =>
  lazyClient(
    () => import('@aws-sdk/client-secrets-manager'),
    (sdk) => new sdk.SecretsManagerClient(config),
  );
