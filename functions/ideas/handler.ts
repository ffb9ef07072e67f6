import * as z from 'zod/mini';
import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { DomainError, notFound } from '../../shared/errors/domain-error.ts';
import {
  CitizenErased,
  IdeaChangeRequested,
  IdeaEdited,
  IdeaHidden,
  IdeaPublished,
  IdeasMerged,
  IdeaWithdrawn,
} from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import { type HttpRequest, httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import {
  IdeaDraftBody,
  IdeaListQuery,
  IdeasWindowBody,
  ModerationBody,
  PatchIdeaBody,
  PictureUploadBody,
  SubmitIdeaBody,
} from '../../shared/http/idea-schemas.ts';
import { IdempotencyKey } from '../../shared/http/voting-schemas.ts';
import { listIdeas } from '../../shared/ideas/idea-list.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { IDEAS_SLICE } from '../../shared/manifest-slices/ideas.generated.ts';
import type { BusinessMetrics } from '../../shared/metrics/business-metrics.ts';
import { scheduleHandler } from '../../shared/schedules/schedule-handler.ts';
import type { SiteWriter } from '../../shared/site/site-writer.ts';
import type { UploadPresigner } from '../../shared/site/upload-presigner.ts';
import { editIdea, ideaNotFound } from './edit-idea.ts';
import { eraseCitizenIdeas } from './erase-citizen-ideas.ts';
import { authorIdea, IdeaStatus, publicIdea } from './idea.ts';
import { publishPendingEvents } from './idea-outbox.ts';
import type { IdeaPaths } from './idea-paths.ts';
import { extendIdeasWindow, ideasWindow } from './ideas-window.ts';
import { moderateIdea } from './moderate-idea.ts';
import { withPictureUrls } from './picture-views.ts';
import { publishPublicList } from './publish-public-list.ts';
import { requestPictureUpload } from './request-picture-upload.ts';
import { type IdeasDeps, submitIdea } from './submit-idea.ts';
import { setSupport } from './support-idea.ts';
import type { SupportRepository } from './support-repository.ts';

/** The sweep (shared/manifest.ts): pending events, and the static list while supports move it. */
export const IdeasSweepInput = z.object({ kind: z.literal('ideas-sweep'), edition: z.string() });

/** A merge target is named to the author only when anyone may read it. */
const PUBLIC_STATUSES = new Set<string>(['published', 'merged']);

export interface IdeasHandlerDeps extends IdeasDeps {
  /** Business metrics (codes sent, ideas submitted, ballots cast) for the edition's dashboard. @default none */
  metrics?: BusinessMetrics;
  /** What became of an author's published ideas (instruction, ballot, results: other contexts' items). */
  paths: IdeaPaths;
  logger: Logger;
  verifyToken: VerifyToken;
  supports: SupportRepository;
  /** Where the static public list (`data/ideas.json`) is written: the site bucket, or the served folder. */
  site: SiteWriter;
  /** Idea pictures in the site bucket (the S3 emulator locally): presigned uploads and reads; absent without one. */
  uploads: UploadPresigner | undefined;
  /** @default 15: seconds a browser or CloudFront may keep the public list. */
  publicListMaxAgeSeconds?: number;
}

/** Staff roles that may read any idea, whatever its status (no personal data in an idea). */
const STAFF_READERS = ['moderator', 'coordinator', 'committee', 'admin'] as const;
const IdeaId = z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'Identifiant d’idée attendu' }));
const QueueQuery = z.object({
  status: z._default(IdeaStatus, 'submitted'),
});

