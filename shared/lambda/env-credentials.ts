/**
 * What `@aws-sdk/credential-provider-node` becomes in a function's bundle (lib/constructs/bp-function.ts aliases
 * it here; nothing imports this file otherwise). The SDK's default chain brings every way of finding credentials
 * (profiles, SSO, web identity through STS, container and instance metadata, processes) and the clients they call:
 * ~90 kB of each bundle and about half the time the SDK took to load (bench:bundles). A Lambda function has one
 * way only: its execution role's credentials, which the runtime puts in the environment (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), as the local runtime and bench:bundles do too. The SDK's own env
 * provider reads them.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same call shape as the chain it replaces: the SDK calls it with the client's config. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> =>
  fromEnv(init);
