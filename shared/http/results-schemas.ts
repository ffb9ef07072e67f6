import * as z from 'zod';
import { Milestone, RealisationStatus } from '../events/catalogue.ts';
import { multiLineText, singleLineText } from './text.ts';

/** An admin publishes the computed results: the reason is audited and travels in `ResultsPublished`. */
export const PublishResultsBody = z.object({
  reason: singleLineText()
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

/** A citizen asks (or no longer asks) to be emailed when the results are published. Never tied to a ballot. */
export const ResultsNewsBody = z.object({
  subscribed: z.boolean({ message: 'Indiquez oui ou non (subscribed : true ou false)' }),
});
export type ResultsNewsBody = z.infer<typeof ResultsNewsBody>;

export const REALISATION_STATUS_LABELS: Record<z.infer<typeof RealisationStatus>, string> = {
  etude: 'À l’étude',
  travaux: 'Travaux en cours',
  livre: 'Livré',
  abandonne: 'Abandonné',
};

export const MILESTONE_LABELS: Record<z.infer<typeof Milestone>['kind'], string> = {
  etudes: 'Études',
  travaux: 'Travaux',
  livre: 'Livraison',
};

/**
 * Staff set the realisation of a winning project: its status, the public reason (required when abandoned)
 * and its dated milestones, the whole list each time (one per kind at most).
 */
export const RealisationBody = z
  .object({
    status: RealisationStatus,
    reason: multiLineText().trim().max(1000).optional(),
    milestones: z.array(Milestone).max(3).default([]),
  })
  .superRefine((body, ctx) => {
    if (body.status === 'abandonne' && (body.reason ?? '').length < 5)
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: 'Indiquez pourquoi le projet est abandonné (5 caractères au moins)',
      });
    const kinds = new Set<string>();
    body.milestones.forEach((milestone, i) => {
      if (kinds.has(milestone.kind))
        ctx.addIssue({
          code: 'custom',
          path: ['milestones', i, 'kind'],
          message: `Étape en double : ${MILESTONE_LABELS[milestone.kind]}`,
        });
      kinds.add(milestone.kind);
    });
  });
export type RealisationBody = z.infer<typeof RealisationBody>;

export const RESULTS_REQUEST_BODIES: Record<string, z.ZodType> = {
  'POST /api/editions/{edition}/staff/results/publish': PublishResultsBody,
  'PUT /api/editions/{edition}/me/results-news': ResultsNewsBody,
  'PUT /api/editions/{edition}/staff/projects/{project}/realisation': RealisationBody,
};
