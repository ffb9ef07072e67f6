/**
 * Constants from shared/ that the browser needs. shared/ modules also define zod schemas, which would
 * put zod (~450 kB) in every page, so web/build.ts evaluates this file at build time and bundles only
 * the resulting values. Types still come from the real modules.
 */

export { ROLE_LABELS, STAFF_ROLES } from '../../../shared/auth/roles.ts';
export { PHASE_LABELS, PHASES } from '../../../shared/edition/phases.ts';
export {
  CHARTER_RULE_LABELS,
  DESCRIPTION_LENGTH,
  IDEA_SORT_LABELS,
  IDEA_STATUS_LABELS,
  MAX_PICTURE_BYTES,
  MAX_PICTURES,
  PICTURE_ALT_LENGTH,
  PICTURE_TYPES,
  PLACE_LENGTH,
  PROPOSER_LABELS,
  TITLE_LENGTH,
} from '../../../shared/http/idea-schemas.ts';
export {
  ASSIGNMENT_STATUS_LABELS,
  COMMITTEE_OPINION_LABELS,
  COMMITTEE_OPINIONS,
  DECISION_OUTCOME_LABELS,
  DOSSIER_STATUS_LABELS,
  DOSSIER_STATUSES,
} from '../../../shared/http/instruction-schemas.ts';
export { MILESTONE_LABELS, REALISATION_STATUS_LABELS } from '../../../shared/http/results-schemas.ts';
/** `GET /editions/{edition}/…` route → the roles the manifest lets call it (pages never call a refused route). */
export { STAFF_READ_ACCESS } from '../../../shared/http/route-access.ts';
/** INSEE code → [name, postcodes] of the editions' communes (generated for identity; ~9 kB of data). */
export { COMMUNES } from '../../../shared/identity/communes.generated.ts';
