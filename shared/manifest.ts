/**
 * The one description of the platform: functions, their HTTP routes and the role each needs, their
 * event subscriptions and schedules, and the table. Plain data: the CDK stacks (lib/stacks), the local
 * runtime (local/) and the handlers' authorisation middleware all read it, so nothing is declared twice.
 */
import type { Role } from './auth/roles.ts';
import type { TableAccess } from './dynamo/table.ts';
import type { EditionConfig } from './edition/edition-config.ts';
import { phaseTransitions } from './edition/phases.ts';
import { SES_FEEDBACK_EVENTS } from './email/ses-feedback.ts';
import {
  BallotListReopened,
  BallotListValidated,
  CitizenErased,
  CitizenVerified,
  DeadlineApproaching,
  DeadlineMissed,
  DecisionRecorded,
  DuplicateSuspected,
  IdeaAssigned,
  IdeaChangeRequested,
  IdeaEdited,
  IdeaHidden,
  IdeaPublished,
  IdeaSubmitted,
  IdeasMerged,
  IdeaWithdrawn,
  InstructionDigestReady,
  PhaseChanged,
  RealisationMailBatchRequested,
  RealisationUpdated,
  ReassignmentRequested,
  ResultsComputed,
  ResultsMailBatchRequested,
  ResultsPublished,
  RetentionBatchRequested,
  VoteAnnulled,
  VoteOpeningRefused,
  VoteWindowChanged,
  VoteWindowEnded,
  VotingClosed,
  VotingOpened,
} from './events/catalogue.ts';
import type { EventContract } from './events/define-event.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `public`, or the roles allowed (any of them). */
export type Access = 'public' | readonly Role[];

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/api/editions/{edition}`. */
  readonly path: string;
  readonly access: Access;
  readonly summary: string;
}

export interface SubscriptionSpec {
  /** Stable rule id, unique within the function. */
  readonly id: string;
  readonly events: readonly EventContract[];
  /**
   * `aws`: events an AWS service puts on the account's default bus (SES bounces and complaints), matched on
   * source and detail-type only (shared/email/ses-feedback.ts); locally the one local bus carries them too.
   * @default 'edition' (our contracts, on the edition bus)
   */
  readonly bus?: 'edition' | 'aws';
}

/** What EventBridge Scheduler passes to the target as its event. */
export interface ScheduleInput {
  readonly kind: string;
  readonly edition: string;
  readonly [key: string]: unknown;
}

export interface ScheduleSpec {
  /** Unique within the function, stable across deploys. */
  readonly id: string;
  /** Scheduler syntax: `at(2023-02-27T09:00:00)`, `cron(0 8 ? * MON-FRI *)` or `rate(1 hour)`. */
  readonly expression: string;
  /** Wall-clock times in the expression are read in this zone. */
  readonly timeZone: string;
  readonly description: string;
  readonly input: ScheduleInput;
}

/**
 * A secret value the function reads at cold start. CDK creates it (Secrets Manager, generated string, no
 * physical name) and grants read; the local runtime seeds its Secrets Manager stand-in with a random value
 * kept in the data dir. Either way the function receives the secret's id (ARN or name) in `env`.
 */
export interface SecretSpec {
  /** Stable, unique within the platform: also the CDK construct id suffix. */
  readonly id: string;
  readonly env: string;
  readonly description: string;
}

export interface FunctionSpec {
  /** Bounded context name; also the local log prefix and the CDK construct id. */
  readonly name: string;
  /** Module exporting `handler`, relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /**
   * Concurrent executions kept for this function alone: the paths a citizen waits on (sign-in, vote) are never
   * starved by batch work of other functions, and cannot take the whole account either.
   * @default none (the account's unreserved pool)
   */
  readonly reservedConcurrency?: number;
  readonly routes: readonly RouteSpec[];
  readonly subscriptions: readonly SubscriptionSpec[];
  readonly schedules: (edition: EditionConfig) => readonly ScheduleSpec[];
  /** @default none */
  readonly secrets?: readonly SecretSpec[];
  readonly permissions: {
    /** The table items this function may touch, by partition key (see {@link TableAccess}). */
    readonly table: TableAccess;
    readonly publishes: readonly EventContract[];
    readonly sendsEmail: boolean;
    /**
     * Writes public files under `data/` of the site (served by CloudFront): `s3:PutObject` on the site
     * bucket's `data/*` and `SITE_BUCKET` in AWS, `SITE_DIR` (the served folder) locally.
     * @default false
     */
    readonly writesSiteData?: boolean;
    /**
     * Presigns browser uploads under `uploads/` of the pictures bucket (idea pictures): `s3:PutObject`,
     * `s3:GetObject` and `s3:PutObjectTagging` on `uploads/*` (a presigned URL carries the signer's rights).
     * @default false
     */
    readonly presignsUploads?: boolean;
  };
}

