import * as z from 'zod/mini';
import { EnvelopeReview } from '../voting/ballot-list-review.ts';
import { multiLineText, singleLineText } from './text.ts';

/** Labels live in labels.ts (no schema), re-exported here beside what they label. */
export { ASSIGNMENT_STATUS_LABELS, DECISION_OUTCOME_LABELS } from './labels.ts';

/**
 * Request bodies, queries and response shapes of the instruction function (`functions/instruction/`),
 * shared with web/ (the staff pages). Every route is under `/api/editions/{edition}/staff/instruction`.
 * Rules that need the edition (services, reason codes, cost bounds, envelopes, themes) or the stored state
 * (phase, frozen list, who may act) are checked by the use cases, not here.
 *
 * The workflow (see README, "Instruction"):
 * - an assignment (idea × service) is `assigned` → `accepted` (the service takes it) or
 *   `reassignment-requested` (the service asks the coordinators to give it to another service);
 *   it is `decided` once the service gave a final opinion (not admissible, a feasibility opinion, or a merge
 *   proposal); a decision on an `assigned` assignment accepts it implicitly;
 * - a dossier (a published idea) is `to-assign` → `in-instruction` → `opinions-complete` (every assignment
 *   decided) → a verdict: `retained` (it becomes a project of the ballot list), `not-admissible`,
 *   `not-feasible`, `merged`. With exactly one assignment, that service's admissibility/feasibility opinion
 *   is also the verdict, except `retained`, which only a coordinator records (it needs the project's text);
 * - the ballot list is `open` → `validated` (by the Comité citoyen, frozen) → `open` again only by a
 *   reasoned reopening (coordinator or admin).
 */

// ---- building blocks ------------------------------------------------------------------------------

const Slug = z
  .string({ message: 'Identifiant attendu' })
  .check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'Identifiant attendu' }), z.maxLength(60));

/** An idea id (as the ideas function mints them). */
export const InstructionIdeaId = z
  .string({ message: 'Identifiant d’idée attendu' })
  .check(z.regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'Identifiant d’idée attendu' }));

/** An assignment id: `<ideaId>.<serviceId>` (one assignment per idea and service). */
export const AssignmentId = z.string({ message: 'Identifiant d’affectation attendu' }).check(
  z.regex(/^[A-Za-z0-9-]{1,64}\.[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: 'Identifiant d’affectation attendu',
  }),
  z.maxLength(130),
);

/** Paris calendar day `YYYY-MM-DD`. */
const Day = z.iso.date({ message: 'Date attendue au format AAAA-MM-JJ' });

const ReasonCode = z
  .string({ message: 'Choisissez un motif' })
  .check(z.minLength(1, { message: 'Choisissez un motif' }), z.maxLength(60));
const ReasonText = multiLineText({ message: 'Texte attendu' }).check(
  z.trim(),
  z.minLength(5, { message: 'Expliquez la décision (5 caractères au moins)' }),
  z.maxLength(2000, { message: '2 000 caractères au plus' }),
);
const StaffReason = multiLineText({ message: 'Texte attendu' }).check(
  z.trim(),
  z.minLength(5, { message: 'Indiquez la raison (5 caractères au moins)' }),
  z.maxLength(1000, { message: '1 000 caractères au plus' }),
);
const Euros = z
  .number({ message: 'Montant attendu' })
  .check(
    z.int({ message: 'Montant en euros entiers attendu' }),
    z.nonnegative({ message: 'Montant positif attendu' }),
  );

// ---- states ---------------------------------------------------------------------------------------

export const ASSIGNMENT_STATUSES = ['assigned', 'accepted', 'reassignment-requested', 'decided'] as const;
export const AssignmentStatus = z.enum(ASSIGNMENT_STATUSES);
export type AssignmentStatus = z.infer<typeof AssignmentStatus>;
export const DOSSIER_STATUSES = [
  'to-assign',
  'in-instruction',
  'opinions-complete',
  'retained',
  'not-admissible',
  'not-feasible',
  'merged',
] as const;
export const DossierStatus = z.enum(DOSSIER_STATUSES);
export type DossierStatus = z.infer<typeof DossierStatus>;
export const DOSSIER_STATUS_LABELS: Record<DossierStatus, string> = {
  'to-assign': 'À affecter',
  'in-instruction': 'En instruction',
  'opinions-complete': 'Avis rendus, verdict à prononcer',
  retained: 'Retenue (projet soumis au vote)',
  'not-admissible': 'Non recevable',
  'not-feasible': 'Non faisable',
  merged: 'Regroupée avec une autre idée',
};

