import * as z from 'zod/mini';
import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import type { EditionStore } from '../../shared/edition/edition-store.ts';
import type { Mailer } from '../../shared/email/mailer.ts';
import { DomainError, notFound } from '../../shared/errors/domain-error.ts';
import { RetentionBatchRequested } from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { type HttpRequest, httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import { trustedClientAddress } from '../../shared/http/origin.ts';
import {
  InPersonRegistrationBody,
  OpenSessionBody,
  RequestCodeBody,
  ReviewDecisionBody,
} from '../../shared/http/schemas.ts';
import { IdempotencyKey } from '../../shared/http/voting-schemas.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { IDENTITY_SLICE } from '../../shared/manifest-slices/identity.generated.ts';
import type { BusinessMetrics } from '../../shared/metrics/business-metrics.ts';
import type { CitizenRecords } from '../../shared/personal-data/citizen-records.ts';
import { scheduleHandler } from '../../shared/schedules/schedule-handler.ts';
import { decideReview, listReviews } from './decide-review.ts';
import { communesForPostcode } from './eligibility.ts';
import { eraseRetentionBatch, startRetention } from './erase-expired-data.ts';
import type { IdentityRepository } from './identity-repository.ts';
import type { KeyedHash } from './keyed-hash.ts';
import { eraseMyData, readMyData } from './my-data.ts';
import { openSession } from './open-session.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { registerInPerson } from './register-in-person.ts';
import { type CodePolicy, requestCode } from './request-code.ts';
import type { CitizenTokenSigner } from './signing-key.ts';

/** What needs the secrets, built once per cold start on first use. */

/**
 * The request's `Idempotency-Key`, checked when present: optional on the identity routes (a retry with it is
 * recognised as the same request; without it every request is a new one).
 */
function optionalRequestKey(request: HttpRequest): string | undefined {
  return request.idempotencyKey === undefined
    ? undefined
    : parseWith(IdempotencyKey, request.idempotencyKey, 'headers.idempotency-key');
}

export interface IdentityKeys {
  hash: KeyedHash;
  signer: CitizenTokenSigner;
  /** Value of the origin header CloudFront adds (`shared/http/origin.ts`). */
  originSecret: string;
}

export interface IdentityDeps {
  /** Business metrics (codes sent, ideas submitted, ballots cast) for the edition's dashboard. @default none */
  metrics?: BusinessMetrics;
  edition: string;
  editions: EditionStore;
  identities: IdentityRepository;
  /** What the other contexts keep under a citizen id, for the person's export (read-only). */
  records: CitizenRecords;
  limiter: RateLimiter;
  mailer: Mailer;
  events: EventPublisher;
  keys: () => Promise<IdentityKeys>;
  policy: CodePolicy;
  logger: Logger;
  verifyToken: VerifyToken;
  now: () => Date;
  newId: () => string;
  newCode: () => string;
  /** Printed one-time voting code of an in-person registration. */
  newVotingCode: () => string;
}

/** The daily retention schedule's input (see the manifest's identity schedules). */
export const RetentionInput = z.object({
  kind: z.literal('personal-data-retention'),
  edition: z.string(),
  /** Scheduler's `<aws.scheduler.scheduled-time>`: the occurrence decides, so a retry decides the same. */
  scheduledAt: z.optional(z.iso.datetime()),
  /** Identities per batch (default `DEFAULT_RETENTION_BATCH_SIZE`); bounded like the event's. */
  batchSize: z.optional(RetentionBatchRequested.detail.shape.batchSize),
});

const ReviewStatusQuery = z.object({ status: z._default(z.enum(['open', 'cleared', 'rejected']), 'open') });
const PostcodeQuery = z.object({
  postcode: z.string().check(z.regex(/^\d{5}$/, { message: 'Code postal attendu (5 chiffres)' })),
});

export function makeHandler(deps: IdentityDeps) {
  const config = async (request: HttpRequest) => {
    if (request.params.edition !== deps.edition) {
      throw notFound('edition_not_found', `L’édition « ${request.params.edition} » n’existe pas.`);
    }
    return deps.editions.get();
  };
  const principalOf = (request: HttpRequest) => {
    if (!request.principal)
      throw new DomainError({ code: 'unauthenticated', status: 401, title: 'Connexion requise' });
    return request.principal;
  };

  const http = httpHandler({
    access: IDENTITY_SLICE.routes,
    logger: deps.logger,
    verifyToken: deps.verifyToken,
    routes: {
      'GET /api/editions/{edition}/identity/jwks.json': async (request) => {
        await config(request);
        return {
          body: (await deps.keys()).signer.jwks(),
          headers: { 'cache-control': 'public, max-age=300' },
        };
      },
      'GET /api/editions/{edition}/identity/communes': async (request) => {
        const edition = await config(request);
        const { postcode } = parseWith(PostcodeQuery, request.query, 'query');
        return { body: { postcode, communes: communesForPostcode(edition, postcode) } };
      },
      'POST /api/editions/{edition}/identity/code': async (request) => {
        const edition = await config(request);
        const body = parseWith(RequestCodeBody, request.body, 'body');
        const { hash, originSecret } = await deps.keys();
        const sent = await requestCode({ ...deps, hash }, edition, {
          email: body.email,
          clientAddress: trustedClientAddress(request, originSecret),
          requestKey: optionalRequestKey(request),
        });
        deps.logger.info('identity code sent', { expiresAt: sent.expiresAt });
        deps.metrics?.count('codesSent');
        return { status: 202, body: sent };
      },
      'POST /api/editions/{edition}/identity/session': async (request) => {
        const edition = await config(request);
        const body = parseWith(OpenSessionBody, request.body, 'body');
        const keys = await deps.keys();
        const session = await openSession({ ...deps, ...keys }, edition, {
          ...body,
          clientAddress: trustedClientAddress(request, keys.originSecret),
          requestKey: optionalRequestKey(request),
        });
        deps.logger.info('citizen session opened', {
          citizenId: session.citizen.id,
          status: session.citizen.status,
          created: session.citizen.created,
        });
        return { status: session.citizen.created ? 201 : 200, body: session };
      },
      'GET /api/editions/{edition}/me': async (request) => {
        await config(request);
        return { body: await readMyData(deps, principalOf(request).sub) };
      },
      'DELETE /api/editions/{edition}/me': async (request) => {
        await config(request);
        const citizenId = principalOf(request).sub;
        const erased = await eraseMyData(deps, deps.edition, citizenId);
        deps.logger.info('personal data erased', { citizenId });
        return { body: erased };
      },
      'GET /api/editions/{edition}/staff/identity/reviews': async (request) => {
        await config(request);
        const { status } = parseWith(ReviewStatusQuery, request.query, 'query');
        return { body: { reviews: await listReviews(deps, status) } };
      },
      'POST /api/editions/{edition}/staff/identity/reviews/{id}': async (request) => {
        await config(request);
        const body = parseWith(ReviewDecisionBody, request.body, 'body');
        const staffSub = principalOf(request).sub;
        const review = await decideReview(deps, {
          reviewId: request.params.id ?? '',
          outcome: body.outcome,
          reason: body.reason,
          staffSub,
        });
        deps.logger.info('duplicate review decided', {
          reviewId: review.reviewId,
          outcome: body.outcome,
          staffSub,
        });
        return { body: review };
      },
      'POST /api/editions/{edition}/staff/identity/in-person': async (request) => {
        const edition = await config(request);
        const body = parseWith(InPersonRegistrationBody, request.body, 'body');
        const staffSub = principalOf(request).sub;
        const { hash } = await deps.keys();
        const registration = await registerInPerson({ ...deps, hash }, edition, {
          profile: body.profile,
          staffSub,
        });
        deps.logger.info('person registered in person', {
          citizenId: registration.citizen.id,
          status: registration.citizen.status,
          staffSub,
        });
        return {
          status: 201,
          body: registration,
          // The voting code is shown once: no cache may keep it.
          headers: { 'cache-control': 'no-store' },
        };
      },
    },
  });

  const schedules = scheduleHandler({
    input: RetentionInput,
    logger: deps.logger,
    handle: async (input) => {
      if (input.edition !== deps.edition) throw new Error(`Schedule for another edition: ${input.edition}`);
      const at = input.scheduledAt ? new Date(input.scheduledAt) : deps.now();
      // Only asks for batches (events): the erasure runs in event invocations, never in this one.
      const result = await startRetention(deps, await deps.editions.get(), {
        at,
        ...(input.batchSize ? { batchSize: input.batchSize } : {}),
      });
      deps.logger.info('personal data retention started', result);
    },
  });

  const events = eventHandler({
    logger: deps.logger,
    routes: [
      on(RetentionBatchRequested, async (detail, envelope) => {
        if (detail.edition !== deps.edition) throw new Error(`Event for another edition: ${detail.edition}`);
        const result = await eraseRetentionBatch(deps, await deps.editions.get(), {
          ...detail,
          eventId: envelope.id,
        });
        deps.logger.info('personal data retention batch', {
          shard: detail.shard,
          batch: detail.batch,
          ...result,
        });
      }),
    ],
  });
  return lambdaEntry({ http, schedules, events });
}
