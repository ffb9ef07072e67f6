import * as z from 'zod/mini';
import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { EditionStore } from '../../shared/edition/edition-store.ts';
import type { Mailer } from '../../shared/email/mailer.ts';
import { DomainError, notFound } from '../../shared/errors/domain-error.ts';
import { CitizenErased, PhaseChanged, VotingClosed, VotingOpened } from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { type HttpRequest, httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import {
  CastBallotBody,
  IdempotencyKey,
  PaperBallotBody,
  PaperResolutionBody,
  PaperSheetStatus,
  SheetNumber,
  VoteWindowBody,
} from '../../shared/http/voting-schemas.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { VOTING_SLICE } from '../../shared/manifest-slices/voting.generated.ts';
import type { BusinessMetrics } from '../../shared/metrics/business-metrics.ts';
import { scheduleHandler } from '../../shared/schedules/schedule-handler.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import type { Project } from '../../shared/voting/projects.ts';
import { castBallot } from './cast-ballot.ts';
import { changeVoteWindow } from './change-vote-window.ts';
import { enterPaperBallot, paperSheetBallot, resolvePaperSheet, sheetView } from './enter-paper-ballot.ts';
import type { PaperSheetRepository } from './paper-sheet-repository.ts';
import { readBallot, voterState } from './read-ballot.ts';
import { voteNotOpen } from './vote-refusals.ts';
import { freezeVote, snapshotSource } from './vote-snapshot.ts';
import type { VotingRepository } from './voting-repository.ts';
import { watchVoteWindow } from './watch-vote-window.ts';

export interface VotingDeps {
  /** Business metrics (codes sent, ideas submitted, ballots cast) for the edition's dashboard. @default none */
  metrics?: BusinessMetrics;
  edition: string;
  editions: EditionStore;
  projects: () => Promise<Project[]>;
  votes: VotingRepository;
  sheets: PaperSheetRepository;
  /** Keyed hash of a typed voting code, under the identity function's `fingerprint-key` secret. */
  votingCodeHash: (code: string) => Promise<string>;
  events: EventPublisher;
  /** The receipt email, the one email voting sends itself (never through an event: see `emailReceipt`). */
  mailer: Mailer;
  contacts: CitizenContacts;
  /** The public site, for the link in the receipt email. */
  siteUrl: string;
  logger: Logger;
  verifyToken: VerifyToken;
  now: () => Date;
  newId: () => string;
  /** @default 60_000: turnout is public and refreshed at most once a minute. */
  turnoutCacheMs?: number;
}

const WatchInput = z.object({ kind: z.literal('vote-window-watch'), edition: z.string() });

export function makeHandler(deps: VotingDeps) {
  const config = async (request: HttpRequest): Promise<EditionConfig> => {
    if (request.params.edition !== deps.edition) {
      throw notFound('edition_not_found', `L’édition « ${request.params.edition} » n’existe pas.`);
    }
    return deps.editions.get();
  };
  const snapshotDeps = { ...deps, config: () => deps.editions.get() };
  const snapshot = snapshotSource(snapshotDeps);
  const castDeps = {
    ...deps,
    snapshot,
    editionName: async () => (await deps.editions.get()).name,
  };
  const principalOf = (request: HttpRequest) => {
    if (!request.principal)
      throw new DomainError({ code: 'unauthenticated', status: 401, title: 'Connexion requise' });
    return request.principal;
  };
  const turnoutCacheMs = deps.turnoutCacheMs ?? 60_000;
  let turnout: { at: number; body: unknown } | undefined;

  const http = httpHandler({
    access: VOTING_SLICE.routes,
    logger: deps.logger,
    verifyToken: deps.verifyToken,
    routes: {
      'GET /api/editions/{edition}/ballot': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const frozen = await snapshot({ freezeIfVote: true });
        if (!frozen) {
          // Not frozen yet: the vote has not opened. Say when, from the calendar.
          const edition = await deps.editions.get();
          throw voteNotOpen(toInstant(edition.calendar.voteOpen, edition.timeZone), edition.timeZone);
        }
        const [phase, window, voted] = await Promise.all([
          deps.votes.getPhase(),
          deps.votes.getWindow(),
          deps.votes.hasVoted(principal.sub),
        ]);
        return {
          body: {
            ...readBallot(
              frozen.snapshot,
              { id: principal.sub, territory: principal.territory },
              deps.edition,
            ),
            state: voterState({ snapshot: frozen.snapshot, phase, window, voted, now: deps.now() }),
          },
        };
      },
      'POST /api/editions/{edition}/ballots': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const idempotencyKey = parseWith(IdempotencyKey, request.idempotencyKey, 'headers.idempotency-key');
        const body = parseWith(CastBallotBody, request.body, 'body');
        const result = await castBallot(castDeps, {
          voterId: principal.sub,
          territory: principal.territory ?? '',
          idempotencyKey,
          choices: body.choices,
          emailReceipt: body.emailReceipt,
        });
        // No choices next to the person in logs (ARCHITECTURE.md, secret ballot).
        deps.logger.info('ballot cast', { replayed: result.replayed, receiptEmail: result.receiptEmail });
        if (!result.replayed) deps.metrics?.count('ballotsCast');
        return {
          status: result.replayed ? 200 : 201,
          body: {
            receipt: result.receipt,
            envelopes: result.envelopes,
            replayed: result.replayed,
            receiptEmail: result.receiptEmail,
            notice:
              'Votre vote est enregistré et ne peut plus être modifié. Gardez votre code de reçu : après la publication des résultats, il permet de vérifier que votre bulletin a été compté.',
          },
        };
      },
      'GET /api/editions/{edition}/turnout': async (request) => {
        const edition = await config(request);
        const nowMs = deps.now().getTime();
        if (!turnout || nowMs - turnout.at >= turnoutCacheMs) {
          const counts = await deps.votes.readTurnout();
          const territories = edition.territories.map((territory) => {
            const online = counts[`${territory.id}#online`] ?? 0;
            const paper = counts[`${territory.id}#paper`] ?? 0;
            return { id: territory.id, name: territory.name, online, paper, total: online + paper };
          });
          turnout = {
            at: nowMs,
            body: {
              refreshedAt: new Date(nowMs).toISOString(),
              total: territories.reduce((sum, t) => sum + t.total, 0),
              territories,
            },
          };
        }
        return {
          body: turnout.body,
          headers: { 'cache-control': `public, max-age=${Math.round(turnoutCacheMs / 1000)}` },
        };
      },
      'POST /api/editions/{edition}/staff/vote-window': async (request) => {
        await config(request);
        const body = parseWith(VoteWindowBody, request.body, 'body');
        const principal = principalOf(request);
        const window = await changeVoteWindow(deps, {
          ...(body.action === 'extend'
            ? { action: 'extend', reason: body.reason, until: new Date(body.until) }
            : { action: body.action, reason: body.reason }),
          actor: { sub: principal.sub, role: 'admin' },
        });
        deps.logger.info('vote window changed', { action: body.action, staffSub: principal.sub });
        return {
          body: { paused: window.paused, closesAt: new Date(window.closesAtMs).toISOString() },
        };
      },
      'POST /api/editions/{edition}/staff/paper-ballots': async (request) => {
        await config(request);
        const body = parseWith(PaperBallotBody, request.body, 'body');
        const principal = principalOf(request);
        const sheet = await enterPaperBallot({ ...deps, snapshot }, { ...body, agent: principal.sub });
        // The sheet number and the outcome only: never the code or the choices (secret ballot).
        deps.logger.info('paper sheet entered', { sheet: sheet.sheet, status: sheet.status });
        return { status: sheet.status === 'cast' ? 201 : 200, body: sheet };
      },
      'GET /api/editions/{edition}/staff/paper-ballots': async (request) => {
        await config(request);
        const status = parseWith(
          z._default(PaperSheetStatus, 'flagged'),
          request.query.status,
          'query.status',
        );
        const frozen = await snapshot({ freezeIfVote: true });
        return {
          body: {
            status,
            sheets: (await deps.sheets.list(status)).map(sheetView),
            // What the sheets print, so that agents tick projects by name (null before the vote opens).
            ballot: frozen ? paperSheetBallot(frozen.snapshot) : null,
          },
        };
      },
      'POST /api/editions/{edition}/staff/paper-ballots/{sheet}/resolution': async (request) => {
        await config(request);
        const sheetNumber = parseWith(SheetNumber, request.params.sheet, 'params.sheet');
        const body = parseWith(PaperResolutionBody, request.body, 'body');
        const principal = principalOf(request);
        const sheet = await resolvePaperSheet(
          { ...deps, snapshot },
          { sheet: sheetNumber, agent: principal.sub, decision: body },
        );
        deps.logger.info('paper sheet resolved', { sheet: sheet.sheet, status: sheet.status });
        return { body: sheet };
      },
    },
  });

  const events = eventHandler({
    logger: deps.logger,
    routes: [
      // The has-voted marker stays (no second vote), filed under the erased identity's new id.
      on(CitizenErased, async (detail) => {
        if (detail.edition !== deps.edition) return;
        const moved = await deps.votes.moveMarker(detail.citizenId, detail.erasedAs);
        deps.logger.info('citizen erased: has-voted marker moved', { moved });
      }),
      on(PhaseChanged, async (detail) => {
        if (detail.edition !== deps.edition) return;
        if (detail.to === 'vote') {
          const frozen = await freezeVote(snapshotDeps, `Passage en phase de vote (${detail.changeId})`);
          if (frozen.outcome === 'change-refused') deps.logger.warn('vote rules change refused and audited');
          await deps.events.publish(VotingOpened, {
            edition: deps.edition,
            changeId: detail.changeId,
            openedAt: detail.changedAt,
            snapshotHash: frozen.hash,
            projects: frozen.projects,
          });
        } else if (detail.to === 'counting') {
          await deps.events.publish(VotingClosed, {
            edition: deps.edition,
            changeId: detail.changeId,
            closedAt: detail.changedAt,
          });
        }
      }),
    ],
  });

  const schedules = scheduleHandler({
    input: WatchInput,
    logger: deps.logger,
    handle: async (input) => {
      if (input.edition !== deps.edition) throw new Error(`Schedule for another edition: ${input.edition}`);
      const outcome = await watchVoteWindow({ ...deps, snapshot });
      if (outcome === 'close-requested') deps.logger.info('extended vote window ended: close requested');
    },
  });

  return lambdaEntry({ http, events, schedules });
}