export const DECISION_KINDS = ['admissibility', 'feasibility', 'cost', 'merge'] as const;
export const DecisionKind = z.enum(DECISION_KINDS);
export type DecisionKind = z.infer<typeof DecisionKind>;

/** Outcomes of a service's decision (the `merged` outcome of a `merge` decision is a proposal). */
export const DECISION_OUTCOMES = [
  'admissible',
  'not-admissible',
  'feasible',
  'not-feasible',
  'merged',
] as const;
export const VERDICT_OUTCOMES = ['retained', 'not-admissible', 'not-feasible', 'merged'] as const;
export const VerdictOutcome = z.enum(VERDICT_OUTCOMES);
export type VerdictOutcome = z.infer<typeof VerdictOutcome>;

export const COMMITTEE_OPINIONS = ['favorable', 'reserve', 'defavorable'] as const;
export const CommitteeOpinionValue = z.enum(COMMITTEE_OPINIONS, {
  message: 'Choisissez : favorable, réservé ou défavorable',
});
export const COMMITTEE_OPINION_LABELS: Record<(typeof COMMITTEE_OPINIONS)[number], string> = {
  favorable: 'Favorable',
  reserve: 'Réservé',
  defavorable: 'Défavorable',
};

export const BALLOT_LIST_STATES = ['open', 'validated'] as const;
export const BallotListState = z.enum(BALLOT_LIST_STATES);

// ---- requests -------------------------------------------------------------------------------------

/**
 * `GET .../staff/instruction/dossiers?service&status&territory&theme`: an instructor only ever sees the
 * dossiers assigned to its own service (`service` is then ignored). Overdue first, then by due date.
 */
export const DossierListQuery = z.object({
  service: z.optional(Slug),
  status: z.optional(DossierStatus),
  territory: z.optional(Slug),
  theme: z.optional(Slug),
});
export type DossierListQuery = z.infer<typeof DossierListQuery>;

/** One service to assign, with the day its opinion is due (a future Paris day). */
export const ServiceDue = z.object({ serviceId: Slug, dueDate: Day });

/**
 * `POST .../staff/instruction/assignments` (coordinator): listed ideas (`ideaIds`), or every published idea
 * of a theme and/or territory (bulk), to one or more services. Idempotent per idea × service: an existing
 * assignment is returned unchanged (`created: false`).
 */
export const AssignBody = z
  .object({
    ideaIds: z.optional(z.array(InstructionIdeaId).check(z.minLength(1), z.maxLength(500))),
    theme: z.optional(Slug),
    territory: z.optional(Slug),
    services: z.array(ServiceDue).check(
      z.minLength(1, { message: 'Choisissez au moins un service' }),
      z.maxLength(20),
      z.refine((list) => new Set(list.map((s) => s.serviceId)).size === list.length, {
        message: 'Un service est cité deux fois',
      }),
    ),
  })
  .check(
    z.refine(
      (body) => (body.ideaIds !== undefined) !== (body.theme !== undefined || body.territory !== undefined),
      {
        message: 'Indiquez soit des idées, soit un thème et/ou un territoire',
        path: ['ideaIds'],
      },
    ),
  );
export type AssignBody = z.infer<typeof AssignBody>;

/** `POST .../assignments/{assignment}/reassignment-request` (instructor of the service). */
export const ReassignmentRequestBody = z.object({ reason: StaffReason });
export type ReassignmentRequestBody = z.infer<typeof ReassignmentRequestBody>;

/**
 * `POST .../assignments/{assignment}/decisions` (instructor of the service, `instruction` phase only).
 * `reasonCode` is one of the edition's `instruction.reasons` (see `GET .../dossiers/{id}`: `reasons`);
 * `reasonText` is written for the author and the Comité citoyen.
 */
