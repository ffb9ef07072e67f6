/**
 * Constants from shared/ that the browser needs. shared/ modules also define zod schemas, which would
 * put zod (~450 kB) in every page, so web/build.ts evaluates this file at build time and bundles only
 * the resulting values. Types still come from the real modules.
 */

export { ROLE_LABELS, STAFF_ROLES } from '../../../shared/auth/roles.ts';
export { PHASE_LABELS, PHASES } from '../../../shared/edition/phases.ts';
