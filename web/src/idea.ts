import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen } from './lib/citizen-session.ts';
import type { SiteConfig } from './lib/config.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDay, plural } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { editionPath, type IdeasWindow, type IdeaView, ideaFacts, statusName } from './lib/ideas.ts';
import type { EditionView } from './lib/types.ts';

/** `GET .../ideas/{id}`: with supports when the edition has them (and mine, when signed in). */
type IdeaDetail = IdeaView & { supportsCount?: number; supportedByMe?: boolean; pictures?: string[] };

const PICTURE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_PICTURES = 3;
const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
const EDITABLE = ['submitted', 'changes-requested', 'published'];

/**
 * The idea's pictures for everyone; for its author, while she may edit it, a form that uploads one more
 * (presigned `PUT` straight to storage, then the idea saved with its key: it goes back to moderation) and
 * a button to remove each. Where there is no storage (the local stack) the API says so in French.
 */
function renderPictures(
  config: SiteConfig,
  idea: IdeaDetail,
  token: string | undefined,
  callOpen: boolean,
): void {
  const section = byId('idea-pictures');
  const pictures = idea.pictures ?? [];
  // Pictures are part of the idea: they change only while the call for ideas is open.
  const canEdit = Boolean(callOpen && token && idea.isAuthor && EDITABLE.includes(idea.status));
  section.hidden = pictures.length === 0 && !canEdit;
  const error = h('div', { role: 'alert' });
  const base = `${editionPath(config)}/ideas/${encodeURIComponent(idea.id)}`;
  const savePictures = async (next: string[], message: string) => {
    const saved = await apiRequest<IdeaDetail>(config, base, {
      method: 'PATCH',
      token: token as string,
      body: { pictures: next },
    });
    renderPictures(config, { ...idea, ...saved }, token, callOpen);
    byId('pictures-form').prepend(h('p', { class: 'notice notice-success', role: 'status' }, message));
  };
  const fail = (failure: unknown) =>
    fill(error, problemNotice(failure instanceof ApiError ? failure.problem : unexpectedProblem()));
  fill(
    byId('pictures-list'),
    ...pictures.map((key, index) => {
      const remove = canEdit
        ? h('button', { type: 'button', class: 'button button-secondary' }, `Retirer la photo ${index + 1}`)
        : null;
      remove?.addEventListener('click', () => {
        remove.disabled = true;
        savePictures(
          pictures.filter((other) => other !== key),
          'Photo retirée. Votre idée repasse en modération.',
        ).catch((failure) => {
          remove.disabled = false;
          fail(failure);
        });
      });
      return h(
        'li',
        {},
        h('img', { src: `/${key}`, alt: `Photo ${index + 1} de l’idée « ${idea.title} »`, width: 320 }),
        remove,
      );
    }),
  );
  if (!canEdit || pictures.length >= MAX_PICTURES) {
    fill(byId('pictures-form'), canEdit ? h('p', {}, '3 photos au plus par idée.') : null, error);
    return;
  }
  const input = h('input', {
    id: 'picture-file',
    type: 'file',
    accept: PICTURE_TYPES.join(','),
    'aria-describedby': 'picture-hint',
  });
  const send = h('button', { type: 'button', class: 'button' }, 'Envoyer la photo');
  send.addEventListener('click', async () => {
    fill(error);
    const file = input.files?.[0];
    if (!file) return fill(error, h('p', { class: 'field-error' }, 'Choisissez une photo.'));
    if (!PICTURE_TYPES.includes(file.type) || file.size > MAX_PICTURE_BYTES || file.size === 0) {
      return fill(error, h('p', { class: 'field-error' }, 'Photo JPEG, PNG ou WebP de 5 Mo au plus.'));
    }
    send.disabled = true;
    try {
      const upload = await apiRequest<{ key: string; uploadUrl: string; headers: Record<string, string> }>(
        config,
        `${base}/pictures`,
        { method: 'POST', token, body: { contentType: file.type, size: file.size } },
      );
      const stored = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: file });
      if (!stored.ok) throw new Error(`upload ${stored.status}`);
      await savePictures([...pictures, upload.key], 'Photo ajoutée. Votre idée repasse en modération.');
    } catch (failure) {
      send.disabled = false;
      fail(failure);
    }
  });
  fill(
    byId('pictures-form'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'picture-file' }, 'Ajouter une photo'),
      h(
        'p',
        { class: 'hint', id: 'picture-hint' },
        `JPEG, PNG ou WebP, 5 Mo au plus, ${MAX_PICTURES} photos par idée. Votre idée repassera en modération.`,
      ),
      input,
    ),
    send,
    error,
  );
}

