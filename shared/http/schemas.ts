import { z } from 'zod';
import { Phase } from '../edition/phases.ts';

/**
 * HTTP request bodies of the public contract: parsed by the handlers, described in the OpenAPI
 * document, and importable by web/ for client-side checks.
 */
export const ChangePhaseBody = z.object({
  to: Phase,
  reason: z
    .string()
    .trim()
    .min(5, { message: 'Indiquez la raison du changement (5 caractères au moins)' })
    .max(500),
});
export type ChangePhaseBody = z.infer<typeof ChangePhaseBody>;

/** Body schema per route key, for the OpenAPI document. */
export const REQUEST_BODIES: Record<string, z.ZodType> = {
  'POST /api/editions/{edition}/staff/phase': ChangePhaseBody,
};
