import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import { DomainError, notFound } from '../../shared/errors/domain-error.ts';
import { CitizenErased, VotingClosed } from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { type HttpRequest, httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import {
  OpenDataFileName,
  PublishResultsBody,
  RealisationBody,
  ResultsNewsBody,
} from '../../shared/http/results-schemas.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { ReceiptCodePattern } from '../../shared/voting/ballot-layout.ts';
import { computeResults } from './compute-results.ts';
import { eraseCitizenFollowUps } from './erase-citizen-follow-ups.ts';
import type { FollowUpRepository } from './follow-up-repository.ts';
import { publishResults } from './publish-results.ts';
import { followProject, publicFollowUp, updateRealisation } from './realisation.ts';
import type { ResultsRepository, StoredResults } from './results-repository.ts';

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

/** The staff view: the results and where they stand (computed, published by whom and why). */
const staffView = (stored: StoredResults) => ({
  ...stored.results,
  computedAt: stored.computedAt,
  changeId: stored.changeId,
  published: Boolean(stored.publishedAt),
  ...(stored.publishedAt ? { publishedAt: stored.publishedAt, publishReason: stored.publishReason } : {}),
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
  const principalOf = (request: HttpRequest) => {
    if (!request.principal)
      throw new DomainError({ code: 'unauthenticated', status: 401, title: 'Connexion requise' });
    return request.principal;
  };

  const http = httpHandler({
    logger: deps.logger,
    verifyToken: deps.verifyToken,
    routes: {
      'GET /api/editions/{edition}/results': async (request) => {
        const stored = await published(request);
        return {
          body: { ...stored.results, publishedAt: stored.publishedAt },
          headers: publicCache,
        };
      },
      'GET /api/editions/{edition}/receipts/{code}': async (request) => {
        await published(request);
        const code = (request.params.code ?? '').toUpperCase();
        // Every ballot stored when the vote closed was counted (none can be cast after the close).
        const envelopes = ReceiptCodePattern.test(code) ? await deps.results.findReceipt(code) : [];
        return { body: { receipt: code, counted: envelopes.length > 0, envelopes } };
      },
      'GET /api/editions/{edition}/open-data/{file}': async (request) => {
        const stored = await published(request);
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
        return { body: staffView(stored) };
      },
      'POST /api/editions/{edition}/staff/results/publish': async (request) => {
        checkEdition(request);
        const body = parseWith(PublishResultsBody, request.body, 'body');
        const principal = request.principal;
        if (!principal)
          throw new DomainError({ code: 'unauthenticated', status: 401, title: 'Connexion requise' });
        const stored = await publishResults(deps, {
          reason: body.reason,
          actor: { sub: principal.sub, role: 'admin' },
        });
        deps.logger.info('results published', { resultsId: stored.resultsId, staffSub: principal.sub });
        return { body: staffView(stored) };
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