/** The count, and for a signed-in citizen a button that supports (or un-supports) the idea, once. */
function renderSupports(
  config: SiteConfig,
  enabled: boolean,
  idea: IdeaDetail,
  token: string | undefined,
): void {
  const box = byId('idea-supports');
  if (!enabled || idea.status !== 'published' || idea.supportsCount === undefined) {
    fill(box);
    return;
  }
  const count = h('p', { id: 'supports-count' }, plural(idea.supportsCount, 'soutien'));
  if (!token) {
    fill(
      box,
      count,
      h('p', {}, h('a', { href: 'identite.html' }, 'Vérifiez votre identité pour soutenir cette idée')),
    );
    return;
  }
  const supported = idea.supportedByMe === true;
  const button = h(
    'button',
    // A toggle button says its state as "true"/"false": h() writes `true` as an empty attribute, omits `false`.
    {
      type: 'button',
      class: supported ? 'button button-secondary' : 'button',
      'aria-pressed': String(supported),
    },
    supported ? 'Retirer mon soutien' : 'Soutenir cette idée',
  );
  const error = h('div', { role: 'alert' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const result = await apiRequest<{ supported: boolean; supportsCount: number }>(
        config,
        `${editionPath(config)}/ideas/${encodeURIComponent(idea.id)}/support`,
        { method: supported ? 'DELETE' : 'PUT', token },
      );
      renderSupports(
        config,
        enabled,
        { ...idea, supportsCount: result.supportsCount, supportedByMe: result.supported },
        token,
      );
      byId('supports-count').focus();
    } catch (failure) {
      button.disabled = false;
      fill(error, problemNotice(failure instanceof ApiError ? failure.problem : unexpectedProblem()));
    }
  });
  count.setAttribute('tabindex', '-1');
  fill(box, count, button, error);
}

async function main(): Promise<void> {
  const status = byId('idea-status');
  const id = new URLSearchParams(location.search).get('id') ?? '';
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    fill(status);
    fill(
      byId('idea-error'),
      problemNotice({
        title: 'Idée introuvable',
        detail: 'Le lien est incomplet : revenez à la liste des idées.',
        status: 404,
      }),
    );
    return;
  }
  try {
    const config = await loadConfig();
    // An author sees her own idea whatever its status (links of the emails); anyone else, published ones.
    const token = currentCitizen()?.token;
    const [{ edition }, callWindow, idea] = await Promise.all([
      apiRequest<EditionView>(config, editionPath(config)),
      apiRequest<IdeasWindow>(config, `${editionPath(config)}/ideas-window`).catch(() => ({ open: false })),
      apiRequest<IdeaDetail>(
        config,
        `${editionPath(config)}/ideas/${encodeURIComponent(id)}`,
        token ? { token } : {},
      ),
    ]);
    document.title = `${idea.title} — Budget participatif`;
    fill(byId('idea-title'), idea.title);
    const when = idea.publishedAt ? `publiée le ${formatDay(idea.publishedAt, edition.timeZone)}` : '';
    fill(byId('idea-state'), [statusName(idea), when].filter(Boolean).join(', '));
    fill(byId('idea-facts'), ideaFacts(edition, idea));
    fill(
      byId('idea-description'),
      ...idea.description.split(/\n{2,}/).map((paragraph) => h('p', {}, paragraph)),
    );
    fill(
      byId('idea-merged'),
      idea.mergedInto
        ? h(
            'a',
            { href: `idee.html?id=${encodeURIComponent(idea.mergedInto)}` },
            'Cette idée a été regroupée avec une autre : la voir',
          )
        : idea.authorsCount > 1
          ? `Idée portée par ${idea.authorsCount} personnes (idées semblables regroupées).`
          : null,
    );
    renderSupports(config, edition.supports.enabled, idea, token);
    renderPictures(config, idea, token, callWindow.open);
    fill(status);
    byId('idea').hidden = false;
  } catch (error) {
    fill(status);
    fill(byId('idea-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

void main();
