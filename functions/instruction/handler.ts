import * as z from 'zod/mini';
import type { Role } from '../../shared/auth/roles.ts';
import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { DomainError, notFound } from '../../shared/errors/domain-error.ts';
import { type HttpRequest, httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import {
  ActionLinkBody,
  AssignBody,
  AssignmentId,
  BallotListReopeningBody,
  BallotListValidationBody,
  CommitteeOpinionBody,
  DecisionBody,
  DossierListQuery,
  InstructionIdeaId,
  ReassignmentRequestBody,
  VerdictBody,
} from '../../shared/http/instruction-schemas.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { INSTRUCTION_SLICE } from '../../shared/manifest-slices/instruction.generated.ts';
import { scheduleHandler } from '../../shared/schedules/schedule-handler.ts';
import { assignIdeas } from './assign-ideas.ts';
import { acceptAssignment, requestReassignment } from './assignment-actions.ts';
import { type BallotList, readBallotList, reopenBallotList, validateBallotList } from './ballot-list.ts';
import { checkDeadlines } from './check-deadlines.ts';
import { recordCommitteeOpinion } from './committee-opinion.ts';
import { type InstructionDeps, parisDay, type Staff } from './instruction-deps.ts';
import { sweepInstructionEvents } from './instruction-outbox.ts';
import { assignmentView, listDossiers, readDossier } from './read-dossiers.ts';
import { recordDecision } from './record-decision.ts';
import { recordVerdict } from './record-verdict.ts';
import { useActionLink } from './use-action-link.ts';

export interface InstructionHandlerDeps extends InstructionDeps {
  logger: Logger;
  verifyToken: VerifyToken;
  /** The HMAC key of the signed action links (`action-link-key` secret), read once. */
  actionLinkKey: () => Promise<string>;
}

/** The daily schedule's input (shared/manifest.ts): its occurrence decides the Paris day checked. */
const DeadlinesInput = z.object({
  kind: z.literal('instruction-deadlines'),
  edition: z.string().check(z.minLength(1)),
  scheduledAt: z.optional(z.iso.datetime()),
});
/** The sweep (shared/manifest.ts): publishes the events the bus refused when their change was stored. */
const SweepInput = z.object({
  kind: z.literal('instruction-sweep'),
  edition: z.string().check(z.minLength(1)),
});
const ScheduleInput = z.discriminatedUnion('kind', [DeadlinesInput, SweepInput]);

const PREFIX = '/api/editions/{edition}/staff/instruction';

export function makeHandler(input: InstructionHandlerDeps) {
  const deps: InstructionHandlerDeps = {
    ...input,
    // Ids and detail-type only: the detail may carry reasons typed by staff and authors' pseudonyms.
    onPublishFailure:
      input.onPublishFailure ??
      ((event, error) =>
        input.logger.warn('instruction event left pending', {
          detailType: event.detailType,
          eventId: event.eventId,
          error: error instanceof Error ? error.name : 'unknown',
        })),
  };
  const config = async (request: HttpRequest): Promise<EditionConfig> => {
    if (request.params.edition !== deps.edition) {
      throw notFound('edition_not_found', `L’édition « ${request.params.edition} » n’existe pas.`);
    }
    return deps.editions.get();
  };
  /** The staff member, acting in the first of `roles` they hold (the manifest already checked one). */
  const staffAs = (request: HttpRequest, roles: readonly Role[]): Staff => {
    const principal = request.principal;
    const role = roles.find((candidate) => principal?.roles.includes(candidate));
    if (!principal || !role)
      throw new DomainError({ code: 'unauthenticated', status: 401, title: 'Connexion requise' });
    return { role, sub: principal.sub, service: principal.service };
  };
  const assignmentIdOf = (request: HttpRequest) =>
    parseWith(AssignmentId, request.params.assignment, 'path.assignment');
  const ideaIdOf = (request: HttpRequest) => parseWith(InstructionIdeaId, request.params.id, 'path.id');
  const listBody = (list: BallotList) => ({
    state: list.record.state,
    listSha256: list.listSha256,
    projects: list.projects,
    envelopes: list.envelopes,
    ...(list.record.validation
      ? {
          validation: {
            validationId: list.record.validation.validationId,
            listSha256: list.record.validation.listSha256,
            at: list.record.validation.at,
            by: list.record.validation.by,
          },
        }
      : {}),
    ...(list.record.lastReopening
      ? {
          lastReopening: {
            reopeningId: list.record.lastReopening.reopeningId,
            reason: list.record.lastReopening.reason,
            at: list.record.lastReopening.at,
            by: list.record.lastReopening.by,
          },
        }
      : {}),
  });

  const http = httpHandler({
    access: INSTRUCTION_SLICE.routes,
    logger: deps.logger,
    verifyToken: deps.verifyToken,
    routes: {
      [`GET ${PREFIX}/dossiers`]: async (request) => {
        const edition = await config(request);
        const staff = staffAs(request, ['coordinator', 'committee', 'instructor']);
        const query = parseWith(DossierListQuery, request.query, 'query');
        return { body: await listDossiers(deps, edition, { query, staff }) };
      },
      [`GET ${PREFIX}/dossiers/{id}`]: async (request) => {
        const edition = await config(request);
        const staff = staffAs(request, ['coordinator', 'committee', 'instructor']);
        return { body: await readDossier(deps, edition, { ideaId: ideaIdOf(request), staff }) };
      },
      [`POST ${PREFIX}/assignments`]: async (request) => {
        const edition = await config(request);
        const staff = staffAs(request, ['coordinator']);
        const body = parseWith(AssignBody, request.body, 'body');
        const results = await assignIdeas(deps, edition, { body, staff });
        const today = parisDay(deps.now(), edition);
        const created = results.filter((r) => r.created).length;
        deps.logger.info('ideas assigned', {
          created,
          unchanged: results.length - created,
          staffSub: staff.sub,
        });
        return {
          status: created > 0 ? 201 : 200,
          body: {
            assignments: results.map((r) => ({
              ...assignmentView(edition, r.assignment, undefined, today),
              created: r.created,
            })),
            created,
            unchanged: results.length - created,
          },
        };
      },
      [`POST ${PREFIX}/assignments/{assignment}/acceptance`]: async (request) => {
        const edition = await config(request);
        const staff = staffAs(request, ['instructor']);
        const assignment = await acceptAssignment(deps, edition, {
          assignmentId: assignmentIdOf(request),
          staff,
        });
        return { body: assignmentView(edition, assignment, undefined, parisDay(deps.now(), edition)) };
      },
      [`POST ${PREFIX}/assignments/{assignment}/reassignment-request`]: async (request) => {
        const edition = await config(request);
        const staff = staffAs(request, ['instructor']);
        const { reason } = parseWith(ReassignmentRequestBody, request.body, 'body');
        const assignment = await requestReassignment(deps, edition, {
          assignmentId: assignmentIdOf(request),
          reason,
          staff,
        });
        return { body: assignmentView(edition, assignment, undefined, parisDay(deps.now(), edition)) };
      },
      [`POST ${PREFIX}/assignments/{assignment}/decisions`]: async (request) => {
        const edition = await config(request);
        const staff = staffAs(request, ['instructor']);
        const body = parseWith(DecisionBody, request.body, 'body');
        const result = await recordDecision(deps, edition, {
          assignmentId: assignmentIdOf(request),
          body,
          staff,
        });
        deps.logger.info('decision recorded', {
          kind: body.kind,
          staffSub: staff.sub,
          implied: !!result.verdict,
        });
        return {
          status: 201,
          body: {
            assignment: assignmentView(edition, result.assignment, undefined, parisDay(deps.now(), edition)),
            decision: result.decision,
            ...(result.verdict ? { verdict: result.verdict } : {}),
          },
        };
      },
      [`POST ${PREFIX}/dossiers/{id}/verdict`]: async (request) => {
        const edition = await config(request);
        const staff = staffAs(request, ['coordinator']);
        const body = parseWith(VerdictBody, request.body, 'body');
        const result = await recordVerdict(deps, edition, { ideaId: ideaIdOf(request), body, staff });
        deps.logger.info('verdict recorded', { outcome: body.outcome, staffSub: staff.sub });
        return { status: 201, body: result };
      },
      [`POST ${PREFIX}/dossiers/{id}/committee-opinion`]: async (request) => {
        await config(request);
        const staff = staffAs(request, ['committee']);
        const body = parseWith(CommitteeOpinionBody, request.body, 'body');
        return { body: await recordCommitteeOpinion(deps, { ideaId: ideaIdOf(request), body, staff }) };
      },
      [`GET ${PREFIX}/ballot-list`]: async (request) => {
        await config(request);
        return { body: listBody(await readBallotList(deps)) };
      },
      [`POST ${PREFIX}/ballot-list/validation`]: async (request) => {
        await config(request);
        const staff = staffAs(request, ['committee']);
        const { listSha256 } = parseWith(BallotListValidationBody, request.body, 'body');
        const list = await validateBallotList(deps, { listSha256, staff });
        deps.logger.info('ballot list validated', { listSha256, staffSub: staff.sub });
        return { body: listBody(list) };
      },
      [`POST ${PREFIX}/ballot-list/reopening`]: async (request) => {
        await config(request);
        const staff = staffAs(request, ['coordinator', 'admin']);
        const { reason } = parseWith(BallotListReopeningBody, request.body, 'body');
        const list = await reopenBallotList(deps, { reason, staff });
        deps.logger.info('ballot list reopened', { staffSub: staff.sub });
        return { body: listBody(list) };
      },
      [`POST ${PREFIX}/action-links`]: async (request) => {
        const edition = await config(request);
        const staff = staffAs(request, ['instructor', 'coordinator']);
        const body = parseWith(ActionLinkBody, request.body, 'body');
        const result = await useActionLink(deps, edition, { body, staff, email: request.principal?.email });
        deps.logger.info('action link used', { action: result.action, staffSub: staff.sub });
        const today = parisDay(deps.now(), edition);
        return {
          body: {
            action: result.action,
            ideaId: result.ideaId,
            assignmentId: result.assignmentId,
            ...(result.assignment
              ? { assignment: assignmentView(edition, result.assignment, undefined, today) }
              : {}),
          },
        };
      },
    },
  });

  const schedules = scheduleHandler({
    input: ScheduleInput,
    logger: deps.logger,
    handle: async (input) => {
      if (input.kind === 'instruction-sweep') {
        if (input.edition !== deps.edition) throw new Error(`Schedule for another edition: ${input.edition}`);
        const { published, failed } = await sweepInstructionEvents(deps);
        if (published || failed) deps.logger.info('instruction events swept', { published, failed });
        return;
      }
      const edition = await deps.editions.get();
      const day = parisDay(input.scheduledAt ? new Date(input.scheduledAt) : deps.now(), edition);
      const result = await checkDeadlines(deps, { day });
      deps.logger.info('instruction deadlines checked', { day, ...result });
    },
  });

  return lambdaEntry({ http, schedules });
}