export const DecisionBody = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('admissibility'),
      outcome: z.enum(['admissible', 'not-admissible'], {
        message: 'Choisissez : recevable ou non recevable',
      }),
      reasonCode: ReasonCode,
      reasonText: ReasonText,
    }),
    z.object({
      kind: z.literal('feasibility'),
      outcome: z.enum(['feasible', 'not-feasible'], { message: 'Choisissez : faisable ou non faisable' }),
      reasonCode: ReasonCode,
      reasonText: ReasonText,
      /** The service's cost estimate in euros, when it gives one with its opinion. */
      costEstimate: z.optional(Euros),
    }),
    z.object({
      kind: z.literal('cost'),
      costEstimate: Euros,
      reasonCode: ReasonCode,
      reasonText: ReasonText,
    }),
    z.object({
      kind: z.literal('merge'),
      /** The idea this one should be merged into (a proposal: the coordinator decides). */
      mergeInto: InstructionIdeaId,
      reasonCode: ReasonCode,
      reasonText: ReasonText,
    }),
  ],
  { message: 'Type de décision attendu : recevabilité, faisabilité, coût ou regroupement' },
);
export type DecisionBody = z.infer<typeof DecisionBody>;

/** The project a retained idea becomes (what the ballot shows). */
export const ProjectDraft = z.object({
  title: singleLineText().check(
    z.trim(),
    z.minLength(5, { message: '5 caractères au moins' }),
    z.maxLength(140, { message: '140 caractères au plus' }),
  ),
  summary: multiLineText().check(
    z.trim(),
    z.minLength(10, { message: '10 caractères au moins' }),
    z.maxLength(600, { message: '600 caractères au plus' }),
  ),
  /** Euros, within the edition's `ideaCost` bounds. */
  cost: Euros.check(z.refine((cost) => cost > 0, { message: 'Montant positif attendu' })),
  /** A territory id (territorial envelope) or the id of the Département-wide envelope. */
  envelope: Slug,
  theme: Slug,
  /** Where the project is, when its envelope is the Département-wide one (optional). */
  territory: z.optional(Slug),
});
export type ProjectDraft = z.infer<typeof ProjectDraft>;

/**
 * `POST .../dossiers/{id}/verdict` (coordinator; `instruction` or `ballot-preparation` phase). Refused with
 * 409 `ballot_list_frozen` when the list is validated and the verdict would change it (retain an idea,
 * or un-retain a retained one), until a reopening.
 */
export const VerdictBody = z.discriminatedUnion(
  'outcome',
  [
    z.object({
      outcome: z.literal('retained'),
      reasonCode: ReasonCode,
      reasonText: ReasonText,
      project: ProjectDraft,
    }),
    z.object({ outcome: z.literal('not-admissible'), reasonCode: ReasonCode, reasonText: ReasonText }),
    z.object({ outcome: z.literal('not-feasible'), reasonCode: ReasonCode, reasonText: ReasonText }),
    z.object({
      outcome: z.literal('merged'),
      mergeInto: InstructionIdeaId,
      reasonCode: ReasonCode,
      reasonText: ReasonText,
    }),
  ],
  { message: 'Verdict attendu : retenue, non recevable, non faisable ou regroupée' },
);
export type VerdictBody = z.infer<typeof VerdictBody>;

/** `POST .../dossiers/{id}/committee-opinion` (committee): one per member and idea, the latest wins (audited). */
export const CommitteeOpinionBody = z.object({
  opinion: CommitteeOpinionValue,
  text: multiLineText({ message: 'Texte attendu' }).check(
    z.trim(),
    z.minLength(5, { message: 'Expliquez votre avis (5 caractères au moins)' }),
    z.maxLength(2000, { message: '2 000 caractères au plus' }),
  ),
});
export type CommitteeOpinionBody = z.infer<typeof CommitteeOpinionBody>;

