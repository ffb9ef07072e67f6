import * as z from 'zod/mini';
import { Milestone, RealisationStatus } from '../events/catalogue.ts';
import { normalizeReceiptCode } from '../voting/ballot-layout.ts';
import { MILESTONE_LABELS } from './labels.ts';
import { multiLineText, singleLineText } from './text.ts';

/** Labels live in labels.ts (no schema), re-exported here beside what they label. */
export { MILESTONE_LABELS, REALISATION_STATUS_LABELS } from './labels.ts';

/** An admin publishes the computed results: the reason is audited and travels in `ResultsPublished`. */
export const PublishResultsBody = z.object({
  reason: singleLineText().check(
    z.trim(),
    z.minLength(5, { message: 'Indiquez la raison de la publication (5 caractères au moins)' }),
    z.maxLength(500),
  ),
});
export type PublishResultsBody = z.infer<typeof PublishResultsBody>;

/** An admin recounts the closed vote from the stored ballots: the reason is audited. */
export const RecountResultsBody = z.object({
  reason: singleLineText().check(
    z.trim(),
    z.minLength(5, { message: 'Indiquez la raison du recomptage (5 caractères au moins)' }),
    z.maxLength(500),
  ),
});
export type RecountResultsBody = z.infer<typeof RecountResultsBody>;

/**
 * A voter checks a receipt code, sent in the body (never in a URL, which would end in access logs): any case,
 * with or without dashes or spaces (`normalizeReceiptCode` gives the printed form).
 */
export const ReceiptCheckBody = z.object({
  code: z.string({ message: 'Saisissez le code de reçu' }).check(
    z.trim(),
    z.minLength(1, { message: 'Saisissez le code de reçu' }),
    z.maxLength(40, { message: 'Un code de reçu compte 12 caractères' }),
    z.refine((code) => normalizeReceiptCode(code) !== undefined, {
      message: 'Ce n’est pas un code de reçu : 12 lettres et chiffres, comme ABCD-EFGH-JKMN',
    }),
  ),
});
export type ReceiptCheckBody = z.infer<typeof ReceiptCheckBody>;

/** An admin annuls the vote: the reason is mandatory, audited, public with the annulment, and in the event. */
export const AnnulVoteBody = z.object({
  reason: multiLineText().check(
    z.trim(),
    z.minLength(10, { message: 'Indiquez le motif de l’annulation (10 caractères au moins)' }),
    z.maxLength(1000),
  ),
});
export type AnnulVoteBody = z.infer<typeof AnnulVoteBody>;

/**
 * The staff view of the results (`GET .../staff/results` and the answers of publish, recount and annulment):
 * the computed results plus where they stand. Documented in the OpenAPI; the handler builds exactly this.
 */
export const StaffResultsView = z.looseObject({
  resultsId: z.string(),
  snapshotHash: z.string(),
  envelopes: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      budget: z.number(),
      spent: z.number(),
      ballots: z.number().check(z.int()),
      selected: z.array(z.string()),
    }),
  ),
  computedAt: z.iso.datetime(),
  changeId: z.string(),
  /** Increases with every recount. */
  version: z.number().check(z.int()),
  published: z.boolean(),
  publishedAt: z.optional(z.iso.datetime()),
  publishReason: z.optional(z.string()),
  /** The last recount (this version replaced `previousResultsId`). */
  recount: z.optional(
    z.object({
      at: z.iso.datetime(),
      reason: z.string(),
      previousResultsId: z.string(),
      previousVersion: z.number().check(z.int()),
    }),
  ),
  annulled: z.boolean(),
  /** Computations, recounts, publication, annulment: who (role and readable name, never an id), when, why. */
  audit: z.array(
    z.looseObject({ at: z.string(), action: z.string(), actor: z.looseObject({ kind: z.string() }) }),
  ),
  annulment: z.optional(z.object({ at: z.iso.datetime(), reason: z.string(), wasPublished: z.boolean() })),
});
export type StaffResultsView = z.infer<typeof StaffResultsView>;

/** Open data file names: fixed names, or one anonymised ballot file per envelope. */
export const OpenDataFileName = z.string().check(
  z.regex(
    /^(?:projects\.csv|projects\.json|results\.csv|results\.json|manifest\.json|ballots-[a-z0-9-]+\.pb)$/,
    {
      message: 'Fichier inconnu',
    },
  ),
);

/** A citizen asks (or no longer asks) to be emailed when the results are published. Never tied to a ballot. */
export const ResultsNewsBody = z.object({
  subscribed: z.boolean({ message: 'Indiquez oui ou non (subscribed : true ou false)' }),
});
export type ResultsNewsBody = z.infer<typeof ResultsNewsBody>;

/**
 * Staff set the realisation of a winning project: its status, the public reason (required when abandoned)
 * and its dated milestones, the whole list each time (one per kind at most).
 */
export const RealisationBody = z
  .object({
    status: RealisationStatus,
    reason: z.optional(multiLineText().check(z.trim(), z.maxLength(1000))),
    milestones: z._default(z.array(Milestone).check(z.maxLength(3)), []),
  })
  .check(
    z.superRefine((body, ctx) => {
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
    }),
  );
export type RealisationBody = z.infer<typeof RealisationBody>;

export const RESULTS_REQUEST_BODIES: Record<string, z.ZodMiniType> = {
  'POST /api/editions/{edition}/staff/results/publish': PublishResultsBody,
  'POST /api/editions/{edition}/staff/results/recount': RecountResultsBody,
  'POST /api/editions/{edition}/receipts/check': ReceiptCheckBody,
  'POST /api/editions/{edition}/staff/results/annulment': AnnulVoteBody,
  'PUT /api/editions/{edition}/me/results-news': ResultsNewsBody,
  'PUT /api/editions/{edition}/staff/projects/{project}/realisation': RealisationBody,
};

/** Documented 200 answers (OpenAPI): what the handler returns on success. */
export const RESULTS_RESPONSE_BODIES: Record<string, z.ZodMiniType> = {
  'GET /api/editions/{edition}/staff/results': StaffResultsView,
  'POST /api/editions/{edition}/staff/results/publish': StaffResultsView,
  'POST /api/editions/{edition}/staff/results/recount': StaffResultsView,
  'POST /api/editions/{edition}/staff/results/annulment': StaffResultsView,
};