export { type KeyPattern, TABLE, type TableAccess, type TableSpec, tableAccessOf } from './dynamo/table.ts';

/** Environment variable names every function receives (values come from CDK or the local runtime). */
export const FUNCTION_ENV = {
  table: 'TABLE_NAME',
  bus: 'EVENT_BUS_NAME',
  edition: 'EDITION_ID',
  mailFrom: 'MAIL_FROM',
  siteUrl: 'SITE_URL',
  /** Cognito user pool issuer URL and web client id: staff tokens are verified in the function. */
  staffIssuer: 'STAFF_ISSUER',
  staffAudience: 'STAFF_AUDIENCE',
} as const;

/**
 * Only on functions with `permissions.writesSiteData`: the site bucket (set by CDK) or, locally, the folder the
 * HTTP adapter serves (set by the local runtime). Only on functions with `presignsUploads`: the pictures bucket.
 */
export const SITE_ENV = { bucket: 'SITE_BUCKET', dir: 'SITE_DIR', pictures: 'PICTURES_BUCKET' } as const;

/**
 * The secret CloudFront sends as the origin header `x-bp-origin-verify` (`shared/http/origin.ts`): the Web
 * stack adds it to the API origin, the local HTTP adapter adds it itself.
 */
export const ORIGIN_VERIFY_SECRET_ID = 'origin-verify';

/**
 * Every HTTP function reads it: a request without the header is refused (`shared/http/http-handler.ts`), so
 * the API cannot be reached around the distribution and its WAF; identity also trusts the client address
 * header only with it.
 */
const ORIGIN_VERIFY_SECRET: SecretSpec = {
  id: ORIGIN_VERIFY_SECRET_ID,
  env: 'ORIGIN_VERIFY_SECRET',
  description: 'Value of the origin header CloudFront adds to API requests: proves a request came through it',
};

