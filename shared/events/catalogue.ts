import * as z from 'zod/mini';
import { Phase } from '../edition/phases.ts';
import { defineEvent } from './define-event.ts';

/** Who caused a change: a schedule, or a staff member known by their pseudonymous Cognito `sub`. */
const Actor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('schedule') }),
  z.object({
    kind: z.literal('staff'),
    sub: z.string().check(z.minLength(1)),
    role: z.string().check(z.minLength(1)),
  }),
]);

export const PhaseChanged = defineEvent({
  source: 'bp.editions',
  detailType: 'PhaseChanged',
  version: 1,
  detail: {
    /** Stable id of the change: consumers deduplicate on it, whatever the EventBridge event id. */
    changeId: z.string().check(z.minLength(1)),
    from: Phase,
    to: Phase,
    changedAt: z.iso.datetime(),
    reason: z.optional(z.string().check(z.maxLength(500))),
    actor: Actor,
  },
});

/**
 * A person's identity is verified (by email code or in person). Pseudonymous: the citizen id and the
 * territory, never an email, a name or a birth date (events are archived 90 days).
 */
export const CitizenVerified = defineEvent({
  source: 'bp.identity',
  detailType: 'CitizenVerified',
  version: 1,
  detail: {
    citizenId: z.string().check(z.minLength(1)),
    territory: z.string().check(z.minLength(1)),
    /** `held`: a probable second identity of someone, waiting for a coordinator; it cannot vote. */
    status: z.enum(['verified', 'held']),
    channel: z.enum(['email', 'in-person']),
    verifiedAt: z.iso.datetime(),
  },
});

/** A new identity looks like a second one of the same person; a coordinator must review it. No PII. */
export const DuplicateSuspected = defineEvent({
  source: 'bp.identity',
  detailType: 'DuplicateSuspected',
  version: 1,
  detail: {
    /** Stable id of the review: consumers deduplicate on it. */
    reviewId: z.string().check(z.minLength(1)),
    heldCitizenId: z.string().check(z.minLength(1)),
    otherCitizenIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    territory: z.string().check(z.minLength(1)),
    suspectedAt: z.iso.datetime(),
  },
});

/**
 * A person erased their personal data (RGPD). Each context that keeps items keyed by the citizen id consumes
 * it and removes or anonymises them (drafts, supports, follows, opt-ins, the email log's lines, credits on
 * ideas); voting moves the has-voted marker under `erasedAs`, the id identity now files the person's keyed
 * hashes under, so that erasing never gives a second vote. Consumers are idempotent (redelivery, retries).
 */
export const CitizenErased = defineEvent({
  source: 'bp.identity',
  detailType: 'CitizenErased',
  version: 1,
  detail: {
    citizenId: z.string().check(z.minLength(1)),
    /** Random-looking id that holds nothing but the keyed hashes and the has-voted marker. */
    erasedAs: z.string().check(z.minLength(1)),
    erasedAt: z.iso.datetime(),
  },
});

/**
 * One bounded batch of the daily personal-data retention (identity → identity, after the edition's end):
 * erase up to `batchSize` identities of one shard of the sparse index of identities still holding personal
 * data, after `after`, then ask for the next batch of the shard. The batch runs in its own invocation (its
 * own timeout, the rule's retries and dead-letter queue), never in an HTTP request. Pseudonymous: `after` is
 * a citizen id (the position in the shard), no personal data.
 */
export const RetentionBatchRequested = defineEvent({
  source: 'bp.identity',
  detailType: 'RetentionBatchRequested',
  version: 1,
  detail: {
    /** The run's occurrence (the schedule's `scheduled-time`): stamped as `erasedAt`, names the run. */
    erasedAt: z.iso.datetime(),
    shard: z.number().check(z.int(), z.gte(0), z.lte(255)),
    /** 1 for the first batch of the shard in this run; each batch asks for the next. */
    batch: z.number().check(z.int(), z.gte(1)),
    /** The last citizen id of the previous batch (the shard's index is sorted by citizen id). */
    after: z.optional(z.string().check(z.minLength(1))),
    /** Bounded so that one batch stays far inside the function's timeout. */
    batchSize: z.number().check(z.int(), z.gte(1), z.lte(500)),
  },
});

/**
 * The vote is open: the ballot rules, envelopes, projects and counting rule are frozen (their SHA-256 is
 * `snapshotHash`). Emitted by voting for each `PhaseChanged` to `vote` (same `changeId`: dedupe on it).
 */
