import { ApiError, apiRequest } from './lib/api.ts';
import { type CitizenSession, currentCitizen, signOutCitizen } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, formatEuros } from './lib/format.ts';
import {
  clearFieldErrors,
  type FieldError,
  problemNotice,
  showFieldErrors,
  unexpectedProblem,
} from './lib/forms.ts';
import { communesOf, editionPath, envelopes, type IdeasWindow, type IdeaView } from './lib/ideas.ts';
import {
  MAX_PICTURES,
  type PictureView,
  pictureAltError,
  pictureFileError,
  savedPictures,
  UploadFailed,
  uploadPicture,
} from './lib/pictures.ts';
import { DESCRIPTION_LENGTH, PLACE_LENGTH, TITLE_LENGTH } from './lib/shared-data.ts';
import type { EditionView } from './lib/types.ts';

/** An idea as the API answers its author: with its pictures. */
type IdeaWithPictures = IdeaView & { pictures?: PictureView[] };

/** What has been typed, as kept in localStorage and in the server draft. */
interface Draft {
  territory?: string;
  commune?: string;
  theme?: string;
  title?: string;
  description?: string;
  estimatedCost?: number;
  proposer?: { kind?: 'individual' | 'collective' | 'association'; name?: string };
  /** An address or a place name, in words (never coordinates). */
  place?: string;
  step?: number;
}

/** The browser copy: the draft, when it was typed, and the submission key generated once per draft. */
interface LocalDraft {
  draft: Draft;
  savedAt: string;
  idempotencyKey: string;
}

const STEPS = 3;
/** Which step holds each field the API may complain about. */
const FIELD_STEP: Record<string, number> = {
  'body.territory': 0,
  'body.commune': 0,
  'body.place': 0,
  'body.theme': 1,
  'body.title': 1,
  'body.description': 1,
  'body.estimatedCost': 2,
  'body.proposer': 2,
  'body.proposer.kind': 2,
  'body.proposer.name': 2,
  'picture.file': 2,
  'picture.alt': 2,
};
const SERVER_SAVE_DELAY_MS = 1500;

const territory = byId<HTMLSelectElement>('territory');
const commune = byId<HTMLSelectElement>('commune');
const place = byId<HTMLInputElement>('place');
const theme = byId<HTMLSelectElement>('theme');
const title = byId<HTMLInputElement>('title');
const description = byId<HTMLTextAreaElement>('description');
const cost = byId<HTMLInputElement>('cost');
const proposerName = byId<HTMLInputElement>('proposer-name');
const pictureFile = byId<HTMLInputElement>('picture-file');
const pictureAlt = byId<HTMLInputElement>('picture-alt');
const form = byId<HTMLFormElement>('idea-form');
const status = byId('propose-status');
const errorBox = byId('propose-error');
const saveStatus = byId('save-status');

const fields: Record<string, HTMLElement | undefined> = {
  'body.territory': territory,
  'body.commune': commune,
  'body.place': place,
  'body.theme': theme,
  'body.title': title,
  'body.description': description,
  'body.estimatedCost': cost,
  'body.proposer': byId('proposer'),
  'body.proposer.kind': byId('proposer'),
  'body.proposer.name': proposerName,
  'picture.file': pictureFile,
  'picture.alt': pictureAlt,
};

/**
 * The optional picture of the form: the file's type and size, and its description (required with a file).
 * It is sent once the idea is saved (a picture belongs to an idea), see {@link addPicture}.
 */
function pictureErrors(): FieldError[] {
  const file = pictureFile.files?.[0];
  if (!file) {
    return pictureAlt.value.trim()
      ? [
          {
            field: 'picture.file',
            message: 'Choisissez la photo que vous décrivez, ou effacez la description.',
          },
        ]
      : [];
  }
  const fileError = pictureFileError(file);
  const altError = pictureAltError(pictureAlt.value);
  return [
    ...(fileError ? [{ field: 'picture.file', message: fileError }] : []),
    ...(altError ? [{ field: 'picture.alt', message: altError }] : []),
  ];
}

/**
 * Uploads the chosen picture to the saved idea and saves it with its description. Answers what went wrong, in
 * French, or `undefined`: the idea itself is saved either way, and the picture can be added from its page.
 */
