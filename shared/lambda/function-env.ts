import * as z from 'zod/mini';
import { citizenIssuer } from '../auth/citizen-tokens.ts';
import { createTokenVerifier, type VerifyToken } from '../auth/token-verifier.ts';

/**
 * What every function's environment holds (`FUNCTION_ENV` in shared/manifest.ts, set on each function by
 * lib/constructs/bp-function.ts and by the local runtime). A main.ts passes `process.env` and the extra
 * variables it alone needs.
 */
const BaseEnv = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  EDITION_ID: z.string().check(z.minLength(1)),
  MAIL_FROM: z.email(),
  SITE_URL: z.url(),
  STAFF_ISSUER: z.url(),
  STAFF_AUDIENCE: z.string().check(z.minLength(1)),
});
export type BaseEnv = z.infer<typeof BaseEnv>;

export function parseFunctionEnv<Extra extends z.core.$ZodLooseShape = Record<never, never>>(
  source: Record<string, string | undefined>,
  extra?: Extra,
): BaseEnv & z.infer<z.ZodMiniObject<Extra>> {
  return z.extend(BaseEnv, extra ?? ({} as Extra)).parse(source) as BaseEnv & z.infer<z.ZodMiniObject<Extra>>;
}

/** Staff (Cognito) and citizen (identity function) tokens, the two issuers every function trusts. */
export function platformTokenVerifier(env: BaseEnv): VerifyToken {
  return createTokenVerifier([
    { issuer: env.STAFF_ISSUER, audience: env.STAFF_AUDIENCE },
    citizenIssuer(env.SITE_URL, env.EDITION_ID),
  ]);
}