const noSchedules = () => [];

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'editions',
    entry: 'functions/editions/main.ts',
    description: 'Edition config, phase state and phase changes (scheduled or by an admin)',
    routes: [
      { method: 'GET', path: '/api/health', access: 'public', summary: 'Liveness and the edition served' },
      { method: 'GET', path: '/api/openapi.json', access: 'public', summary: 'OpenAPI document of this API' },
      {
        method: 'GET',
        path: '/api/editions/{edition}',
        access: 'public',
        summary: 'Public config, current phase and calendar',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/phase',
        access: ['admin', 'coordinator', 'committee', 'elected', 'ops'],
        summary: 'Phase state and its history of changes',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/phase',
        access: ['admin'],
        summary: 'Change the phase by hand, with a reason',
      },
    ],
    // An extended vote ends when voting says so (the `counting` schedule declines while it runs).
    // An admin published the results (results function): the phase moves to `results`.
    subscriptions: [
      { id: 'vote-window-ended', events: [VoteWindowEnded] },
      { id: 'results-published', events: [ResultsPublished] },
    ],
    schedules: (edition) =>
      phaseTransitions(edition).map((transition) => ({
        id: `phase-${transition.phase}`,
        expression: `at(${transition.localTime}:00)`,
        timeZone: edition.timeZone,
        description: `Phase « ${transition.phase} » le ${transition.localTime} (${edition.timeZone})`,
        input: { kind: 'phase-transition', edition: edition.id, phase: transition.phase },
      })),
    secrets: [ORIGIN_VERIFY_SECRET],
    permissions: {
      table: {
        // The phase (`PHASE`, `PHASE#CHANGE#...`), the config and the vote-closed marker (`VOTECLOSED`).
        owns: ['EDITION#{edition}'],
        // The vote window (guard of the close), the ballot list (instruction's, else the seeded projects).
        reads: ['EDITION#{edition}#VOTING', 'INSTRUCTION#{edition}', 'EDITION#{edition}#PROJECTS'],
      },
      publishes: [PhaseChanged, VoteOpeningRefused],
      sendsEmail: false,
    },
  },
  {
    name: 'identity',
    entry: 'functions/identity/main.ts',
    description: 'Citizen verification by email code, session tokens, eligibility, duplicate review',
    // Everyone signs in before voting: the same opening-hour peak as the vote, shorter calls.
    reservedConcurrency: 50,
    routes: [
      {
        method: 'GET',
        path: '/api/editions/{edition}/identity/jwks.json',
        access: 'public',
        summary: 'Public keys of citizen session tokens (JWKS)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/identity/communes',
        access: 'public',
        summary: 'Communes of the edition for a postcode (?postcode=44000)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/identity/code',
        access: 'public',
        summary: 'Send a one-time code to an email address',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/identity/session',
        access: 'public',
        summary: 'Code + profile → citizen session token (eligibility checked)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/me',
        access: ['citizen'],
        summary: 'Everything held about me',
      },
      {
        method: 'DELETE',
        path: '/api/editions/{edition}/me',
        access: ['citizen'],
        summary: 'Erase my personal data (an anonymous has-voted marker stays)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/identity/reviews',
        access: ['coordinator'],
        summary: 'Duplicate-review queue (?status=open|cleared|rejected)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/identity/reviews/{id}',
        access: ['coordinator'],
        summary: 'Clear or reject a held identity, with a reason',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/identity/in-person',
        access: ['coordinator'],
        summary: 'Register a person on site (no email): paper/kiosk vote only, one-time voting code to print',
      },
    ],
    // The retention's batches: each erases a bounded page of the sparse index in its own invocation (own
    // timeout, the rule's retries and dead-letter queues), never inside an HTTP request. An event rather
    // than an SQS queue: the local bus already runs rules with Lambda's retries and a DLQ, so local = deployed.
    subscriptions: [{ id: 'retention-batches', events: [RetentionBatchRequested] }],
    schedules: (edition) => [
      {
        id: 'personal-data-retention',
        // Daily at night; does nothing until personalDataRetentionDays after the results, then only asks for
        // one batch per non-empty shard of the retention index (RetentionBatchRequested); idempotent.
        expression: 'cron(30 3 * * ? *)',
        timeZone: edition.timeZone,
        description: `Effacement des données personnelles ${edition.personalDataRetentionDays} jours après les résultats`,
        input: {
          kind: 'personal-data-retention',
          edition: edition.id,
          scheduledAt: '<aws.scheduler.scheduled-time>',
        },
      },
    ],
    secrets: [
      {
        id: 'citizen-signing-seed',
        env: 'CITIZEN_SIGNING_SEED_SECRET',
        description: 'Seed of the P-256 key that signs citizen session tokens',
      },
      {
        id: 'fingerprint-key',
        env: 'FINGERPRINT_KEY_SECRET',
        description: 'HMAC key of email keys, one-time code hashes and duplicate fingerprints',
      },
      ORIGIN_VERIFY_SECRET,
    ],
    permissions: {
      table: {
        owns: [
          'IDCODE#*',
          'IDEMAIL#*',
          'CITIZEN#*',
          'IDMATCH#*',
          'IDREVIEW#*',
          'VOTECODE#*',
          'RATE#*',
          'RETENTIONBATCH#*',
        ],
        // « Mes données » (GET /me): what every context holds about the citizen, read only.
        reads: [
          'EDITION#{edition}',
          'IDEADRAFT#*',
          'IDEAAUTHOR#*',
          'IDEASUPPORT#*',
          'IDEA#*',
          'FOLLOWUP#*',
          'VOTER#*',
        ],
        indexes: { gsi1: ['IDREVIEWS#*', 'PERSONALDATA#*', 'EMAILLOG#{edition}'] },
      },
      publishes: [CitizenVerified, DuplicateSuspected, CitizenErased, RetentionBatchRequested],
      sendsEmail: true,
    },
  },
  {
    name: 'voting',
    entry: 'functions/voting/main.ts',
    description: 'Vote window, ballot casting (secret, once per person), receipts, paper ballots, turnout',
    // The last-day rush: more memory is more CPU for token checks and the transaction's round trip.
    memoryMb: 512,
    // ~100 ballots a second at 1 s each, the peak of the largest Départements' votes, with room to spare.
    reservedConcurrency: 100,
    routes: [
      {
        method: 'GET',
        path: '/api/editions/{edition}/ballot',
        access: ['citizen'],
        summary: 'My ballot: my envelopes, their projects in my own shuffled order, the frozen rules',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/ballots',
        access: ['citizen'],
        summary: 'Cast my ballot (Idempotency-Key required); answers a receipt code',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/turnout',
        access: 'public',
        summary: 'Turnout per territory and channel, refreshed at most once a minute',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/vote-window',
        access: ['admin'],
        summary: 'Pause, resume or extend the vote, with a reason (audited, coordinators and committee told)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/paper-ballots',
        access: ['coordinator'],
        summary: 'One agent’s entry of a paper sheet: the second matching entry by another agent casts it',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/paper-ballots',
        access: ['coordinator'],
        summary: 'Paper sheets by status (?status=flagged|pending|refused|cast|void, default flagged)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/paper-ballots/{sheet}/resolution',
        access: ['coordinator'],
        summary: 'A third agent resolves a flagged sheet: cast what the sheet says, or void it with a reason',
      },
    ],
    subscriptions: [
      { id: 'phase-changes', events: [PhaseChanged] },
      // The has-voted marker moves under the erased identity's new id (no way back to the person).
      { id: 'citizen-erased', events: [CitizenErased] },
    ],
    secrets: [
      ORIGIN_VERIFY_SECRET,
      {
        id: 'fingerprint-key',
        env: 'FINGERPRINT_KEY_SECRET',
        description: 'HMAC key of email keys, one-time code hashes and duplicate fingerprints',
      },
    ],
    schedules: (edition) => [
      {
        id: 'vote-window-watch',
        // Reads one item: republishes a window change whose event did not make it, and asks for the close
        // once an extended window has ended (the configured `counting` schedule declines while it runs).
        expression: 'rate(1 minute)',
        timeZone: edition.timeZone,
        description: 'Fin d’une prolongation du vote et diffusion des changements de fenêtre en attente',
        input: { kind: 'vote-window-watch', edition: edition.id },
      },
    ],
    permissions: {
      table: {
        owns: ['EDITION#{edition}#VOTING', 'VOTER#*', 'BALLOT#*', 'TURNOUT#*', 'PAPERSHEET#*'],
        // The phase and vote-closed marker (checked in the ballot's transaction), the identity checked there too,
        // the in-person voting code, the config and the ballot list.
        reads: [
          'EDITION#{edition}',
          'CITIZEN#*',
          'VOTECODE#*',
          'INSTRUCTION#{edition}',
          'EDITION#{edition}#PROJECTS',
        ],
        // The in-person voting code is marked used in the ballot's transaction (identity issues it).
        updates: ['VOTECODE#*'],
        indexes: { gsi1: ['RECEIPT#*', 'PAPERSHEETS#*'] },
      },
      publishes: [VotingOpened, VotingClosed, VoteWindowChanged, VoteWindowEnded],
      // The receipt code by email, sent by voting itself: never in an event next to a citizen id.
      sendsEmail: true,
    },
  },
  {
    name: 'ideas',
    entry: 'functions/ideas/main.ts',
    description: 'Idea intake, drafts, edits, moderation, public listing and search, merges',
    routes: [
      {
        method: 'POST',
        path: '/api/editions/{edition}/ideas',
        access: ['citizen'],
        summary: 'Submit an idea while the call for ideas is open (Idempotency-Key required)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/ideas',
        access: 'public',
        summary: 'Published ideas: filters, accent-insensitive search, sort, pages (cached 15 s)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/ideas/{id}',
        access: 'public',
        summary: 'One idea: published ones for anyone, any status for its authors and staff readers',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/ideas/{id}/pictures',
        access: ['citizen'],
        summary:
          'Presigned PUT for one picture of my idea (JPEG, PNG or WebP, 5 MB, 3 per idea); 409 without S3',
      },
      {
        method: 'PUT',
        path: '/api/editions/{edition}/ideas/{id}/support',
        access: ['citizen'],
        summary: 'Support a published idea (when the edition enables supports); once per citizen, idempotent',
      },
      {
        method: 'DELETE',
        path: '/api/editions/{edition}/ideas/{id}/support',
        access: ['citizen'],
        summary: 'Withdraw my support of an idea (idempotent)',
      },
      {
        method: 'PATCH',
        path: '/api/editions/{edition}/ideas/{id}',
        access: ['citizen'],
        summary: 'Edit my idea while the call is open (back to moderation), or withdraw it',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/me/ideas',
        access: ['citizen'],
        summary: 'My ideas, whatever their status, and whether I have a draft',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/me/idea-draft',
        access: ['citizen'],
        summary: 'My server-side draft of an idea',
      },
      {
        method: 'PUT',
        path: '/api/editions/{edition}/me/idea-draft',
        access: ['citizen'],
        summary: 'Save my draft (any field, incomplete allowed); deleted when I submit',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/ideas-window',
        access: 'public',
        summary:
          'When the call for ideas opens and closes (admin extension included), and whether it is open',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/moderation',
        access: ['moderator', 'coordinator', 'committee'],
        summary: 'Moderation queue (?status=submitted by default), oldest first',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/ideas/{id}',
        access: ['moderator', 'coordinator', 'committee'],
        summary: 'One idea with its audit trail (who, when, why)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/ideas/{id}/moderation',
        access: ['moderator'],
        summary:
          'Publish, request a change (reason), hide (charter rule + reason) or merge into another idea',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/ideas-window',
        access: ['admin'],
        summary: 'Extend the call for ideas beyond the calendar, with a reason (audited)',
      },
    ],
    // Its own events regenerate the static public list (`data/ideas.json` on the site, cached by CloudFront).
    subscriptions: [
      {
        id: 'public-list',
        events: [IdeaPublished, IdeaChangeRequested, IdeaHidden, IdeasMerged, IdeaEdited, IdeaWithdrawn],
      },
      // Drafts, supports, claims and pointers go; ideas stay, with no link to the person.
      { id: 'citizen-erased', events: [CitizenErased] },
    ],
    schedules: (edition) => [
      {
        id: 'ideas-sweep',
        // Publishes events the bus refused when their change was stored (outbox), and rewrites the public
        // list while supports can move its counts. One query when there is nothing to do.
        expression: 'rate(1 minute)',
        timeZone: edition.timeZone,
        description: 'Diffusion des événements d’idées en attente et liste publique des idées',
        input: { kind: 'ideas-sweep', edition: edition.id },
      },
    ],
    secrets: [ORIGIN_VERIFY_SECRET],
    permissions: {
      table: {
        owns: [
          'IDEA#*',
          'IDEAAUTHOR#*',
          'IDEMPOTENCY#*',
          'IDEADRAFT#*',
          'IDEASUPPORT#*',
          'IDEASUPPORTS#*',
          'EDITION#{edition}#IDEAS',
        ],
        // Phase and config; the idea's path after the call: verdict, ballot list, published results, realisation.
        reads: ['EDITION#{edition}', 'DOSSIER#*', 'INSTRUCTION#{edition}', 'EDITION#{edition}#RESULTS'],
        indexes: { gsi1: ['IDEAS#*', 'IDEAOUTBOX', 'IDEACLAIMS#*', 'SUPPORTCOUNTS#*'] },
      },
      publishes: [
        IdeaSubmitted,
        IdeaPublished,
        IdeaChangeRequested,
        IdeaHidden,
        IdeasMerged,
        IdeaEdited,
        IdeaWithdrawn,
      ],
      sendsEmail: false,
      writesSiteData: true,
      presignsUploads: true,
    },
  },
  {
    name: 'results',
    entry: 'functions/results/main.ts',
    description: 'Counting of the closed vote, staff review, publication, receipts check and open data',
    // A count reads every ballot of the edition into memory and runs the rule: room and time for it.
    memoryMb: 1024,
    timeoutSeconds: 300,
    routes: [
      {
        method: 'GET',
        path: '/api/editions/{edition}/results',
        access: 'public',
        summary: 'Published results per envelope: winners, support, cost, explanations, rule (403 before)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/receipts/check',
        access: 'public',
        summary:
          'After publication: was the ballot of this receipt (code in the body) counted in the published results, in which envelopes (403 before)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/open-data/{file}',
        access: 'public',
        summary:
          'Open data after publication: projects/results .csv/.json, ballots-<envelope>.pb, manifest.json',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/results',
        access: ['coordinator', 'committee', 'admin', 'elected'],
        summary: 'Computed results to review before publication (and their publication state)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/results/publish',
        access: ['admin'],
        summary: 'Publish the computed results, with a reason (the phase moves to results)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/results/recount',
        access: ['admin'],
        summary:
          'Recount the closed vote from the stored ballots, with a reason: a new version replaces the results (audited)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/results/annulment',
        access: ['admin'],
        summary:
          'Annul the vote, with a mandatory reason: its results are marked annulled (audited, VoteAnnulled)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/realisations',
        access: 'public',
        summary: 'Follow-up of the published winners: realisation status and dated milestones (403 before)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/me/results-news',
        access: ['citizen'],
        summary: 'Whether I asked for the results by email, and the winners I follow',
      },
      {
        method: 'PUT',
        path: '/api/editions/{edition}/me/results-news',
        access: ['citizen'],
        summary: 'Ask (or stop asking) to be emailed the results: stored with me, never with a ballot',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/projects/{project}/followers',
        access: ['citizen'],
        summary: 'Follow a published winner (verified citizens): an email at each change of its realisation',
      },
      {
        method: 'DELETE',
        path: '/api/editions/{edition}/projects/{project}/followers',
        access: ['citizen'],
        summary: 'Stop following a project',
      },
      {
        method: 'PUT',
        path: '/api/editions/{edition}/staff/projects/{project}/realisation',
        access: ['coordinator', 'admin'],
        summary: 'Set a winner’s realisation: status, reason (abandoned), dated milestones (followers told)',
      },
    ],
    subscriptions: [
      { id: 'voting-closed', events: [VotingClosed] },
      // The results-news opt-in and the follows go.
      { id: 'citizen-erased', events: [CitizenErased] },
    ],
    schedules: noSchedules,
    secrets: [ORIGIN_VERIFY_SECRET],
    permissions: {
      table: {
        // Results, open data, receipts counted, audit and realisations; the citizens' opt-ins and follows.
        owns: ['EDITION#{edition}#RESULTS', 'FOLLOWUP#*'],
        // The phase and config, voting's frozen snapshot and its ballots (the count), an identity's status.
        reads: ['EDITION#{edition}', 'EDITION#{edition}#VOTING', 'BALLOT#*', 'CITIZEN#*'],
      },
      publishes: [ResultsComputed, ResultsPublished, RealisationUpdated, VoteAnnulled],
      sendsEmail: false,
    },
  },
  {
    name: 'instruction',
    entry: 'functions/instruction/main.ts',
    description:
      'Instruction of published ideas: assignment to services, opinions and verdicts, deadlines, committee',
    routes: [
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/instruction/dossiers',
        access: ['instructor', 'coordinator', 'committee'],
        summary:
          'Dossiers (an instructor sees its service’s), filters ?service&status&territory&theme, overdue first',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/instruction/dossiers/{id}',
        access: ['instructor', 'coordinator', 'committee'],
        summary: 'One dossier: idea, assignments, opinions, verdict, committee opinions, timeline',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/assignments',
        access: ['coordinator'],
        summary: 'Assign ideas (listed, or all of a theme/territory) to one or more services with a due date',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/assignments/{assignment}/acceptance',
        access: ['instructor'],
        summary: 'My service accepts the assignment',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/assignments/{assignment}/reassignment-request',
        access: ['instructor'],
        summary: 'Ask the coordinators to give the assignment to another service, with a reason',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/assignments/{assignment}/decisions',
        access: ['instructor'],
        summary:
          'My service’s decision: admissibility, feasibility, cost estimate or proposed merge, with reason',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/dossiers/{id}/verdict',
        access: ['coordinator'],
        summary: 'Consolidated verdict with reason: retained as a project (title, summary, cost), or not',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/dossiers/{id}/committee-opinion',
        access: ['committee'],
        summary: 'The Comité citoyen’s opinion (avis) on an idea',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/instruction/ballot-list',
        access: ['coordinator', 'committee', 'admin'],
        summary: 'Projects put to the vote, their SHA-256 and the validation state',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/ballot-list/validation',
        access: ['committee'],
        summary: 'The Comité citoyen validates the list (it is frozen from then)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/ballot-list/reopening',
        access: ['coordinator', 'admin'],
        summary: 'Reopen the validated list, with a recorded reason',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/instruction/action-links',
        access: ['instructor', 'coordinator'],
        summary: 'Use a signed action link of an email (single-use, expiring, bound to its recipient)',
      },
    ],
    subscriptions: [],
    secrets: [
      ORIGIN_VERIFY_SECRET,
      {
        id: 'action-link-key',
        env: 'ACTION_LINK_KEY_SECRET',
        description: 'HMAC key of the signed action links in staff emails (and of unsubscribe links)',
      },
    ],
    schedules: (edition) => [
      {
        id: 'instruction-deadlines',
        // Every day at 07:00 Paris time: reminders, escalations and the coordinators' digest.
        expression: 'cron(0 7 * * ? *)',
        timeZone: edition.timeZone,
        description: 'Rappels d’échéance, relances et synthèse quotidienne de l’instruction',
        // The occurrence (not the run) decides the Paris day: a retried or late run checks the same day.
        input: {
          kind: 'instruction-deadlines',
          edition: edition.id,
          scheduledAt: '<aws.scheduler.scheduled-time>',
        },
      },
      {
        id: 'instruction-sweep',
        // Publishes events the bus refused when their change was stored (outbox). One query when there
        // is nothing to do.
        expression: 'rate(1 minute)',
        timeZone: edition.timeZone,
        description: 'Diffusion des événements d’instruction en attente',
        input: { kind: 'instruction-sweep', edition: edition.id },
      },
    ],
    permissions: {
      table: {
        owns: ['DOSSIER#*', 'INSTRUCTION#{edition}', 'INSTRUCTION#{edition}#*', 'ACTIONLINK#*'],
        // Phase and config; the published ideas it instructs.
        reads: ['EDITION#{edition}', 'IDEA#*'],
        indexes: { gsi1: ['IDEAS#published', 'INSTRUCTION#ASSIGNMENTS', 'INSTRUCTION#DOSSIERS'] },
      },
      publishes: [
        IdeaAssigned,
        ReassignmentRequested,
        DecisionRecorded,
        DeadlineApproaching,
        DeadlineMissed,
        InstructionDigestReady,
        BallotListValidated,
        BallotListReopened,
      ],
      sendsEmail: false,
    },
  },
  {
    name: 'notifications',
    entry: 'functions/notifications/main.ts',
    description: 'Every email of the product: French templates, SESv2, once per event and recipient',
    routes: [
      {
        method: 'GET',
        path: '/api/editions/{edition}/staff/email-log',
        access: ['coordinator', 'admin'],
        summary:
          'Search the email log (?recipient&template&status&event): who got what, when, and its status',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/unsubscribe',
        access: 'public',
        summary: 'Unsubscribe from a list of non-essential mail with the signed link of an email ({ token })',
      },
    ],
    secrets: [
      ORIGIN_VERIFY_SECRET,
      {
        id: 'action-link-key',
        env: 'ACTION_LINK_KEY_SECRET',
        description: 'HMAC key of the signed action links in staff emails (and of unsubscribe links)',
      },
      {
        id: 'page-cursor-key',
        env: 'PAGE_CURSOR_KEY_SECRET',
        description: 'HMAC key of the pagination cursors list routes hand out (shared/http/page-cursor.ts)',
      },
    ],
    subscriptions: [
      { id: 'phase-changes', events: [PhaseChanged] },
      { id: 'duplicates', events: [DuplicateSuspected] },
      { id: 'vote-window', events: [VoteWindowChanged] },
      { id: 'vote-opening-refused', events: [VoteOpeningRefused] },
      {
        id: 'ideas',
        events: [IdeaSubmitted, IdeaPublished, IdeaChangeRequested, IdeaHidden, IdeasMerged],
      },
      {
        id: 'instruction',
        events: [
          IdeaAssigned,
          ReassignmentRequested,
          DecisionRecorded,
          DeadlineApproaching,
          DeadlineMissed,
          InstructionDigestReady,
          BallotListValidated,
          BallotListReopened,
        ],
      },
      // The email log's lines to an erased person lose their recipient.
      { id: 'citizen-erased', events: [CitizenErased] },
      // Bounces and complaints of the edition's mail suppress the address (SES → default bus).
      { id: 'ses-feedback', events: SES_FEEDBACK_EVENTS, bus: 'aws' },
    ],
    schedules: noSchedules,
    permissions: {
      table: {
        owns: ['EMAIL#*', 'SUPPRESSION#*'],
        // Config; the citizen address read (`CITIZEN#<id>` / `IDENTITY`); ideas' titles and authors. The results
        // and the followers' emails, with what they read, are the mail fan-out's.
        reads: ['EDITION#{edition}', 'CITIZEN#*', 'IDEA#*'],
        // The email log.
        indexes: { gsi1: ['EMAILLOG#{edition}'] },
      },
      publishes: [],
      sendsEmail: true,
    },
  },
  {
    // Batch work out of the HTTP functions: the results emails (authors and every citizen who asked, tens of
    // thousands in a Département) are planned in batches on `ResultsPublished`, the emails to a winner's followers
    // (thousands for a popular project) on `RealisationUpdated`; each batch its own invocation with its own
    // timeout, the rule's retries and dead-letter queues. Events rather than an SQS queue: the local bus runs rules
    // with Lambda's retries and a DLQ, so the local stack runs the same path.
    name: 'mail-fanout',
    entry: 'functions/notifications/fanout-main.ts',
    description:
      'Results and followers emails in batches: planned on ResultsPublished and RealisationUpdated, one invocation per batch of 500',
    memoryMb: 512,
    // A batch of 500 at 7 sends a second takes about 72 s.
    timeoutSeconds: 300,
    // SES's sending rate is the limit, not Lambda: two batches at a time, each pacing itself
    // (MAIL_FANOUT_SENDS_PER_SECOND, 7): 14 emails a second for the account, the quota of a new production
    // account. Throttled batches wait in Lambda's asynchronous queue (up to 6 hours), they are not lost.
    reservedConcurrency: 2,
    routes: [],
    subscriptions: [
      { id: 'results-published', events: [ResultsPublished] },
      { id: 'results-mail-batches', events: [ResultsMailBatchRequested] },
      // Followers of a winner hear of its realisation.
      { id: 'realisation-updated', events: [RealisationUpdated] },
      { id: 'realisation-mail-batches', events: [RealisationMailBatchRequested] },
    ],
    secrets: [
      {
        id: 'action-link-key',
        env: 'ACTION_LINK_KEY_SECRET',
        description: 'HMAC key of the signed action links in staff emails (and of unsubscribe links)',
      },
    ],
    schedules: noSchedules,
    permissions: {
      table: {
        // The email log (sent once per reason and recipient), as the notifications function writes it.
        owns: ['EMAIL#*'],
        // Config; suppressions; the citizen address read; the published results, projects' ideas, their authors;
        // whether a batch's follower still follows the project (results').
        reads: [
          'EDITION#{edition}',
          'SUPPRESSION#*',
          'CITIZEN#*',
          'IDEA#*',
          'EDITION#{edition}#RESULTS',
          'EDITION#{edition}#PROJECTS',
          'FOLLOWUP#*',
        ],
        // The results news opt-ins and a winner's followers (results').
        indexes: { gsi1: ['RESULTSNEWS#{edition}', 'FOLLOWERS#{edition}#*'] },
      },
      publishes: [ResultsMailBatchRequested, RealisationMailBatchRequested],
      sendsEmail: true,
    },
  },
];