/**
 * `POST .../ballot-list/validation` (committee): `listSha256` is the hash the member saw in
 * `GET .../ballot-list`; a stale one is refused (409 `ballot_list_changed`), and so is a list with an envelope
 * nobody could vote in (409 `ballot_list_unvotable`, `errors[]` with `field: envelopes.<id>` and why).
 */
export const BallotListValidationBody = z.object({
  listSha256: z
    .string()
    .check(z.regex(/^[0-9a-f]{64}$/, { message: 'Empreinte SHA-256 attendue (64 caractères hexadécimaux)' })),
});
export type BallotListValidationBody = z.infer<typeof BallotListValidationBody>;

/** `POST .../ballot-list/reopening` (coordinator, admin): reopens a validated list, with a recorded reason. */
export const BallotListReopeningBody = z.object({ reason: StaffReason });
export type BallotListReopeningBody = z.infer<typeof BallotListReopeningBody>;

/**
 * `POST .../staff/instruction/action-links` (signed-in instructor or coordinator): the token of a link from an
 * email. `reason` is required for a `reassign` link. Refusals: 400 `action_link_invalid` (tampered,
 * malformed, other edition), 410 `action_link_expired`, 409 `action_link_used`, 403
 * `action_link_other_recipient` (each with a French title and a detail that suggests the back-office).
 */
export const ActionLinkBody = z.object({
  token: z
    .string({ message: 'Lien attendu' })
    .check(z.minLength(10, { message: 'Lien attendu' }), z.maxLength(4096)),
  reason: z.optional(StaffReason),
});
export type ActionLinkBody = z.infer<typeof ActionLinkBody>;

// ---- responses (documented for web/; the handler builds exactly these) ---------------------------

/** Who did something: role and pseudonymous staff `sub` (never a name or an address). */
export const ActorView = z.object({ role: z.string(), sub: z.string() });

export const DecisionView = z.object({
  decisionId: z.string(),
  assignmentId: z.string(),
  serviceId: z.string(),
  kind: DecisionKind,
  outcome: z.optional(z.enum(DECISION_OUTCOMES)),
  costEstimate: z.optional(z.number().check(z.int())),
  mergeInto: z.optional(z.string()),
  reasonCode: z.string(),
  reasonLabel: z.string(),
  reasonText: z.string(),
  at: z.iso.datetime(),
  by: ActorView,
});
export type DecisionView = z.infer<typeof DecisionView>;

export const AssignmentView = z.object({
  assignmentId: z.string(),
  ideaId: z.string(),
  serviceId: z.string(),
  serviceName: z.string(),
  status: AssignmentStatus,
  statusLabel: z.string(),
  dueDate: Day,
  /** Past its due date without a final opinion (Paris day). */
  overdue: z.boolean(),
  assignedAt: z.iso.datetime(),
  assignedBy: ActorView,
  acceptedAt: z.optional(z.iso.datetime()),
  reassignmentReason: z.optional(z.string()),
  /** The service's latest decision of each kind. */
  opinions: z.object({
    admissibility: z.optional(DecisionView),
    feasibility: z.optional(DecisionView),
    cost: z.optional(DecisionView),
    merge: z.optional(DecisionView),
  }),
  /** In the answer of `POST .../assignments`: whether this call created it. */
  created: z.optional(z.boolean()),
});
export type AssignmentView = z.infer<typeof AssignmentView>;

export const VerdictView = z.object({
  decisionId: z.string(),
  outcome: z.enum(['retained', 'not-admissible', 'not-feasible', 'merged', 'admissible', 'feasible']),
  /** `true` when a coordinator recorded it; `false` when it is the only service's opinion. */
  final: z.boolean(),
  reasonCode: z.string(),
  reasonLabel: z.string(),
  reasonText: z.string(),
  projectId: z.optional(z.string()),
  mergeInto: z.optional(z.string()),
  at: z.iso.datetime(),
  by: ActorView,
});
export type VerdictView = z.infer<typeof VerdictView>;

export const CommitteeOpinionView = z.object({
  opinion: CommitteeOpinionValue,
  text: z.string(),
  at: z.iso.datetime(),
  /** Pseudonymous sub of the member. */
  by: ActorView,
});

