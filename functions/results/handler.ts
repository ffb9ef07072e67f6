import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import { DomainError, notFound } from '../../shared/errors/domain-error.ts';
import { CitizenErased, VotingClosed } from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { type HttpRequest, httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import {
  AnnulVoteBody,
  OpenDataFileName,
  PublishResultsBody,
  RealisationBody,
  ReceiptCheckBody,
  RecountResultsBody,
  ResultsNewsBody,
} from '../../shared/http/results-schemas.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { RESULTS_SLICE } from '../../shared/manifest-slices/results.generated.ts';
import { formatFrench } from '../../shared/time/zoned.ts';
import { normalizeReceiptCode } from '../../shared/voting/ballot-layout.ts';
import { annulVote } from './annul-vote.ts';
import { computeResults } from './compute-results.ts';
import { eraseCitizenFollowUps } from './erase-citizen-follow-ups.ts';
import type { FollowUpRepository } from './follow-up-repository.ts';
import { publishResults } from './publish-results.ts';
import { followProject, publicFollowUp, updateRealisation } from './realisation.ts';
import { recountResults } from './recount-results.ts';
import type { ResultsAudit, ResultsRepository, StoredResults } from './results-repository.ts';

export interface ResultsDeps {
  edition: string;
  results: ResultsRepository;
  followUp: FollowUpRepository;
  events: EventPublisher;
  logger: Logger;
  verifyToken: VerifyToken;
  now: () => Date;
  newId: () => string;
}

const resultsNotPublished = () =>
  new DomainError({
    code: 'results_not_published',
    status: 403,
    title: 'Résultats non publiés',
    detail: 'Aucun résultat, même partiel, n’est consultable avant la publication des résultats.',
  });

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  pb: 'text/plain; charset=utf-8',
};

/** An audit line as staff see it: the role and a readable name, never the `sub`. */
const auditView = (entry: ResultsAudit) => ({
  at: entry.at,
  action: entry.action,
  actor:
    entry.actor === 'system'
      ? { kind: 'system' as const }
      : {
          kind: 'staff' as const,
          // Publication and recounts are admin-only; older lines carry no role.
          role: entry.actorRole ?? (entry.action === 'realisation-updated' ? 'coordinator' : 'admin'),
          ...(entry.actorName ? { name: entry.actorName } : {}),
        },
  reason: entry.reason,
  ...(entry.detail?.startsWith('unchanged:') ? { changed: false } : {}),
  ...(entry.detail?.startsWith('changed:') ? { changed: true } : {}),
});

/** The staff view (`StaffResultsView`): the results and where they stand (computed, recounted, published, annulled, the audit). */
const staffView = (stored: StoredResults, audit: readonly ResultsAudit[]) => ({
  ...stored.results,
  computedAt: stored.computedAt,
  changeId: stored.changeId,
  version: stored.version,
  published: Boolean(stored.publishedAt),
  ...(stored.publishedAt ? { publishedAt: stored.publishedAt, publishReason: stored.publishReason } : {}),
  audit: audit.filter((entry) => entry.action !== 'realisation-updated').map(auditView),
  ...(stored.recount
    ? {
        recount: {
          at: stored.recount.at,
          reason: stored.recount.reason,
          previousResultsId: stored.recount.previousResultsId,
          previousVersion: stored.recount.previousVersion,
        },
      }
    : {}),
  annulled: Boolean(stored.annulment),
  ...(stored.annulment
    ? {
        annulment: {
          at: stored.annulment.at,
          reason: stored.annulment.reason,
          wasPublished: stored.annulment.wasPublished,
        },
      }
    : {}),
});

/** Who acts, for the audit: the `sub` (kept, never shown), the role and the address of the staff token. */
const staffActor = (principal: { sub: string; email?: string | undefined }, role: string) => ({
  sub: principal.sub,
  role,
  name: principal.email,
});

