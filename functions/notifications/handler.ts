import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import type { EditionStore } from '../../shared/edition/edition-store.ts';
import { EmailLogQuery, UnsubscribeBody } from '../../shared/email/email-log-schemas.ts';
import type { Mailer } from '../../shared/email/mailer.ts';
import { SesEmailBounced, SesEmailComplained } from '../../shared/email/ses-feedback.ts';
import { notFound } from '../../shared/errors/domain-error.ts';
import {
  BallotListReopened,
  BallotListValidated,
  CitizenErased,
  DeadlineApproaching,
  DeadlineMissed,
  DecisionRecorded,
  DuplicateSuspected,
  IdeaAssigned,
  IdeaChangeRequested,
  IdeaHidden,
  IdeaPublished,
  IdeaSubmitted,
  IdeasMerged,
  InstructionDigestReady,
  PhaseChanged,
  ReassignmentRequested,
  VoteOpeningRefused,
  VoteWindowChanged,
} from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import { type HttpEvent, type HttpRequest, httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import type { PageCursors } from '../../shared/http/page-cursor.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { NOTIFICATIONS_SLICE } from '../../shared/manifest-slices/notifications.generated.ts';
import type { EmailLinks } from './email-links.ts';
import type { EmailLog } from './email-log-repository.ts';
import type { IdeaDossiers } from './idea-dossiers.ts';
import type { IdeaTitles } from './idea-titles.ts';
import { notifyDuplicateSuspected } from './notify-duplicate-suspected.ts';
import {
  notifyIdeaChangeRequested,
  notifyIdeaHidden,
  notifyIdeaPublished,
  notifyIdeaSubmitted,
  notifyIdeasMerged,
} from './notify-idea-events.ts';
import {
  notifyBallotListReopened,
  notifyBallotListValidated,
  notifyDeadlineApproaching,
  notifyDeadlineMissed,
  notifyDecisionRecorded,
  notifyIdeaAssigned,
  notifyInstructionDigest,
  notifyReassignmentRequested,
} from './notify-instruction.ts';
import { notifyPhaseChanged } from './notify-phase-changed.ts';
import { notifyVoteOpeningRefused } from './notify-vote-opening-refused.ts';
import { notifyVoteWindowChanged } from './notify-vote-window-changed.ts';
import { recordSesFeedback } from './record-ses-feedback.ts';
import { searchEmailLog } from './search-email-log.ts';
import type { SuppressionList } from './suppression-list.ts';
import { unsubscribe } from './unsubscribe.ts';

export interface NotificationsDeps {
  editions: EditionStore;
  log: EmailLog;
  mailer: Mailer;
  logger: Logger;
  now: () => Date;
  siteUrl: string;
  /** Citizens' addresses, read from their identity item at send time (events carry ids only). */
  contacts: CitizenContacts;
  titles: IdeaTitles;
  /** The edition this function serves (HTTP paths name it). */
  edition: string;
  verifyToken: VerifyToken;
  /** Bounced, complained and opted-out addresses, checked before every send. */
  suppressions: SuppressionList;
  /** Signed action and unsubscribe links. */
  links: EmailLinks;
  /** The `action-link-key` secret (also signs unsubscribe links), read once. */
  linkKey: () => Promise<string>;
  /** Signs the email log's page cursors (shared/http/page-cursor.ts). */
  cursors: PageCursors;
  /** What instructors' emails say of an idea (no author data). */
  dossiers: IdeaDossiers;
}

const UNSUBSCRIBE_ROUTE = 'POST /api/editions/{edition}/unsubscribe';

/**
 * RFC 8058 one-click unsubscribe: a mail client POSTs `List-Unsubscribe=One-Click` as a form to the URL of
 * the `List-Unsubscribe` header (token in `?token=`). The adapter turns it into the route's JSON body.
 */
function oneClickAsJson(event: HttpEvent): HttpEvent {
  if (event.routeKey !== UNSUBSCRIBE_ROUTE) return event;
  const contentType = Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1];
  const token = event.queryStringParameters?.token;
  if (!token || !contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return event;
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type'),
  );
  return {
    ...event,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
    isBase64Encoded: false,
  };
}

