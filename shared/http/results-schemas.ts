import * as z from 'zod';

/** An admin publishes the computed results: the reason is audited and travels in `ResultsPublished`. */
export const PublishResultsBody = z.object({
  reason: z
    .string()
    .trim()
    .min(5, { message: 'Indiquez la raison de la publication (5 caractères au moins)' })
    .max(500),
});
export type PublishResultsBody = z.infer<typeof PublishResultsBody>;

/** Open data file names: fixed names, or one anonymised ballot file per envelope. */
export const OpenDataFileName = z
  .string()
  .regex(
    /^(?:projects\.csv|projects\.json|results\.csv|results\.json|manifest\.json|ballots-[a-z0-9-]+\.pb)$/,
    {
      message: 'Fichier inconnu',
    },
  );

export const RESULTS_REQUEST_BODIES: Record<string, z.ZodType> = {
  'POST /api/editions/{edition}/staff/results/publish': PublishResultsBody,
};