/** 410 of the public results of an annulled vote: no longer the outcome, the reason said plainly. */
const resultsAnnulled = (annulment: NonNullable<StoredResults['annulment']>, timeZone: string) =>
  new DomainError({
    code: 'results_annulled',
    status: 410,
    title: 'Vote annulé',
    detail: `Le vote a été annulé le ${formatFrench(new Date(annulment.at), timeZone)} : ses résultats ne sont plus valables. Motif : ${annulment.reason}`,
  });

export function makeHandler(deps: ResultsDeps) {
  const checkEdition = (request: HttpRequest) => {
    if (request.params.edition !== deps.edition) {
      throw notFound('edition_not_found', `L’édition « ${request.params.edition} » n’existe pas.`);
    }
  };
  /** Public routes answer 403 until an admin has published: the phase alone (a schedule) is not enough. */
  const published = async (request: HttpRequest) => {
    checkEdition(request);
    const stored = await deps.results.getResults();
    if (!stored?.publishedAt) throw resultsNotPublished();
    return stored;
  };
  const publicCache = { 'cache-control': 'public, max-age=60' };
  const annulled = async (annulment: NonNullable<StoredResults['annulment']>) =>
    resultsAnnulled(annulment, (await deps.results.getSnapshot())?.snapshot.timeZone ?? 'Europe/Paris');
  const principalOf = (request: HttpRequest) => {
    if (!request.principal)
      throw new DomainError({ code: 'unauthenticated', status: 401, title: 'Connexion requise' });
    return request.principal;
  };

  const http = httpHandler({
    access: RESULTS_SLICE.routes,
    logger: deps.logger,
    verifyToken: deps.verifyToken,
    routes: {
      'GET /api/editions/{edition}/results': async (request) => {
        const stored = await published(request);
        if (stored.annulment) throw await annulled(stored.annulment);
        return {
          body: { ...stored.results, publishedAt: stored.publishedAt },
          headers: publicCache,
        };
      },
      'POST /api/editions/{edition}/receipts/check': async (request) => {
        checkEdition(request);
        // The code travels in the body, never in a URL (access logs, history, proxies).
        const body = parseWith(ReceiptCheckBody, request.body, 'body');
        const code = normalizeReceiptCode(body.code) ?? '';
        const stored = await published(request);
        // Only the published computation's counted receipts answer: a ballot stored after the close (it
        // should not happen) is never reported as counted unless it is in the published ballot files.
        const counted = await deps.results.countedEnvelopes(stored.resultsId, code);
        const names = new Map(stored.results.envelopes.map((e) => [e.id, e.name]));
        return {
          body: {
            receipt: code,
            counted: counted.length > 0,
            envelopes: counted.map((id) => ({ id, name: names.get(id) ?? id })),
            publishedAt: stored.publishedAt,
          },
          headers: { 'cache-control': 'no-store' },
        };
      },
      'GET /api/editions/{edition}/open-data/{file}': async (request) => {
        const stored = await published(request);
        if (stored.annulment) throw await annulled(stored.annulment);
        const name = parseWith(OpenDataFileName, request.params.file, 'params.file');
        const text = await deps.results.readFile(stored.resultsId, name);
        if (text === undefined) throw notFound('file_not_found', `Le fichier « ${name} » n’existe pas.`);
        const extension = name.slice(name.lastIndexOf('.') + 1);
        return {
          text,
          headers: {
            ...publicCache,
            'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
            'content-disposition': `inline; filename="${deps.edition}-${name}"`,
          },
        };
      },
      'GET /api/editions/{edition}/realisations': async (request) => {
        const stored = await published(request);
        return { body: await publicFollowUp(deps, stored), headers: publicCache };
      },
      'GET /api/editions/{edition}/me/results-news': async (request) => {
        checkEdition(request);
        const citizenId = principalOf(request).sub;
        const [subscribed, following] = await Promise.all([
          deps.followUp.getResultsNews(citizenId),
          deps.followUp.follows(citizenId),
        ]);
        return { body: { subscribed, following } };
      },
      'PUT /api/editions/{edition}/me/results-news': async (request) => {
        checkEdition(request);
        const body = parseWith(ResultsNewsBody, request.body, 'body');
        const citizenId = principalOf(request).sub;
        await deps.followUp.setResultsNews(citizenId, body.subscribed, deps.now().toISOString());
        return { body: { subscribed: body.subscribed } };
      },
      'POST /api/editions/{edition}/projects/{project}/followers': async (request) => {
        checkEdition(request);
        const citizenId = principalOf(request).sub;
        const outcome = await followProject(deps, { citizenId, projectId: request.params.project ?? '' });
        return {
          status: outcome === 'created' ? 201 : 200,
          body: { project: request.params.project, following: true },
        };
      },
      'DELETE /api/editions/{edition}/projects/{project}/followers': async (request) => {
        checkEdition(request);
        const citizenId = principalOf(request).sub;
        await deps.followUp.unfollow(citizenId, request.params.project ?? '');
        return { body: { project: request.params.project, following: false } };
      },
      'PUT /api/editions/{edition}/staff/projects/{project}/realisation': async (request) => {
        checkEdition(request);
        const body = parseWith(RealisationBody, request.body, 'body');
        const principal = principalOf(request);
        const role = principal.roles.includes('admin') ? 'admin' : 'coordinator';
        const stored = await updateRealisation(deps, {
          projectId: request.params.project ?? '',
          body,
          actor: { sub: principal.sub, role },
        });
        deps.logger.info('realisation updated', {
          projectId: stored.projectId,
          version: stored.version,
          staffSub: principal.sub,
        });
        return { body: stored };
      },
      'GET /api/editions/{edition}/staff/results': async (request) => {
        checkEdition(request);
        const stored = await deps.results.getResults();
        if (!stored) throw notFound('results_not_computed', 'Aucun résultat n’a encore été calculé.');
        return { body: staffView(stored, await deps.results.listAudit()) };
      },
      'POST /api/editions/{edition}/staff/results/publish': async (request) => {
        checkEdition(request);
        const body = parseWith(PublishResultsBody, request.body, 'body');
        const principal = principalOf(request);
        const stored = await publishResults(deps, {
          reason: body.reason,
          actor: staffActor(principal, 'admin'),
        });
        deps.logger.info('results published', { resultsId: stored.resultsId, staffSub: principal.sub });
        return { body: staffView(stored, await deps.results.listAudit()) };
      },
      'POST /api/editions/{edition}/staff/results/recount': async (request) => {
        checkEdition(request);
        const body = parseWith(RecountResultsBody, request.body, 'body');
        const principal = principalOf(request);
        const stored = await recountResults(deps, {
          reason: body.reason,
          actor: staffActor(principal, 'admin'),
        });
        return {
          body: {
            ...staffView(stored, await deps.results.listAudit()),
            changed: stored.recount?.previousResultsId !== stored.resultsId,
          },
        };
      },
      'POST /api/editions/{edition}/staff/results/annulment': async (request) => {
        checkEdition(request);
        const body = parseWith(AnnulVoteBody, request.body, 'body');
        const principal = principalOf(request);
        const stored = await annulVote(deps, {
          reason: body.reason,
          actor: staffActor(principal, 'admin'),
        });
        deps.logger.warn('vote annulled', { resultsId: stored.resultsId, staffSub: principal.sub });
        return { body: staffView(stored, await deps.results.listAudit()) };
      },
    },
  });

  const events = eventHandler({
    logger: deps.logger,
    routes: [
      on(VotingClosed, async (detail) => {
        if (detail.edition !== deps.edition) return;
        const outcome = await computeResults(deps, { changeId: detail.changeId });
        deps.logger.info('voting closed: count done', { changeId: detail.changeId, outcome });
      }),
      on(CitizenErased, async (detail) => {
        if (detail.edition !== deps.edition) return;
        deps.logger.info('citizen erased from follow-ups', await eraseCitizenFollowUps(deps, detail));
      }),
    ],
  });

  return lambdaEntry({ http, events });
}
