import * as z from 'zod/mini';
import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import type { EditionStore } from '../../shared/edition/edition-store.ts';
import { Phase } from '../../shared/edition/phases.ts';
import { DomainError, notFound } from '../../shared/errors/domain-error.ts';
import { ResultsPublished, VoteWindowEnded } from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { type HttpRequest, httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { ChangePhaseBody } from '../../shared/http/schemas.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { EDITIONS_SLICE } from '../../shared/manifest-slices/editions.generated.ts';
import { scheduleHandler } from '../../shared/schedules/schedule-handler.ts';
import { reviewBallotList } from '../../shared/voting/ballot-list-review.ts';
import type { Project } from '../../shared/voting/projects.ts';
import { changePhase } from './change-phase.ts';
import type { PhaseRepository } from './phase-repository.ts';
import { readPhaseHistory, readPublicEdition } from './read-edition.ts';

export interface EditionsDeps {
  edition: string;
  editions: EditionStore;
  phases: PhaseRepository;
  /** The projects the vote would freeze (the validated ballot list, else the seeded projects). */
  projects: () => Promise<Project[]>;
  events: EventPublisher;
  logger: Logger;
  verifyToken: VerifyToken;
  now: () => Date;
  newId: () => string;
}

const PhaseTransitionInput = z.object({
  kind: z.literal('phase-transition'),
  edition: z.string(),
  phase: Phase,
});

export function makeHandler(input: EditionsDeps) {
  const deps = {
    ...input,
    reviewBallotList: async () => reviewBallotList(await input.editions.get(), await input.projects()),
  };
  /** This function serves one edition; any other id in the path is unknown here. */
  const config = async (request: HttpRequest) => {
    if (request.params.edition !== deps.edition) {
      throw notFound('edition_not_found', `L’édition « ${request.params.edition} » n’existe pas.`);
    }
    return deps.editions.get();
  };

  const http = httpHandler({
    access: EDITIONS_SLICE.routes,
    logger: deps.logger,
    verifyToken: deps.verifyToken,
    routes: {
      'GET /api/health': async () => ({
        body: { status: 'ok', edition: deps.edition, time: deps.now().toISOString() },
      }),
      'GET /api/openapi.json': async () => ({ body: openApiDocument() }),
      'GET /api/editions/{edition}': async (request) => ({
        body: await readPublicEdition(deps, await config(request)),
      }),
      'GET /api/editions/{edition}/staff/phase': async (request) => ({
        body: await readPhaseHistory(deps, await config(request)),
      }),
      'POST /api/editions/{edition}/staff/phase': async (request) => {
        const edition = await config(request);
        const body = parseWith(ChangePhaseBody, request.body, 'body');
        const principal = request.principal;
        if (!principal)
          throw new DomainError({ code: 'unauthenticated', status: 401, title: 'Connexion requise' });
        await changePhase(deps, {
          to: body.to,
          reason: body.reason,
          actor: { kind: 'staff', sub: principal.sub, role: 'admin' },
          forwardOnly: false,
        });
        return { body: await readPhaseHistory(deps, edition) };
      },
    },
  });

  const schedules = scheduleHandler({
    input: PhaseTransitionInput,
    logger: deps.logger,
    handle: async (input) => {
      if (input.edition !== deps.edition) throw new Error(`Schedule for another edition: ${input.edition}`);
      // The configured close does not cut short an extension an admin granted (checked in the transaction).
      await changePhase(deps, {
        to: input.phase,
        actor: { kind: 'schedule' },
        forwardOnly: true,
        unlessVoteExtended: true,
      });
    },
  });

  const events = eventHandler({
    logger: deps.logger,
    routes: [
      // Voting saw the extended window end: close the vote now. Idempotent (same phase: nothing happens).
      on(VoteWindowEnded, async (detail) => {
        if (detail.edition !== deps.edition) return;
        await changePhase(deps, {
          to: 'counting',
          actor: { kind: 'schedule' },
          forwardOnly: true,
          unlessVoteExtended: true,
        });
      }),
      // An admin published the results: the public phase follows. Idempotent (same phase: nothing happens).
      on(ResultsPublished, async (detail) => {
        if (detail.edition !== deps.edition) return;
        await changePhase(deps, {
          to: 'results',
          reason: detail.reason,
          actor: detail.actor,
          forwardOnly: true,
        });
      }),
    ],
  });

  return lambdaEntry({ http, schedules, events });
}