async function addPicture(
  config: SiteConfig,
  token: string,
  idea: IdeaWithPictures,
): Promise<string | undefined> {
  const file = pictureFile.files?.[0];
  if (!file) return undefined;
  try {
    const key = await uploadPicture(config, token, idea.id, file);
    await apiRequest(config, `${editionPath(config)}/ideas/${encodeURIComponent(idea.id)}`, {
      method: 'PATCH',
      token,
      body: { pictures: [...savedPictures(idea.pictures ?? []), { key, alt: pictureAlt.value.trim() }] },
    });
    return undefined;
  } catch (failure) {
    if (failure instanceof UploadFailed) return failure.message;
    if (failure instanceof ApiError) {
      return failure.problem.errors?.[0]?.message ?? failure.problem.detail ?? failure.problem.title;
    }
    return 'La photo n’a pas pu être envoyée.';
  }
}

let step = 0;

const proposerKind = () =>
  (form.querySelector<HTMLInputElement>('input[name="proposer"]:checked')?.value ??
    'individual') as NonNullable<Draft['proposer']>['kind'];

function readDraft(): Draft {
  const costValue = cost.value.replace(/[\s\u00a0\u202f€]/g, '');
  const kind = proposerKind();
  return {
    territory: territory.value,
    commune: commune.value,
    theme: theme.value,
    title: title.value,
    description: description.value,
    ...(/^\d{1,10}$/.test(costValue) ? { estimatedCost: Number(costValue) } : {}),
    proposer: { kind, ...(kind !== 'individual' ? { name: proposerName.value } : {}) },
    ...(place.value.trim() ? { place: place.value } : {}),
    step,
  };
}

function showStep(next: number, focus = true): void {
  step = Math.max(0, Math.min(STEPS - 1, next));
  for (let index = 0; index < STEPS; index++) byId(`step-${index}`).hidden = index !== step;
  byId('previous').hidden = step === 0;
  byId('next').hidden = step === STEPS - 1;
  byId('submit').hidden = step !== STEPS - 1;
  if (focus) byId(`step-${step}-heading`).focus();
}

function fillCommunes(edition: EditionView['edition'], wanted: string): void {
  const wide = edition.budget.departementWide?.id === territory.value;
  fill(
    commune,
    h(
      'option',
      { value: '' },
      wide ? 'Tout le Département (aucune commune en particulier)' : 'Choisissez la commune',
    ),
    ...communesOf(edition, territory.value).map((item) =>
      h('option', { value: item.code, selected: item.code === wanted }, item.name),
    ),
  );
}

function restore(edition: EditionView['edition'], draft: Draft): void {
  if (draft.territory && [...territory.options].some((option) => option.value === draft.territory)) {
    territory.value = draft.territory;
  }
  fillCommunes(edition, draft.commune ?? '');
  if (draft.theme) theme.value = draft.theme;
  title.value = draft.title ?? '';
  description.value = draft.description ?? '';
  cost.value = draft.estimatedCost === undefined ? '' : String(draft.estimatedCost);
  const kind = draft.proposer?.kind ?? 'individual';
  const radio = form.querySelector<HTMLInputElement>(`input[name="proposer"][value="${kind}"]`);
  if (radio) radio.checked = true;
  proposerName.value = draft.proposer?.name ?? '';
  byId('proposer-name-field').hidden = kind === 'individual';
  place.value = draft.place ?? '';
}

/** Checks what the browser can check, so that most mistakes are shown before anything is sent. */
function localErrors(edition: EditionView['edition'], draft: Draft): FieldError[] {
  const errors: FieldError[] = [];
  const wide = edition.budget.departementWide?.id === draft.territory;
  if (!draft.territory) errors.push({ field: 'body.territory', message: 'Choisissez le territoire.' });
  if (!wide && !draft.commune)
    errors.push({ field: 'body.commune', message: 'Choisissez la commune concernée.' });
  const placeLength = draft.place?.trim().length ?? 0;
  if (placeLength === 1 || placeLength > PLACE_LENGTH.max) {
    errors.push({
      field: 'body.place',
      message: `Indiquez une adresse ou un lieu de 2 à ${PLACE_LENGTH.max} caractères, ou laissez vide.`,
    });
  }
  if (!draft.theme) errors.push({ field: 'body.theme', message: 'Choisissez un thème.' });
  const titleLength = draft.title?.trim().length ?? 0;
  if (titleLength < TITLE_LENGTH.min || titleLength > TITLE_LENGTH.max) {
    errors.push({
      field: 'body.title',
      message: `Le titre compte de ${TITLE_LENGTH.min} à ${TITLE_LENGTH.max} caractères (${titleLength} actuellement).`,
    });
  }
  const descriptionLength = draft.description?.trim().length ?? 0;
  if (descriptionLength < DESCRIPTION_LENGTH.min || descriptionLength > DESCRIPTION_LENGTH.max) {
    errors.push({
      field: 'body.description',
      message: `La description compte de ${DESCRIPTION_LENGTH.min} à ${DESCRIPTION_LENGTH.max.toLocaleString('fr-FR')} caractères (${descriptionLength} actuellement).`,
    });
  }
  const { min, max } = edition.ideaCost;
  if (draft.estimatedCost === undefined) {
    errors.push({ field: 'body.estimatedCost', message: 'Indiquez un montant en euros, sans centimes.' });
  } else if (draft.estimatedCost < min || draft.estimatedCost > max) {
    errors.push({
      field: 'body.estimatedCost',
      message: `Le coût estimé doit être compris entre ${formatEuros(min)} et ${formatEuros(max)}.`,
    });
  }
  if (draft.proposer?.kind !== 'individual' && (draft.proposer?.name?.trim().length ?? 0) < 2) {
    errors.push({
      field: 'body.proposer.name',
      message: 'Indiquez le nom du collectif ou de l’association.',
    });
  }
  return errors;
}