export function makeHandler(deps: NotificationsDeps) {
  const edition = async (request: HttpRequest) => {
    if (request.params.edition !== deps.edition) {
      throw notFound('edition_not_found', `L’édition « ${request.params.edition} » n’existe pas.`);
    }
  };
  const http = httpHandler({
    access: NOTIFICATIONS_SLICE.routes,
    logger: deps.logger,
    verifyToken: deps.verifyToken,
    routes: {
      'GET /api/editions/{edition}/staff/email-log': async (request) => {
        await edition(request);
        return { body: await searchEmailLog(deps, parseWith(EmailLogQuery, request.query, 'query')) };
      },
      [UNSUBSCRIBE_ROUTE]: async (request) => {
        await edition(request);
        const body = parseWith(UnsubscribeBody, request.body, 'body');
        const done = await unsubscribe({ ...deps, key: deps.linkKey }, body.token);
        deps.logger.info('unsubscribed', { list: done.list });
        return { body: { unsubscribed: true, ...done } };
      },
    },
  });

  const events = eventHandler({
    logger: deps.logger,
    routes: [
      on(CitizenErased, async (detail) => {
        if (detail.edition !== deps.edition) return;
        const lines = await deps.log.forgetRecipient(`citizen:${detail.citizenId}`, 'personne-effacée');
        deps.logger.info('citizen erased from the email log', { lines });
      }),
      on(IdeaAssigned, async (detail, envelope) => {
        const outcomes = await notifyIdeaAssigned(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('assignment notified', { assignmentId: detail.assignmentId, outcomes });
      }),
      on(ReassignmentRequested, async (detail, envelope) => {
        const outcomes = await notifyReassignmentRequested(
          deps,
          await deps.editions.get(),
          detail,
          envelope.id,
        );
        deps.logger.info('reassignment request notified', { assignmentId: detail.assignmentId, outcomes });
      }),
      on(DecisionRecorded, async (detail, envelope) => {
        const outcomes = await notifyDecisionRecorded(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('decision notified', {
          decisionId: detail.decisionId,
          scope: detail.scope,
          outcomes,
        });
      }),
      on(DeadlineApproaching, async (detail, envelope) => {
        const outcomes = await notifyDeadlineApproaching(
          deps,
          await deps.editions.get(),
          detail,
          envelope.id,
        );
        deps.logger.info('deadline reminder notified', { assignmentId: detail.assignmentId, outcomes });
      }),
      on(DeadlineMissed, async (detail, envelope) => {
        const outcomes = await notifyDeadlineMissed(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('deadline escalation notified', { assignmentId: detail.assignmentId, outcomes });
      }),
      on(InstructionDigestReady, async (detail, envelope) => {
        const outcomes = await notifyInstructionDigest(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('instruction digest notified', { digestDate: detail.digestDate, outcomes });
      }),
      on(BallotListValidated, async (detail, envelope) => {
        const outcomes = await notifyBallotListValidated(
          deps,
          await deps.editions.get(),
          detail,
          envelope.id,
        );
        deps.logger.info('ballot list validation notified', { validationId: detail.validationId, outcomes });
      }),
      on(BallotListReopened, async (detail, envelope) => {
        const outcomes = await notifyBallotListReopened(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('ballot list reopening notified', { reopeningId: detail.reopeningId, outcomes });
      }),
      // SES feedback: the addresses are never logged, only how many were suppressed.
      on(SesEmailBounced, async (detail, envelope) => {
        const suppressed = await recordSesFeedback(deps, { kind: 'bounce', detail }, envelope.id);
        deps.logger.info('bounce recorded', { bounceType: detail.bounce.bounceType, suppressed });
      }),
      on(SesEmailComplained, async (detail, envelope) => {
        const suppressed = await recordSesFeedback(deps, { kind: 'complaint', detail }, envelope.id);
        deps.logger.info('complaint recorded', { suppressed });
      }),
      on(PhaseChanged, async (detail, envelope) => {
        const outcomes = await notifyPhaseChanged(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('phase change notified', { changeId: detail.changeId, outcomes });
      }),
      on(DuplicateSuspected, async (detail, envelope) => {
        const outcomes = await notifyDuplicateSuspected(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('duplicate review notified', { reviewId: detail.reviewId, outcomes });
      }),
      on(VoteWindowChanged, async (detail, envelope) => {
        const outcomes = await notifyVoteWindowChanged(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('vote window change notified', { changeId: detail.changeId, outcomes });
      }),
      on(VoteOpeningRefused, async (detail, envelope) => {
        const outcomes = await notifyVoteOpeningRefused(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.warn('vote opening refused: coordinators told', {
          refusalId: detail.refusalId,
          outcomes,
        });
      }),
      on(IdeaSubmitted, async (detail, envelope) => {
        const outcomes = await notifyIdeaSubmitted(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('idea submission acknowledged', { ideaId: detail.ideaId, outcomes });
      }),
      on(IdeaPublished, async (detail, envelope) => {
        const outcomes = await notifyIdeaPublished(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('idea publication notified', { ideaId: detail.ideaId, outcomes });
      }),
      on(IdeaChangeRequested, async (detail, envelope) => {
        const outcomes = await notifyIdeaChangeRequested(
          deps,
          await deps.editions.get(),
          detail,
          envelope.id,
        );
        deps.logger.info('idea change request notified', { ideaId: detail.ideaId, outcomes });
      }),
      on(IdeaHidden, async (detail, envelope) => {
        const outcomes = await notifyIdeaHidden(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('idea hiding notified', { ideaId: detail.ideaId, outcomes });
      }),
      on(IdeasMerged, async (detail, envelope) => {
        const outcomes = await notifyIdeasMerged(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('idea merge notified', { ideaId: detail.mergedIdeaId, outcomes });
      }),
    ],
  });
  return lambdaEntry({
    http: (event: HttpEvent, context) => http(oneClickAsJson(event), context),
    events,
  });
}
