import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen } from './lib/citizen-session.ts';
import type { SiteConfig } from './lib/config.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDay, plural } from './lib/format.ts';
import { clearFieldErrors, problemNotice, showFieldErrors, unexpectedProblem } from './lib/forms.ts';
import { type IdeaPath, ideaPath, pathList } from './lib/idea-path.ts';
import { editionPath, type IdeasWindow, type IdeaView, ideaFacts, statusName } from './lib/ideas.ts';
import {
  ALT_HINT,
  MAX_PICTURES,
  PICTURE_ACCEPT,
  PICTURE_HINT,
  type PictureView,
  pictureAltError,
  pictureFileError,
  savedPictures,
  UploadFailed,
  uploadPicture,
} from './lib/pictures.ts';
import type { EditionView } from './lib/types.ts';

/** `GET .../ideas/{id}`: with supports when the edition has them (and mine, when signed in). */
type IdeaDetail = IdeaView & {
  supportsCount?: number;
  supportedByMe?: boolean;
  pictures?: PictureView[];
  /** What became of it once published (instruction, ballot, result, realisation). */
  path?: IdeaPath;
};

const EDITABLE = ['submitted', 'changes-requested', 'published'];

/**
 * The idea's pictures, each with the text alternative its author wrote (read URLs come with the idea, only to
 * those who may read it); for its author, while she may edit it, a form that uploads one more (presigned `PUT`
 * straight to storage, then the idea saved with its key and text alternative: it goes back to moderation) and
 * a button to remove each. Refusals (type, size, missing description, not an image) show next to their field.
 */
function renderPictures(
  config: SiteConfig,
  idea: IdeaDetail,
  token: string | undefined,
  callOpen: boolean,
  notice?: string,
): void {
  const section = byId('idea-pictures');
  const pictures = idea.pictures ?? [];
  // Pictures are part of the idea: they change only while the call for ideas is open.
  const canEdit = Boolean(callOpen && token && idea.isAuthor && EDITABLE.includes(idea.status));
  section.hidden = pictures.length === 0 && !canEdit;
  const error = h('div', { role: 'alert' });
  const base = `${editionPath(config)}/ideas/${encodeURIComponent(idea.id)}`;
  const savePictures = async (next: PictureView[], message: string) => {
    const saved = await apiRequest<IdeaDetail>(config, base, {
      method: 'PATCH',
      token: token as string,
      body: { pictures: savedPictures(next) },
    });
    renderPictures(config, { ...idea, ...saved }, token, callOpen, message);
  };
  const fail = (failure: unknown) =>
    fill(
      error,
      failure instanceof UploadFailed
        ? h('div', { class: 'notice notice-error' }, h('p', {}, failure.message))
        : problemNotice(failure instanceof ApiError ? failure.problem : unexpectedProblem()),
    );
  fill(
    byId('pictures-list'),
    ...pictures.map((picture, index) => {
      const remove = canEdit
        ? h('button', { type: 'button', class: 'button button-secondary' }, `Retirer la photo ${index + 1}`)
        : null;
      remove?.addEventListener('click', () => {
        remove.disabled = true;
        savePictures(
          pictures.filter((other) => other.key !== picture.key),
          'Photo retirée. Votre idée repasse en modération.',
        ).catch((failure) => {
          remove.disabled = false;
          fail(failure);
        });
      });
      return h(
        'li',
        { class: 'idea-picture' },
        picture.url
          ? h('img', {
              src: picture.url,
              // Pictures saved before text alternatives existed have none: never an empty (decorative) alt.
              alt: picture.alt || `Photo ${index + 1} de l’idée « ${idea.title} »`,
              width: 320,
              loading: 'lazy',
            })
          : h('p', {}, picture.alt || `Photo ${index + 1}`),
        remove,
      );
    }),
  );
  const status = notice ? h('p', { class: 'notice notice-success', role: 'status' }, notice) : null;
  if (!canEdit || pictures.length >= MAX_PICTURES) {
    fill(
      byId('pictures-form'),
      status,
      canEdit ? h('p', {}, `${MAX_PICTURES} photos au plus par idée.`) : null,
      error,
    );
    return;
  }
  const input = h('input', {
    id: 'picture-file',
    type: 'file',
    accept: PICTURE_ACCEPT,
    'aria-describedby': 'picture-file-hint picture-file-error',
  });
  const alt = h('input', {
    id: 'picture-alt',
    type: 'text',
    autocomplete: 'off',
    'aria-describedby': 'picture-alt-hint picture-alt-error',
  });
  const fields: Record<string, HTMLElement> = {
    'body.contentType': input,
    'body.size': input,
    [`body.pictures.${pictures.length}.key`]: input,
    [`body.pictures.${pictures.length}.alt`]: alt,
  };
  const send = h('button', { type: 'button', class: 'button' }, 'Envoyer la photo');
  send.addEventListener('click', async () => {
    fill(error);
    clearFieldErrors(fields);
    const file = input.files?.[0];
    const local = [
      ...(file ? [] : [{ field: 'body.contentType', message: 'Choisissez une photo.' }]),
      ...(file && pictureFileError(file)
        ? [{ field: 'body.contentType', message: pictureFileError(file) ?? '' }]
        : []),
      ...(pictureAltError(alt.value)
        ? [{ field: `body.pictures.${pictures.length}.alt`, message: pictureAltError(alt.value) ?? '' }]
        : []),
    ];
    if (!file || local.length > 0) {
      showFieldErrors(fields, local);
      return;
    }
    send.disabled = true;
    try {
      const key = await uploadPicture(config, token as string, idea.id, file);
      await savePictures(
        [...pictures, { key, alt: alt.value.trim() }],
        'Photo ajoutée. Votre idée repasse en modération.',
      );
    } catch (failure) {
      send.disabled = false;
      if (failure instanceof ApiError) showFieldErrors(fields, failure.problem.errors ?? []);
      fail(failure);
    }
  });
  fill(
    byId('pictures-form'),
    status,
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'picture-file' }, 'Ajouter une photo'),
      h(
        'p',
        { class: 'hint', id: 'picture-file-hint' },
        `${PICTURE_HINT} Votre idée repassera en modération.`,
      ),
      input,
      h('p', { class: 'field-error', id: 'picture-file-error' }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'picture-alt' }, 'Description de la photo'),
      h('p', { class: 'hint', id: 'picture-alt-hint' }, ALT_HINT),
      alt,
      h('p', { class: 'field-error', id: 'picture-alt-error' }),
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
    const [{ edition, phase }, callWindow, idea] = await Promise.all([
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
    // « Publiée le 1er mars 2024 », not « Publiée, publiée le … »; other statuses say their name and the date.
    const day = idea.publishedAt ? formatDay(idea.publishedAt, edition.timeZone) : '';
    fill(
      byId('idea-state'),
      idea.status === 'published' && day
        ? `Publiée le ${day}`
        : [statusName(idea), day && `publiée le ${day}`].filter(Boolean).join(', '),
    );
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
    // Its path through the edition, as its author follows it on « Mes idées » (public steps only).
    fill(
      byId('idea-path'),
      pathList(
        ideaPath(idea, phase.current, edition.timeZone, idea.isAuthor ? 'author' : 'public'),
        'path-heading',
      ),
    );
    renderPictures(config, idea, token, callWindow.open);
    fill(status);
    byId('idea').hidden = false;
  } catch (error) {
    fill(status);
    fill(byId('idea-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

void main();