export function makeHandler(input: IdeasHandlerDeps) {
  const deps: IdeasHandlerDeps = {
    ...input,
    onPublishFailure:
      input.onPublishFailure ??
      ((event, error) =>
        input.logger.warn('idea event left pending', {
          detailType: event.detailType,
          eventId: event.eventId,
          error: error instanceof Error ? error.message : String(error),
        })),
  };
  const maxAge = deps.publicListMaxAgeSeconds ?? 15;
  const supportsOf = async (edition: EditionConfig) =>
    edition.supports.enabled ? await deps.supports.counts() : undefined;
  const config = async (request: HttpRequest): Promise<EditionConfig> => {
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
  const ideaIdOf = (request: HttpRequest) => parseWith(IdeaId, request.params.id, 'path.id');

  const http = httpHandler({
    access: IDEAS_SLICE.routes,
    logger: deps.logger,
    verifyToken: deps.verifyToken,
    routes: {
      'POST /api/editions/{edition}/ideas': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const idempotencyKey = parseWith(IdempotencyKey, request.idempotencyKey, 'headers.idempotency-key');
        const body = parseWith(SubmitIdeaBody, request.body, 'body');
        const { idea, replayed } = await submitIdea(deps, {
          authorId: principal.sub,
          authorTerritory: principal.territory,
          idempotencyKey,
          body,
        });
        deps.logger.info('idea submitted', { ideaId: idea.ideaId, replayed });
        if (!replayed) deps.metrics?.count('ideasSubmitted');
        return { status: replayed ? 200 : 201, body: { ...authorIdea(idea, principal.sub), replayed } };
      },
      'GET /api/editions/{edition}/ideas': async (request) => {
        const edition = await config(request);
        const query = parseWith(IdeaListQuery, request.query, 'query');
        const page = listIdeas((await deps.ideas.listByStatus('published')).map(publicIdea), query);
        const counts = await supportsOf(edition);
        const items = counts
          ? page.items.map((idea) => ({ ...idea, supportsCount: counts.get(idea.id) ?? 0 }))
          : page.items;
        return {
          body: { ...page, items, refreshedAt: deps.now().toISOString() },
          headers: { 'cache-control': `public, max-age=${maxAge}` },
        };
      },
      'GET /api/editions/{edition}/ideas/{id}': async (request) => {
        const edition = await config(request);
        const ideaId = ideaIdOf(request);
        const idea = await deps.ideas.get(ideaId);
        const viewer = request.principal;
        const isAuthor = !!viewer && !!idea?.authorIds.includes(viewer.sub);
        const isStaff =
          !!viewer && viewer.roles.some((role) => (STAFF_READERS as readonly string[]).includes(role));
        if (!idea) throw ideaNotFound(ideaId);
        const supports = edition.supports.enabled
          ? {
              supportsCount: await deps.supports.count(ideaId),
              ...(viewer?.roles.includes('citizen')
                ? { supportedByMe: await deps.supports.has(ideaId, viewer.sub) }
                : {}),
            }
          : {};
        // What became of a published idea; a service's opinion is the public's only once the coordination
        // pronounced it (its authors and the staff see it at once, as on « Mes idées »).
        const fullPath = idea.status === 'published' ? await deps.paths.pathOf(ideaId, edition) : {};
        if (isAuthor || isStaff) {
          return {
            body: {
              ...(await withPictureUrls(authorIdea(idea, viewer?.sub ?? ''), deps.uploads)),
              ...supports,
              path: fullPath,
            },
            headers: { 'cache-control': 'private, no-store' },
          };
        }
        if (idea.status !== 'published' && idea.status !== 'merged') throw ideaNotFound(ideaId);
        if (idea.status === 'merged' && !idea.publishedAt) throw ideaNotFound(ideaId);
        return {
          body: {
            ...(await withPictureUrls(publicIdea(idea), deps.uploads)),
            ...supports,
            path: fullPath.instruction?.final === false ? {} : fullPath,
          },
          // A citizen's answer says whether she supports it: not for a shared cache.
          headers: {
            'cache-control': 'supportedByMe' in supports ? 'private, no-store' : `public, max-age=${maxAge}`,
          },
        };
      },
      'POST /api/editions/{edition}/ideas/{id}/pictures': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const ideaId = ideaIdOf(request);
        const body = parseWith(PictureUploadBody, request.body, 'body');
        const upload = await requestPictureUpload(deps, { ideaId, authorId: principal.sub, body });
        return { status: 201, body: upload, headers: { 'cache-control': 'private, no-store' } };
      },
      'PUT /api/editions/{edition}/ideas/{id}/support': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const ideaId = ideaIdOf(request);
        const result = await setSupport(deps, { ideaId, citizenId: principal.sub, supported: true });
        return { body: result, headers: { 'cache-control': 'private, no-store' } };
      },
      'DELETE /api/editions/{edition}/ideas/{id}/support': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const ideaId = ideaIdOf(request);
        const result = await setSupport(deps, { ideaId, citizenId: principal.sub, supported: false });
        return { body: result, headers: { 'cache-control': 'private, no-store' } };
      },
      'PATCH /api/editions/{edition}/ideas/{id}': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const ideaId = ideaIdOf(request);
        const patch = parseWith(PatchIdeaBody, request.body, 'body');
        const idea = await editIdea(deps, {
          ideaId,
          authorId: principal.sub,
          authorTerritory: principal.territory,
          patch,
        });
        deps.logger.info('idea edited', { ideaId, status: idea.status });
        return { body: await withPictureUrls(authorIdea(idea, principal.sub), deps.uploads) };
      },
      'GET /api/editions/{edition}/me/ideas': async (request) => {
        const principal = principalOf(request);
        const edition = await config(request);
        const ideas = await deps.ideas.listByAuthor(principal.sub);
        const draft = await deps.ideas.getDraft(principal.sub);
        // What became of each published idea: instruction, ballot, result, realisation (read, not copied).
        const items = await Promise.all(
          ideas.map(async (idea) => {
            const path = idea.status === 'published' ? await deps.paths.pathOf(idea.ideaId, edition) : {};
            const targetId = idea.mergedInto ?? path.instruction?.mergeInto;
            const target = targetId ? await deps.ideas.get(targetId) : undefined;
            return {
              ...authorIdea(idea, principal.sub),
              path: {
                ...path,
                ...(target && PUBLIC_STATUSES.has(target.status)
                  ? { mergedInto: { id: target.ideaId, title: target.title } }
                  : {}),
              },
            };
          }),
        );
        return {
          body: {
            items,
            ...(draft ? { draft: { savedAt: draft.savedAt, title: draft.draft.title ?? '' } } : {}),
          },
        };
      },
      'GET /api/editions/{edition}/me/idea-draft': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const draft = await deps.ideas.getDraft(principal.sub);
        if (!draft) throw notFound('draft_not_found', 'Aucun brouillon enregistré.');
        return { body: draft };
      },
      'PUT /api/editions/{edition}/me/idea-draft': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const draft = parseWith(IdeaDraftBody, request.body, 'body');
        const savedAt = deps.now().toISOString();
        await deps.ideas.putDraft(principal.sub, draft, savedAt);
        return { body: { draft, savedAt } };
      },
      'GET /api/editions/{edition}/staff/moderation': async (request) => {
        await config(request);
        const { status } = parseWith(QueueQuery, request.query, 'query');
        const ideas = await deps.ideas.listByStatus(status);
        return {
          body: {
            status,
            total: ideas.length,
            items: await Promise.all(
              ideas.map((idea) => withPictureUrls(authorIdea(idea, ''), deps.uploads)),
            ),
          },
        };
      },
      'GET /api/editions/{edition}/staff/ideas/{id}': async (request) => {
        await config(request);
        const ideaId = ideaIdOf(request);
        const idea = await deps.ideas.get(ideaId);
        if (!idea) throw ideaNotFound(ideaId);
        const trail = await deps.ideas.audit(ideaId);
        return {
          body: {
            ...(await withPictureUrls(authorIdea(idea, ''), deps.uploads)),
            audit: trail.map(({ auditId, action, actor, at, reason, detail }) => ({
              id: auditId,
              action,
              // Citizen ids stay out of the back-office: staff see who among staff, not which citizen.
              actor: actor.startsWith('citizen:') ? 'auteur' : actor,
              at,
              ...(reason ? { reason } : {}),
              ...(detail ? { detail } : {}),
            })),
          },
        };
      },
      'POST /api/editions/{edition}/staff/ideas/{id}/moderation': async (request) => {
        await config(request);
        const principal = principalOf(request);
        const ideaId = ideaIdOf(request);
        const body = parseWith(ModerationBody, request.body, 'body');
        const idea = await moderateIdea(deps, {
          ideaId,
          body,
          actor: { sub: principal.sub, role: 'moderator' },
        });
        deps.logger.info('idea moderated', { ideaId, action: body.action, staffSub: principal.sub });
        return { body: await withPictureUrls(authorIdea(idea, ''), deps.uploads) };
      },
      'POST /api/editions/{edition}/staff/ideas-window': async (request) => {
        const edition = await config(request);
        const principal = principalOf(request);
        const body = parseWith(IdeasWindowBody, request.body, 'body');
        const window = await extendIdeasWindow(deps, edition, {
          until: new Date(body.until),
          reason: body.reason,
          actor: { sub: principal.sub, role: 'admin' },
        });
        deps.logger.info('ideas window extended', { staffSub: principal.sub });
        return {
          body: {
            opensAt: window.opensAt.toISOString(),
            closesAt: window.closesAt.toISOString(),
            extended: true,
          },
        };
      },
      'GET /api/editions/{edition}/ideas-window': async (request) => {
        const edition = await config(request);
        const window = ideasWindow(edition, await deps.ideas.getWindow());
        const phase = await deps.ideas.getPhase();
        const now = deps.now().getTime();
        return {
          body: {
            opensAt: window.opensAt.toISOString(),
            closesAt: window.closesAt.toISOString(),
            extended: window.extended,
            open: phase === 'ideas' && now >= window.opensAt.getTime() && now < window.closesAt.getTime(),
          },
        };
      },
    },
  });

  // The static public list follows every change of what is public. Idempotent: it rewrites the whole file.
  const regenerate =
    (...ideaIds: string[]) =>
    async (detail: { edition: string }) => {
      if (detail.edition !== deps.edition) return;
      await publishPublicList(deps, ideaIds);
    };
  const events = eventHandler({
    logger: deps.logger,
    routes: [
      on(IdeaPublished, (detail) => regenerate(detail.ideaId)(detail)),
      on(IdeaChangeRequested, (detail) => regenerate(detail.ideaId)(detail)),
      on(IdeaHidden, (detail) => regenerate(detail.ideaId)(detail)),
      on(IdeasMerged, (detail) => regenerate(detail.mergedIdeaId, detail.intoIdeaId)(detail)),
      on(IdeaEdited, (detail) => regenerate(detail.ideaId)(detail)),
      on(IdeaWithdrawn, (detail) => regenerate(detail.ideaId)(detail)),
      on(CitizenErased, async (detail) => {
        if (detail.edition !== deps.edition) return;
        const erased = await eraseCitizenIdeas(deps, detail);
        deps.logger.info('citizen erased from ideas', erased);
      }),
    ],
  });

  const schedules = scheduleHandler({
    input: IdeasSweepInput,
    logger: deps.logger,
    handle: async (input) => {
      if (input.edition !== deps.edition) throw new Error(`Schedule for another edition: ${input.edition}`);
      const { published, failed } = await publishPendingEvents(deps);
      if (published || failed) deps.logger.info('idea events swept', { published, failed });
      // Supports move counts without an event, and a list lost (a fresh local site) must come back: while
      // ideas are proposed and examined, the list is rewritten every sweep too.
      const phase = await deps.ideas.getPhase();
      if (phase === 'ideas' || phase === 'instruction') await publishPublicList(deps);
    },
  });

  return lambdaEntry({ http, events, schedules });
}
