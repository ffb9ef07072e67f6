import * as z from 'zod/mini';
import { Phase } from './phases.ts';

/**
 * The current phase item, owned and written by the editions function (functions/editions/phase-repository.ts).
 * Other contexts read it, or check it inside their own transactions (voting checks `current = vote` in the
 * same TransactWriteItems as the ballot), so its key and shape live here.
 */
export const phaseStateKey = (edition: string) => ({ pk: `EDITION#${edition}`, sk: 'PHASE' });

export const StoredPhase = z.object({
  current: Phase,
  since: z.string(),
  version: z.number().check(z.int()),
});
export type StoredPhase = z.infer<typeof StoredPhase>;