/** Shows errors next to their fields, on the step of the first one. */
function showErrors(errors: FieldError[]): boolean {
  const first = errors.find((error) => fields[error.field]);
  if (!first) return false;
  showStep(FIELD_STEP[first.field] ?? step, false);
  return showFieldErrors(fields, errors);
}

function submissionBody(draft: Draft) {
  return {
    title: draft.title?.trim() ?? '',
    description: draft.description?.trim() ?? '',
    theme: draft.theme ?? '',
    territory: draft.territory ?? '',
    ...(draft.commune ? { commune: draft.commune } : {}),
    estimatedCost: draft.estimatedCost ?? 0,
    proposer: {
      kind: draft.proposer?.kind ?? 'individual',
      ...(draft.proposer?.kind !== 'individual' ? { name: draft.proposer?.name?.trim() ?? '' } : {}),
    },
    ...(draft.place?.trim() ? { place: draft.place.trim() } : {}),
  };
}

function signedOut(message?: string): void {
  fill(status, message ? h('p', { class: 'notice notice-info' }, message) : null);
  form.hidden = true;
  byId('propose-signed-out').hidden = false;
}

async function main(): Promise<void> {
  const citizen = currentCitizen();
  if (!citizen) return signedOut();
  const editing = new URLSearchParams(location.search).get('modifier');
  let config: SiteConfig;
  let view: EditionView;
  let callWindow: IdeasWindow;
  let serverDraft: { draft: Draft; savedAt: string } | undefined;
  let existing: IdeaWithPictures | undefined;
  try {
    config = await loadConfig();
    const base = editionPath(config);
    [view, callWindow] = await Promise.all([
      apiRequest<EditionView>(config, base),
      apiRequest<IdeasWindow>(config, `${base}/ideas-window`),
    ]);
    if (editing) {
      existing = await apiRequest<IdeaWithPictures>(config, `${base}/ideas/${encodeURIComponent(editing)}`, {
        token: citizen.token,
      });
    } else {
      serverDraft = await apiRequest<{ draft: Draft; savedAt: string }>(config, `${base}/me/idea-draft`, {
        token: citizen.token,
      }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      });
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOutCitizen();
      return signedOut('Votre session a expiré. Vérifiez à nouveau votre identité.');
    }
    fill(status);
    fill(errorBox, problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    return;
  }
  setUp(config, citizen, view.edition, callWindow, serverDraft, existing);
}