export const TIMELINE_KINDS = [
  'assigned',
  'accepted',
  'reassignment-requested',
  'decision',
  'verdict',
  'committee-opinion',
] as const;
export const TimelineEntry = z.object({
  id: z.string(),
  kind: z.enum(TIMELINE_KINDS),
  at: z.iso.datetime(),
  by: ActorView,
  assignmentId: z.optional(z.string()),
  serviceId: z.optional(z.string()),
  /** A French sentence for the page (no personal data). */
  summary: z.string(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/**
 * The idea as instruction shows it to every staff role: NO author id, no author or association name, no
 * address (the committee must see none; nobody here needs them). `authorsCount` only.
 */
export const DossierIdea = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  theme: z.string(),
  territory: z.string(),
  commune: z.optional(z.string()),
  estimatedCost: z.number(),
  proposerKind: z.enum(['individual', 'collective', 'association']),
  authorsCount: z.number().check(z.int()),
  publishedAt: z.optional(z.iso.datetime()),
});

/** An item of `GET .../dossiers`. */
export const DossierSummary = z.object({
  idea: DossierIdea,
  status: DossierStatus,
  statusLabel: z.string(),
  assignments: z.array(AssignmentView),
  /** Earliest due date of the open assignments, if any. */
  nextDueDate: z.optional(Day),
  overdue: z.boolean(),
  verdict: z.optional(VerdictView),
});
export type DossierSummary = z.infer<typeof DossierSummary>;

/** `GET .../dossiers` → `{ items: DossierSummary[], total, today }` (`today`: the Paris day used for `overdue`). */

/** `GET .../dossiers/{id}`: the whole dossier. */
export const DossierView = z.extend(DossierSummary, {
  decisions: z.array(DecisionView),
  committeeOpinions: z.array(CommitteeOpinionView),
  timeline: z.array(TimelineEntry),
  project: z.optional(z.unknown()),
  /** The edition's reason list, for the decision form. */
  reasons: z.array(z.object({ id: z.string(), label: z.string() })),
});
export type DossierView = z.infer<typeof DossierView>;

/** `GET .../ballot-list`: the retained projects (sorted by id), their SHA-256 and the list's state. */
export const BallotListView = z.object({
  state: BallotListState,
  /** SHA-256 (hex) of the canonical JSON of the sorted projects: what the committee validates. */
  listSha256: z.string(),
  projects: z.array(z.unknown()),
  /** Per envelope of the edition, with what blocks the vote (`problem`) and what warns (`warning`). */
  envelopes: z.array(EnvelopeReview),
  validation: z.optional(
    z.object({ validationId: z.string(), listSha256: z.string(), at: z.iso.datetime(), by: ActorView }),
  ),
  lastReopening: z.optional(
    z.object({ reopeningId: z.string(), reason: z.string(), at: z.iso.datetime(), by: ActorView }),
  ),
});

/** `POST .../action-links` → what was done; the page opens `dossiers/{ideaId}` in every case. */
export const ActionLinkResult = z.object({
  action: z.enum(['open', 'accept', 'reassign']),
  ideaId: z.string(),
  assignmentId: z.string(),
  assignment: z.optional(AssignmentView),
});

export const INSTRUCTION_REQUEST_BODIES: Record<string, z.ZodMiniType> = {
  'POST /api/editions/{edition}/staff/instruction/assignments': AssignBody,
  'POST /api/editions/{edition}/staff/instruction/assignments/{assignment}/reassignment-request':
    ReassignmentRequestBody,
  'POST /api/editions/{edition}/staff/instruction/assignments/{assignment}/decisions': DecisionBody,
  'POST /api/editions/{edition}/staff/instruction/dossiers/{id}/verdict': VerdictBody,
  'POST /api/editions/{edition}/staff/instruction/dossiers/{id}/committee-opinion': CommitteeOpinionBody,
  'POST /api/editions/{edition}/staff/instruction/ballot-list/validation': BallotListValidationBody,
  'POST /api/editions/{edition}/staff/instruction/ballot-list/reopening': BallotListReopeningBody,
  'POST /api/editions/{edition}/staff/instruction/action-links': ActionLinkBody,
};
