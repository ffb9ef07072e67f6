import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import type { IdentityRepository } from './identity-repository.ts';

/** When the personal data of the edition must be gone: `personalDataRetentionDays` after the results. */
export function retentionDate(config: EditionConfig): Date {
  const results = toInstant(config.calendar.resultsAt, config.timeZone);
  return new Date(results.getTime() + config.personalDataRetentionDays * 86_400_000);
}

/**
 * RGPD retention: once `retentionDate` has passed, erases the personal data of every identity of the
 * edition, as `DELETE .../me` does (the pseudonymous ids and keyed hashes stay, so has-voted markers still
 * apply). Run daily by a schedule; idempotent (erased identities are skipped), so a retry or a second run
 * changes nothing.
 */
export async function eraseExpiredData(
  deps: { identities: IdentityRepository; now: () => Date },
  config: EditionConfig,
): Promise<{ due: boolean; erased: number }> {
  const now = deps.now();
  if (now.getTime() < retentionDate(config).getTime()) return { due: false, erased: 0 };
  const ids = await deps.identities.listUnerased();
  for (const citizenId of ids) await deps.identities.erase(citizenId, now);
  return { due: true, erased: ids.length };
}
