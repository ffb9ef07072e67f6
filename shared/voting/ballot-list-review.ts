import * as z from 'zod/mini';
import type { EditionConfig } from '../edition/edition-config.ts';
import type { FieldError } from '../validation/french.ts';

/** What the review needs of a project: pure data, so that web/ can run the same review. */
export interface ReviewedProject {
  envelope: string;
  cost: number;
}

/** The envelopes of an edition: every territory, then the Département-wide one when it exists. */
export function envelopesOf(
  config: Pick<EditionConfig, 'territories' | 'budget'>,
): { id: string; name: string; amount: number }[] {
  return [
    ...config.territories.map((t) => ({ id: t.id, name: t.name, amount: t.envelope })),
    ...(config.budget.departementWide
      ? [
          {
            id: config.budget.departementWide.id,
            name: config.budget.departementWide.name,
            amount: config.budget.departementWide.envelope,
          },
        ]
      : []),
  ];
}

/** One envelope of a ballot list as the Comité citoyen and the vote opening see it. */
export const EnvelopeReview = z.object({
  id: z.string(),
  name: z.string(),
  /** Euros. */
  amount: z.number(),
  projects: z.number().check(z.int(), z.nonnegative()),
  /** Euros: the demand, what all its projects cost together. */
  totalCost: z.number(),
  /** Why nobody could vote in this envelope (French); absent when votable. Blocks validation and opening. */
  problem: z.optional(
    z.object({ code: z.enum(['no_project', 'too_few_projects', 'nothing_fits']), message: z.string() }),
  ),
  /** A French warning that does not block: the demand is below the envelope's budget. */
  warning: z.optional(z.string()),
});
export type EnvelopeReview = z.infer<typeof EnvelopeReview>;

const euros = (amount: number) => `${amount.toLocaleString('fr-FR').replace(/[\u202f\u00a0]/g, ' ')} €`;
const projectsWord = (count: number) => `${count} projet${count > 1 ? 's' : ''}`;

/**
 * Reviews a ballot list against the edition's envelopes and ballot rules: an envelope is unvotable when it
 * has no project, fewer projects than an approval ballot's minimum choices, or (knapsack) no project that
 * fits its budget. A demand below the envelope's budget is a warning only (part of it will stay unspent).
 */
export function reviewBallotList(
  config: Pick<EditionConfig, 'territories' | 'budget' | 'ballot'>,
  projects: readonly ReviewedProject[],
): EnvelopeReview[] {
  return envelopesOf(config).map((envelope) => {
    const own = projects.filter((project) => project.envelope === envelope.id);
    const totalCost = own.reduce((sum, project) => sum + project.cost, 0);
    const review: EnvelopeReview = { ...envelope, projects: own.length, totalCost };
    const rules = config.ballot;
    if (own.length === 0) {
      review.problem = {
        code: 'no_project',
        message: `Aucun projet dans l’enveloppe « ${envelope.name} » : personne ne pourrait y voter.`,
      };
    } else if (rules.kind === 'approval' && own.length < rules.minChoices) {
      review.problem = {
        code: 'too_few_projects',
        message: `L’enveloppe « ${envelope.name} » n’a que ${projectsWord(own.length)}, alors que le bulletin demande d’en choisir au moins ${rules.minChoices} : personne ne pourrait y voter.`,
      };
    } else if (rules.kind === 'knapsack' && own.every((project) => project.cost > envelope.amount)) {
      review.problem = {
        code: 'nothing_fits',
        message: `Aucun projet de l’enveloppe « ${envelope.name} » ne tient dans son budget (${euros(envelope.amount)}) : personne ne pourrait y voter.`,
      };
    }
    if (totalCost < envelope.amount) {
      review.warning = `Les projets de « ${envelope.name} » coûtent ${euros(totalCost)} au total, moins que l’enveloppe (${euros(envelope.amount)}) : ${euros(envelope.amount - totalCost)} resteront inutilisés.`;
    }
    return review;
  });
}

/** The field-level errors of the unvotable envelopes (`envelopes.<id>`), empty when the list is votable. */
export function unvotableEnvelopes(reviews: readonly EnvelopeReview[]): FieldError[] {
  return reviews.flatMap((review) =>
    review.problem ? [{ field: `envelopes.${review.id}`, message: review.problem.message }] : [],
  );
}
