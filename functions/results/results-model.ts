import * as z from 'zod/mini';

/** One project's line in the results: what the public page and the open data show. */
export const ProjectResult = z.object({
  id: z.string(),
  title: z.string(),
  theme: z.string(),
  /** Euros. */
  cost: z.number(),
  /** Votes (approval, knapsack) or points (cumulative). */
  support: z.number(),
  selected: z.boolean(),
  status: z.string(),
  /** Position in the order of selection (winners only). */
  rank: z.optional(z.number().check(z.int())),
  /** In plain French, from the counting library (`explainProject`). */
  explanation: z.string(),
});
export type ProjectResult = z.infer<typeof ProjectResult>;

export const EnvelopeResult = z.object({
  id: z.string(),
  name: z.string(),
  /** Euros. */
  budget: z.number(),
  spent: z.number(),
  ballots: z.number().check(z.int()),
  supportUnit: z.enum(['votes', 'points']),
  /** Winners in order of selection. */
  selected: z.array(z.string()),
  /** Support order (then tie-break order): the bar chart's order. */
  projects: z.array(ProjectResult),
  /** SHA-256 of `ballots-<id>.pb`, the canonical anonymised ballot file. */
  ballotsSha256: z.string(),
  /** The count as the library serialises it (exact amounts, MES shares...). */
  count: z.unknown(),
});
export type EnvelopeResult = z.infer<typeof EnvelopeResult>;

export const CountingParameters = z.object({
  rule: z.string(),
  ruleLabel: z.string(),
  /** The rule in plain French, for the public page. */
  ruleDescription: z.string(),
  tieBreak: z.string(),
  tieBreakLabel: z.string(),
  minimumSupport: z.number(),
  ballotKind: z.string(),
  /** Repêchage: every territory ends with a winner when one of its projects fits. */
  atLeastOneWinnerPerTerritory: z.optional(z.boolean()),
  reservedAmounts: z.optional(
    z.array(z.object({ envelope: z.string(), category: z.string(), amount: z.number() })),
  ),
});

/** Everything published (and reviewed before): computed from the frozen snapshot and the stored ballots. */
export const PublicResults = z.object({
  edition: z.string(),
  resultsId: z.string(),
  snapshotHash: z.string(),
  counting: CountingParameters,
  envelopes: z.array(EnvelopeResult),
  /** Open data: name → SHA-256 and size, as in `manifest.json`. */
  files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number().check(z.int()) })),
});
export type PublicResults = z.infer<typeof PublicResults>;
