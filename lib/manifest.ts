/**
 * The one description of the platform: functions, their HTTP routes and the role each needs, their
 * event subscriptions and schedules, and the table. Plain data: the CDK stacks (lib/stacks), the local
 * runtime (local/) and the handlers' authorisation middleware all read it, so nothing is declared twice.
 */
import type { Role } from '../shared/auth/roles.ts';
import type { EditionConfig } from '../shared/edition/edition-config.ts';
import { phaseTransitions } from '../shared/edition/phases.ts';
import {
  CitizenVerified,
  DuplicateSuspected,
  PhaseChanged,
  VoteWindowChanged,
  VotingClosed,
  VotingOpened,
} from '../shared/events/catalogue.ts';
import type { EventContract } from '../shared/events/define-event.ts';

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
  readonly routes: readonly RouteSpec[];
  readonly subscriptions: readonly SubscriptionSpec[];
  readonly schedules: (edition: EditionConfig) => readonly ScheduleSpec[];
  /** @default none */
  readonly secrets?: readonly SecretSpec[];
  readonly permissions: {
    readonly table: 'read' | 'readwrite';
    readonly publishes: readonly EventContract[];
    readonly sendsEmail: boolean;
  };
}

export interface TableSpec {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
  /** Epoch-seconds attribute; readers still filter expired items themselves. */
  readonly ttlAttribute: string;
}

export const TABLE: TableSpec = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  ttlAttribute: 'expiresAt',
};

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
    subscriptions: [],
    schedules: (edition) =>
      phaseTransitions(edition).map((transition) => ({
        id: `phase-${transition.phase}`,
        expression: `at(${transition.localTime}:00)`,
        timeZone: edition.timeZone,
        description: `Phase « ${transition.phase} » le ${transition.localTime} (${edition.timeZone})`,
        input: { kind: 'phase-transition', edition: edition.id, phase: transition.phase },
      })),
    permissions: { table: 'readwrite', publishes: [PhaseChanged], sendsEmail: false },
  },
  {
    name: 'identity',
    entry: 'functions/identity/main.ts',
    description: 'Citizen verification by email code, session tokens, eligibility, duplicate review',
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
    subscriptions: [],
    schedules: (edition) => [
      {
        id: 'personal-data-retention',
        // Daily at night; erases nothing until personalDataRetentionDays after the results, then idempotent.
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
    ],
    permissions: { table: 'readwrite', publishes: [CitizenVerified, DuplicateSuspected], sendsEmail: true },
  },
  {
    name: 'voting',
    entry: 'functions/voting/main.ts',
    description: 'Vote window, ballot casting (secret, once per person), receipts, paper ballots, turnout',
    // The last-day rush: more memory is more CPU for token checks and the transaction's round trip.
    memoryMb: 512,
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
        method: 'GET',
        path: '/api/editions/{edition}/receipts/{code}',
        access: 'public',
        summary: 'After the results: was the ballot of this receipt counted, in which envelopes (403 before)',
      },
      {
        method: 'GET',
        path: '/api/editions/{edition}/results',
        access: 'public',
        summary: 'Results (403 until they are published; computed by the results function, issue 7)',
      },
      {
        method: 'POST',
        path: '/api/editions/{edition}/staff/vote-window',
        access: ['admin'],
        summary: 'Pause, resume or extend the vote, with a reason (audited, coordinators and committee told)',
      },
    ],
    subscriptions: [{ id: 'phase-changes', events: [PhaseChanged] }],
    schedules: noSchedules,
    permissions: {
      table: 'readwrite',
      publishes: [VotingOpened, VotingClosed, VoteWindowChanged],
      sendsEmail: false,
    },
  },
  {
    name: 'notifications',
    entry: 'functions/notifications/main.ts',
    description: 'Every email of the product: French templates, SESv2, once per event and recipient',
    routes: [],
    subscriptions: [
      { id: 'phase-changes', events: [PhaseChanged] },
      { id: 'duplicates', events: [DuplicateSuspected] },
      { id: 'vote-window', events: [VoteWindowChanged] },
    ],
    schedules: noSchedules,
    permissions: { table: 'readwrite', publishes: [], sendsEmail: true },
  },
];

export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** Every route with the function that serves it. */
export function allRoutes(): { fn: FunctionSpec; route: RouteSpec }[] {
  return FUNCTIONS.flatMap((fn) => fn.routes.map((route) => ({ fn, route })));
}

/** Every secret of the manifest with the function that reads it. */
export function allSecrets(): { fn: FunctionSpec; secret: SecretSpec }[] {
  return FUNCTIONS.flatMap((fn) => (fn.secrets ?? []).map((secret) => ({ fn, secret })));
}

/** The route declared for an API Gateway `routeKey` (`GET /api/editions/{edition}`), if any. */
export function findRoute(key: string): RouteSpec | undefined {
  return allRoutes().find(({ route }) => routeKey(route) === key)?.route;
}