export const VotingOpened = defineEvent({
  source: 'bp.voting',
  detailType: 'VotingOpened',
  version: 1,
  detail: {
    changeId: z.string().check(z.minLength(1)),
    openedAt: z.iso.datetime(),
    snapshotHash: z.string().check(z.minLength(1)),
    projects: z.number().check(z.int(), z.nonnegative()),
  },
});

/** The vote is closed (phase `counting`): results may count. Same `changeId` as the phase change. */
export const VotingClosed = defineEvent({
  source: 'bp.voting',
  detailType: 'VotingClosed',
  version: 1,
  detail: {
    changeId: z.string().check(z.minLength(1)),
    closedAt: z.iso.datetime(),
  },
});

/**
 * The scheduled opening of the vote was refused: the ballot list has an envelope nobody could vote in (no
 * project, fewer than the minimum choices, nothing within budget). The phase stays where it was; coordinators
 * are told. `refusalId` is stable for one phase state (a retried schedule): dedupe on it.
 */
export const VoteOpeningRefused = defineEvent({
  source: 'bp.editions',
  detailType: 'VoteOpeningRefused',
  version: 1,
  detail: {
    refusalId: z.string().check(z.minLength(1)),
    /** The phase the edition stays in. */
    phase: Phase,
    refusedAt: z.iso.datetime(),
    envelopes: z
      .array(z.object({ id: z.string().check(z.minLength(1)), problem: z.string().check(z.minLength(1)) }))
      .check(z.minLength(1)),
  },
});

/** An admin paused, resumed or extended the vote, with a reason; coordinators and committee are told. */
export const VoteWindowChanged = defineEvent({
  source: 'bp.voting',
  detailType: 'VoteWindowChanged',
  version: 1,
  detail: {
    /** Stable id of the change: consumers deduplicate on it. */
    changeId: z.string().check(z.minLength(1)),
    action: z.enum(['pause', 'resume', 'extend']),
    reason: z.string().check(z.minLength(1), z.maxLength(500)),
    /** When the vote now closes (ISO instant), after an extension or not. */
    closesAt: z.iso.datetime(),
    paused: z.boolean(),
    changedAt: z.iso.datetime(),
    actor: Actor,
  },
});

/** The staff member who moderated an idea (pseudonymous Cognito `sub`). */
const StaffActor = z.object({
  kind: z.literal('staff'),
  sub: z.string().check(z.minLength(1)),
  role: z.string().check(z.minLength(1)),
});
/** Pseudonymous citizen ids (never an email or a name): notifications resolve addresses itself. */
const CitizenIds = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));

/** A citizen submitted an idea (first submission, not its edits). Author = pseudonymous citizen id. */
export const IdeaSubmitted = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaSubmitted',
  version: 1,
  detail: {
    ideaId: z.string().check(z.minLength(1)),
    authorId: z.string().check(z.minLength(1)),
    territory: z.string().check(z.minLength(1)),
    commune: z.optional(z.string()),
    theme: z.string().check(z.minLength(1)),
    submittedAt: z.iso.datetime(),
  },
});