function setUp(
  config: SiteConfig,
  citizen: CitizenSession,
  edition: EditionView['edition'],
  callWindow: IdeasWindow,
  serverDraft: { draft: Draft; savedAt: string } | undefined,
  existing: IdeaWithPictures | undefined,
): void {
  const base = editionPath(config);
  const storageKey = existing
    ? `bp.idea.edit.${config.edition}.${existing.id}`
    : `bp.idea.draft.${config.edition}.${citizen.citizenId}`;
  const tz = edition.timeZone;

  byId('picture-fieldset').hidden = (existing?.pictures ?? []).length >= MAX_PICTURES;
  if (existing) {
    fill(byId('propose-title'), 'Modifier mon idée');
    document.title = 'Modifier mon idée — Budget participatif';
    fill(byId('submit'), 'Enregistrer les modifications');
  }
  const mine = envelopes(edition).filter(
    (item) => item.id === citizen.territory || item.id === edition.budget.departementWide?.id,
  );
  fill(territory, ...mine.map((item) => h('option', { value: item.id }, item.name)));
  fill(
    theme,
    h('option', { value: '' }, 'Choisissez un thème'),
    ...edition.themes.map((item) => h('option', { value: item.id }, item.name)),
  );
  fill(byId('title-hint'), `De ${TITLE_LENGTH.min} à ${TITLE_LENGTH.max} caractères.`);
  fill(
    byId('description-hint'),
    `De ${DESCRIPTION_LENGTH.min} à ${DESCRIPTION_LENGTH.max.toLocaleString('fr-FR')} caractères : ce que vous proposez, où, pour qui.`,
  );
  fill(
    byId('cost-hint'),
    `Entre ${formatEuros(edition.ideaCost.min)} et ${formatEuros(edition.ideaCost.max)}, en euros entiers. Une estimation suffit : les services du Département la vérifieront.`,
  );
  fill(
    byId('window-info'),
    callWindow.open
      ? `L’appel à idées est ouvert jusqu’au ${formatDateTime(callWindow.closesAt, tz)}. Votre saisie est enregistrée au fur et à mesure.`
      : `L’appel à idées n’est pas ouvert (du ${formatDateTime(callWindow.opensAt, tz)} au ${formatDateTime(callWindow.closesAt, tz)}). Votre saisie est tout de même enregistrée.`,
  );

  // Restore: the newer of the browser copy and the server draft (or the idea being edited).
  let local: LocalDraft | undefined;
  try {
    local = JSON.parse(localStorage.getItem(storageKey) ?? 'null') ?? undefined;
  } catch {
    local = undefined;
  }
  let idempotencyKey = local?.idempotencyKey ?? crypto.randomUUID();
  let restored: Draft | undefined = local?.draft;
  if (existing && !restored) {
    restored = {
      territory: existing.territory,
      commune: existing.commune ?? '',
      theme: existing.theme,
      title: existing.title,
      description: existing.description,
      estimatedCost: existing.estimatedCost,
      proposer: existing.proposer,
      ...(existing.place ? { place: existing.place } : {}),
    };
  }
  if (serverDraft && (!local || serverDraft.savedAt > local.savedAt)) restored = serverDraft.draft;
  restore(edition, restored ?? {});
  showStep(restored?.step ?? 0, false);
  fill(
    status,
    existing
      ? h(
          'p',
          { class: 'notice notice-info' },
          existing.status === 'published'
            ? 'Votre idée est publiée : une fois modifiée, elle quittera la liste publique le temps qu’un modérateur la relise.'
            : 'Une fois modifiée, votre idée sera relue par un modérateur.',
        )
      : restored
        ? h(
            'p',
            { class: 'notice notice-info' },
            'Nous avons retrouvé votre brouillon : vous pouvez reprendre où vous en étiez.',
          )
        : null,
  );
  form.hidden = false;

  let serverTimer: ReturnType<typeof setTimeout> | undefined;
  let serverSave: Promise<void> | undefined;
  const saveToServer = () => {
    serverTimer = undefined;
    serverSave = putServerDraft().finally(() => {
      serverSave = undefined;
    });
  };
  const putServerDraft = async () => {
    const { commune: code, ...rest } = readDraft();
    try {
      await apiRequest(config, `${base}/me/idea-draft`, {
        method: 'PUT',
        token: citizen.token,
        body: { ...rest, ...(code ? { commune: code } : {}) },
      });
      fill(saveStatus, 'Brouillon enregistré sur ce navigateur et sur nos serveurs.');
    } catch {
      fill(saveStatus, 'Brouillon enregistré sur ce navigateur (nos serveurs seront mis à jour plus tard).');
    }
  };
  const save = () => {
    const draft = readDraft();
    const copy: LocalDraft = { draft, savedAt: new Date().toISOString(), idempotencyKey };
    localStorage.setItem(storageKey, JSON.stringify(copy));
    if (existing) return;
    if (serverTimer) clearTimeout(serverTimer);
    serverTimer = setTimeout(saveToServer, SERVER_SAVE_DELAY_MS);
  };

  // A browser copy newer than the server draft (a tab closed before the debounced save) is sent again.
  if (!existing && local && (!serverDraft || serverDraft.savedAt < local.savedAt)) save();

  form.addEventListener('input', save);
  form.addEventListener('change', save);
  territory.addEventListener('change', () => {
    fillCommunes(edition, '');
    save();
  });
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="proposer"]')) {
    radio.addEventListener('change', () => {
      byId('proposer-name-field').hidden = proposerKind() === 'individual';
    });
  }

  const errorsOfStep = (index: number) =>
    localErrors(edition, readDraft()).filter((error) => (FIELD_STEP[error.field] ?? 0) === index);
  byId('next').addEventListener('click', () => {
    clearFieldErrors(fields);
    const errors = errorsOfStep(step);
    if (errors.length > 0) {
      showFieldErrors(fields, errors);
      return;
    }
    showStep(step + 1);
    save();
  });
  byId('previous').addEventListener('click', () => {
    clearFieldErrors(fields);
    showStep(step - 1);
    save();
  });

  let sending = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
    clearFieldErrors(fields);
    fill(errorBox);
    const draft = readDraft();
    const errors = [...localErrors(edition, draft), ...pictureErrors()];
    if (errors.length > 0) {
      showErrors(errors);
      return;
    }
    sending = true;
    const button = byId<HTMLButtonElement>('submit');
    button.disabled = true;
    fill(status, h('p', { class: 'loading' }, 'Envoi en cours…'));
    // The submission deletes the server draft: no debounced save may land after it and bring it back.
    if (serverTimer) clearTimeout(serverTimer);
    serverTimer = undefined;
    await serverSave;
    try {
      const body = submissionBody(draft);
      const idea = existing
        ? await apiRequest<IdeaWithPictures>(config, `${base}/ideas/${encodeURIComponent(existing.id)}`, {
            method: 'PATCH',
            token: citizen.token,
            body: { ...body, commune: body.commune ?? null, place: body.place ?? null },
          })
        : await apiRequest<IdeaWithPictures>(config, `${base}/ideas`, {
            method: 'POST',
            token: citizen.token,
            body,
            headers: { 'Idempotency-Key': idempotencyKey },
          });
      if (pictureFile.files?.[0]) fill(status, h('p', { class: 'loading' }, 'Envoi de la photo…'));
      // The saved idea's answer lists its pictures (none for a new one): the new picture comes after them.
      const pictureProblem = await addPicture(config, citizen.token, idea);
      if (serverTimer) clearTimeout(serverTimer);
      localStorage.removeItem(storageKey);
      idempotencyKey = crypto.randomUUID();
      form.hidden = true;
      fill(status);
      const done = byId('propose-done');
      fill(
        done,
        h(
          'div',
          { class: 'notice notice-success' },
          h(
            'h2',
            { tabindex: '-1', id: 'done-heading' },
            existing ? 'Modifications enregistrées' : 'Idée envoyée, merci !',
          ),
          h(
            'p',
            {},
            `« ${idea.title} » attend maintenant la relecture d’un modérateur, qui vérifie qu’elle respecte la charte de participation. Vous recevrez un courriel à chaque étape.`,
          ),
          pictureProblem
            ? h(
                'p',
                {},
                h('strong', {}, 'La photo n’a pas été ajoutée : '),
                `${pictureProblem} Votre idée est bien enregistrée ; vous pouvez ajouter la photo depuis `,
                h('a', { href: `idee.html?id=${encodeURIComponent(idea.id)}` }, 'la page de l’idée'),
                '.',
              )
            : null,
          h('p', {}, h('a', { href: 'mes-idees.html' }, 'Voir mes idées')),
        ),
      );
      done.hidden = false;
      byId('done-heading').focus();
    } catch (error) {
      // Nothing typed is lost: the form stays as it is, and the same key retries the same submission.
      fill(status);
      if (error instanceof ApiError && error.status === 401) {
        fill(
          errorBox,
          h(
            'div',
            { class: 'notice notice-error' },
            h('p', {}, h('strong', {}, 'Votre session a expiré.')),
            h(
              'p',
              {},
              'Votre saisie est gardée sur ce navigateur. ',
              h('a', { href: 'identite.html' }, 'Vérifiez à nouveau votre identité'),
              ' puis revenez sur cette page.',
            ),
          ),
        );
        return;
      }
      const problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      if (problem.code === 'idempotency_key_reused') {
        // This draft was already sent (an answer lost on the way?) and then changed: the next try is a new idea.
        idempotencyKey = crypto.randomUUID();
        save();
        problem.detail =
          'Une version précédente de cette idée a déjà été envoyée : vérifiez « Mes idées ». Si vous voulez envoyer celle-ci aussi, cliquez à nouveau sur « Envoyer mon idée ».';
      }
      fill(errorBox, problemNotice(problem));
      if (!showErrors(problem.errors ?? [])) byId('propose-error').scrollIntoView({ block: 'center' });
    } finally {
      sending = false;
      button.disabled = false;
    }
  });
}

void main();