export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** Every route with the function that serves it. */
export function allRoutes(): { fn: FunctionSpec; route: RouteSpec }[] {
  return FUNCTIONS.flatMap((fn) => fn.routes.map((route) => ({ fn, route })));
}

/**
 * Every secret of the manifest, once, with the first function that declares it (a secret several functions
 * read, `fingerprint-key` say, is one secret: each function that declares it is granted read).
 */
export function allSecrets(): { fn: FunctionSpec; secret: SecretSpec }[] {
  const seen = new Set<string>();
  return FUNCTIONS.flatMap((fn) => (fn.secrets ?? []).map((secret) => ({ fn, secret }))).filter(
    ({ secret }) => !seen.has(secret.id) && Boolean(seen.add(secret.id)),
  );
}

let routesByKey: Map<string, RouteSpec> | undefined;

/** The route declared for an API Gateway `routeKey` (`GET /api/editions/{edition}`), if any. */
export function findRoute(key: string): RouteSpec | undefined {
  // Every request asks (twice): index the manifest once rather than rebuilding the route list each time.
  routesByKey ??= new Map(allRoutes().map(({ route }) => [routeKey(route), route]));
  return routesByKey.get(key);
}

/**
 * What a function's bundle needs of its manifest entry at run time: who may call each of its routes (by route key)
 * and its table access. Generated per function into `shared/manifest-slices/` (`npm run gen:manifest`), so that a
 * bundle carries its own few lines instead of the whole manifest (every route, schedule and description).
 */
export interface FunctionSlice {
  readonly name: string;
  /** `METHOD /path` → who may call it. */
  readonly routes: Readonly<Record<string, Access>>;
  readonly permissions: { readonly table: TableAccess };
}

/** The run-time slice of a function's manifest entry. */
export function sliceOf(fn: FunctionSpec): FunctionSlice {
  return {
    name: fn.name,
    routes: Object.fromEntries(fn.routes.map((route) => [routeKey(route), route.access])),
    permissions: { table: fn.permissions.table },
  };
}