/** A moderator published an idea: it is in the public list. `moderationId` is the audit entry's id. */
export const IdeaPublished = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaPublished',
  version: 1,
  detail: {
    moderationId: z.string().check(z.minLength(1)),
    ideaId: z.string().check(z.minLength(1)),
    authorIds: CitizenIds,
    publishedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** A moderator asks the authors to change their idea, with the reason (staff text, no personal data). */
export const IdeaChangeRequested = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaChangeRequested',
  version: 1,
  detail: {
    moderationId: z.string().check(z.minLength(1)),
    ideaId: z.string().check(z.minLength(1)),
    authorIds: CitizenIds,
    reason: z.string().check(z.minLength(1), z.maxLength(1000)),
    requestedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** A moderator hid an idea for a rule of the charter, with the reason; the authors are told. */
export const IdeaHidden = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaHidden',
  version: 1,
  detail: {
    moderationId: z.string().check(z.minLength(1)),
    ideaId: z.string().check(z.minLength(1)),
    authorIds: CitizenIds,
    rule: z.string().check(z.minLength(1)),
    reason: z.string().check(z.minLength(1), z.maxLength(1000)),
    hiddenAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** A duplicate was merged into another idea; every author of both is credited on `intoIdeaId`. */
export const IdeasMerged = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeasMerged',
  version: 1,
  detail: {
    moderationId: z.string().check(z.minLength(1)),
    mergedIdeaId: z.string().check(z.minLength(1)),
    intoIdeaId: z.string().check(z.minLength(1)),
    /** Every author credited on `intoIdeaId` after the merge. */
    authorIds: CitizenIds,
    reason: z.string().check(z.minLength(1), z.maxLength(1000)),
    mergedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** The author edited their idea: it goes back to moderation (and leaves the public list if it was there). */
export const IdeaEdited = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaEdited',
  version: 1,
  detail: {
    /** The audit entry's id: consumers deduplicate on it. */
    changeId: z.string().check(z.minLength(1)),
    ideaId: z.string().check(z.minLength(1)),
    editedAt: z.iso.datetime(),
  },
});

/** The author withdrew their idea (it leaves the public list if it was there). */
export const IdeaWithdrawn = defineEvent({
  source: 'bp.ideas',
  detailType: 'IdeaWithdrawn',
  version: 1,
  detail: {
    /** The audit entry's id: consumers deduplicate on it. */
    changeId: z.string().check(z.minLength(1)),
    ideaId: z.string().check(z.minLength(1)),
    withdrawnAt: z.iso.datetime(),
  },
});

/**
 * An extended vote window has reached its (new) close: voting asks the editions function to move the phase
 * to `counting`, which the original `voteClose` schedule declined while the extension ran. Published again
 * by every check until the phase has moved (`changeId` is stable per close instant: dedupe on it).
 */
export const VoteWindowEnded = defineEvent({
  source: 'bp.voting',
  detailType: 'VoteWindowEnded',
  version: 1,
  detail: {
    changeId: z.string().check(z.minLength(1)),
    closedAt: z.iso.datetime(),
  },
});

/**
 * The results of the vote are computed (from the frozen snapshot and every stored ballot), not public yet:
 * coordinators and the committee review them. `resultsId` is stable for the same ballots and rules.
 */
export const ResultsComputed = defineEvent({
  source: 'bp.results',
  detailType: 'ResultsComputed',
  version: 1,
  detail: {
    resultsId: z.string().check(z.minLength(1)),
    /** `changeId` of the `VotingClosed` that triggered the count. */
    changeId: z.string().check(z.minLength(1)),
    computedAt: z.iso.datetime(),
    snapshotHash: z.string().check(z.minLength(1)),
    envelopes: z.array(
      z.object({
        id: z.string().check(z.minLength(1)),
        ballots: z.number().check(z.int(), z.nonnegative()),
        winners: z.number().check(z.int(), z.nonnegative()),
        ballotsSha256: z.string().check(z.length(64)),
      }),
    ),
  },
});

/** An admin published the results (with a reason): the editions function moves the phase to `results`. */
export const ResultsPublished = defineEvent({
  source: 'bp.results',
  detailType: 'ResultsPublished',
  version: 1,
  detail: {
    resultsId: z.string().check(z.minLength(1)),
    publishedAt: z.iso.datetime(),
    reason: z.string().check(z.minLength(1), z.maxLength(500)),
    actor: StaffActor,
  },
});

/**
 * One batch of the results emails (the mail fan-out function planned them on `ResultsPublished`): at most 500
 * citizens, each with the project they authored (their project's outcome) or none (the results news they asked
 * for). Sent by the same function, one invocation per batch with its own timeout, the rule's retries and DLQ,
 * never in an HTTP request; once per results, project (or news) and citizen. Pseudonymous: citizen ids only.
 */
export const ResultsMailBatchRequested = defineEvent({
  source: 'bp.notifications',
  detailType: 'ResultsMailBatchRequested',
  version: 1,
  detail: {
    resultsId: z.string().check(z.minLength(1)),
    /** 1-based, of `batches`: for logs and the benchmark. */
    batch: z.number().check(z.int(), z.minimum(1)),
    batches: z.number().check(z.int(), z.minimum(1)),
    recipients: z
      .array(
        z.object({
          citizenId: z.string().check(z.minLength(1), z.maxLength(64)),
          projectId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
        }),
      )
      .check(z.minLength(1), z.maxLength(500)),
  },
});

/** A coordinator assigned a published idea to a service for examination, with a due date (Paris day). */
export const IdeaAssigned = defineEvent({
  source: 'bp.instruction',
  detailType: 'IdeaAssigned',
  version: 1,
  detail: {
    assignmentId: z.string().check(z.minLength(1)),
    ideaId: z.string().check(z.minLength(1)),
    serviceId: z.string().check(z.minLength(1)),
    /** `YYYY-MM-DD`, Europe/Paris: the service's opinion is due by the end of that day. */
    dueDate: z.iso.date(),
    assignedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** An instructor asks the coordinators to give an assignment to another service (staff text reason). */
export const ReassignmentRequested = defineEvent({
  source: 'bp.instruction',
  detailType: 'ReassignmentRequested',
  version: 1,
  detail: {
    assignmentId: z.string().check(z.minLength(1)),
    ideaId: z.string().check(z.minLength(1)),
    serviceId: z.string().check(z.minLength(1)),
    reason: z.string().check(z.minLength(1), z.maxLength(1000)),
    requestedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/**
 * A decision on an idea: a service's opinion (`scope: 'service'`) or the consolidated verdict
 * (`scope: 'verdict'`, recorded by a coordinator, or implied by the opinion of the only service assigned).
 * Authors are told of verdicts only. Reasons are staff text chosen for the author to read.
 */
export const DecisionRecorded = defineEvent({
  source: 'bp.instruction',
  detailType: 'DecisionRecorded',
  version: 1,
  detail: {
    decisionId: z.string().check(z.minLength(1)),
    ideaId: z.string().check(z.minLength(1)),
    scope: z.enum(['service', 'verdict']),
    /** The service whose opinion this is (`scope: 'service'`). */
    serviceId: z.optional(z.string().check(z.minLength(1))),
    /**
     * `admissible` / `not-admissible` (recevable or not), `feasible` / `not-feasible`, `retained` (the idea
     * becomes project `projectId`), `merged` (into `mergeInto`).
     */
    outcome: z.enum(['admissible', 'not-admissible', 'feasible', 'not-feasible', 'retained', 'merged']),
    /** Id of the reason in the edition's list (e.g. `competence`, `investment-only`, `cost-bound`). */
    reasonCode: z.string().check(z.minLength(1)),
    reasonText: z.string().check(z.minLength(1), z.maxLength(2000)),
    costEstimate: z.optional(z.number().check(z.int(), z.nonnegative())),
    projectId: z.optional(z.string().check(z.minLength(1))),
    mergeInto: z.optional(z.string().check(z.minLength(1))),
    /** Pseudonymous ids of the idea's authors (notifications resolves their addresses). */
    authorIds: CitizenIds,
    recordedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** The daily deadline check found an assignment due in three working days: its service is reminded. */
/** What the daily deadline check says of one assignment (approaching or missed). */
const DeadlineDetail = {
  assignmentId: z.string().check(z.minLength(1)),
  ideaId: z.string().check(z.minLength(1)),
  serviceId: z.string().check(z.minLength(1)),
  dueDate: z.iso.date(),
  checkedAt: z.iso.datetime(),
};

export const DeadlineApproaching = defineEvent({
  source: 'bp.instruction',
  detailType: 'DeadlineApproaching',
  version: 1,
  detail: DeadlineDetail,
});

/** The daily deadline check found an assignment past its due date without an opinion: coordinators are told. */
export const DeadlineMissed = defineEvent({
  source: 'bp.instruction',
  detailType: 'DeadlineMissed',
  version: 1,
  detail: DeadlineDetail,
});

/** The coordinators' daily digest of the instruction (one per Paris day: `digestDate`). */
export const InstructionDigestReady = defineEvent({
  source: 'bp.instruction',
  detailType: 'InstructionDigestReady',
  version: 1,
  detail: {
    digestDate: z.iso.date(),
    counts: z.array(
      z.object({
        serviceId: z.string().check(z.minLength(1)),
        status: z.string().check(z.minLength(1)),
        count: z.number().check(z.int(), z.nonnegative()),
      }),
    ),
    overdue: z.array(
      z.object({
        assignmentId: z.string().check(z.minLength(1)),
        ideaId: z.string().check(z.minLength(1)),
        serviceId: z.string().check(z.minLength(1)),
        dueDate: z.iso.date(),
      }),
    ),
    checkedAt: z.iso.datetime(),
  },
});

/** The Comité citoyen validated the list of projects put to the vote; the list is frozen from then. */
export const BallotListValidated = defineEvent({
  source: 'bp.instruction',
  detailType: 'BallotListValidated',
  version: 1,
  detail: {
    validationId: z.string().check(z.minLength(1)),
    projectIds: z.array(z.string().check(z.minLength(1))),
    /** SHA-256 of the canonical list (projects with title, cost, territory) as validated. */
    listSha256: z.string().check(z.length(64)),
    validatedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** The validated list was reopened, with a recorded reason (a new validation freezes it again). */
export const BallotListReopened = defineEvent({
  source: 'bp.instruction',
  detailType: 'BallotListReopened',
  version: 1,
  detail: {
    reopeningId: z.string().check(z.minLength(1)),
    validationId: z.string().check(z.minLength(1)),
    reason: z.string().check(z.minLength(1), z.maxLength(1000)),
    reopenedAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** Realisation status of a winning project (suivi). */
export const REALISATION_STATUSES = ['etude', 'travaux', 'livre', 'abandonne'] as const;
export const RealisationStatus = z.enum(REALISATION_STATUSES);
/** Dated milestones of a realisation: études, travaux, livraison. */
export const MILESTONE_KINDS = ['etudes', 'travaux', 'livre'] as const;
export const Milestone = z.object({
  kind: z.enum(MILESTONE_KINDS),
  /** Local date `YYYY-MM-DD`: planned, or reached when `done`. */
  date: z.iso.date(),
  done: z.boolean(),
});

/**
 * Staff changed the realisation of a winning project (status, reason, milestones): its followers are told.
 * `updateId` (`<project>#<version>`) is stable per change: consumers deduplicate on it. No personal data.
 */
/** What a realisation change tells its followers: both `RealisationUpdated` and its mail batches carry it. */
const RealisationChange = {
  updateId: z.string().check(z.minLength(1)),
  projectId: z.string().check(z.minLength(1)),
  title: z.string().check(z.minLength(1)),
  status: RealisationStatus,
  /** Why it was abandoned (required then), or a note to the public. */
  reason: z.optional(z.string().check(z.maxLength(1000))),
  milestones: z.array(Milestone),
  updatedAt: z.iso.datetime(),
};

export const RealisationUpdated = defineEvent({
  source: 'bp.results',
  detailType: 'RealisationUpdated',
  version: 1,
  detail: { ...RealisationChange, actor: StaffActor },
});

/**
 * One batch of the emails to the followers of a winner whose realisation changed (the mail fan-out function
 * planned them on `RealisationUpdated`): the change itself, and at most 500 followers. Sent by the same function,
 * one invocation per batch with its own timeout, the rule's retries and DLQ; once per change and follower.
 * Pseudonymous: citizen ids only, no staff actor.
 */
export const RealisationMailBatchRequested = defineEvent({
  source: 'bp.notifications',
  detailType: 'RealisationMailBatchRequested',
  version: 1,
  detail: {
    ...RealisationChange,
    /** 1-based, of `batches`: for logs and the benchmark. */
    batch: z.number().check(z.int(), z.minimum(1)),
    batches: z.number().check(z.int(), z.minimum(1)),
    followers: z
      .array(z.string().check(z.minLength(1), z.maxLength(64)))
      .check(z.minLength(1), z.maxLength(500)),
  },
});

/**
 * An admin annulled the vote (a distinct, audited operation, never a reopening): its results, published or
 * not, are marked annulled and are no longer shown as the outcome. The phase does not move back.
 */
export const VoteAnnulled = defineEvent({
  source: 'bp.results',
  detailType: 'VoteAnnulled',
  version: 1,
  detail: {
    annulmentId: z.string().check(z.minLength(1)),
    resultsId: z.string().check(z.minLength(1)),
    /** Whether the annulled results had been published. */
    wasPublished: z.boolean(),
    reason: z.string().check(z.minLength(1), z.maxLength(1000)),
    annulledAt: z.iso.datetime(),
    actor: StaffActor,
  },
});

/** Every event the platform knows; extended by each issue. */
export const EVENT_CATALOGUE = [
  PhaseChanged,
  CitizenVerified,
  DuplicateSuspected,
  CitizenErased,
  RetentionBatchRequested,
  VotingOpened,
  VotingClosed,
  VoteWindowChanged,
  VoteWindowEnded,
  VoteOpeningRefused,
  VoteAnnulled,
  IdeaSubmitted,
  IdeaPublished,
  IdeaChangeRequested,
  IdeaHidden,
  IdeasMerged,
  IdeaEdited,
  IdeaWithdrawn,
  ResultsComputed,
  ResultsPublished,
  ResultsMailBatchRequested,
  RealisationUpdated,
  RealisationMailBatchRequested,
  IdeaAssigned,
  ReassignmentRequested,
  DecisionRecorded,
  DeadlineApproaching,
  DeadlineMissed,
  InstructionDigestReady,
  BallotListValidated,
  BallotListReopened,
] as const;
