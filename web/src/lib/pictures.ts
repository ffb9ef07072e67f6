import { apiRequest } from './api.ts';
import type { SiteConfig } from './config.ts';
import { editionPath } from './ideas.ts';
import { MAX_PICTURE_BYTES, MAX_PICTURES, PICTURE_ALT_LENGTH, PICTURE_TYPES } from './shared-data.ts';

/** A picture as the API answers it: its key, the author's text alternative, a short-lived read URL. */
export interface PictureView {
  key: string;
  alt: string;
  url?: string;
}

export { MAX_PICTURES };
export const PICTURE_ACCEPT = Object.keys(PICTURE_TYPES).join(',');
export const PICTURE_HINT = `JPEG, PNG ou WebP, 5 Mo au plus, ${MAX_PICTURES} photos par idée.`;
export const ALT_HINT =
  'Ce que montre la photo, en une phrase : ce texte est lu aux personnes qui ne voient pas l’image.';

/** The browser's first look at the chosen file (the API checks the declared type, then what was stored). */
export function pictureFileError(file: File): string | undefined {
  if (file.size === 0) return 'Ce fichier est vide : choisissez une photo.';
  if (!(file.type in PICTURE_TYPES)) return 'Ce fichier n’est pas une photo JPEG, PNG ou WebP.';
  if (file.size > MAX_PICTURE_BYTES) return 'Cette photo pèse plus de 5 Mo : choisissez-en une plus légère.';
  return undefined;
}

export function pictureAltError(alt: string): string | undefined {
  const length = alt.trim().length;
  if (length < PICTURE_ALT_LENGTH.min)
    return 'Décrivez la photo en quelques mots : ce texte est lu à la place de l’image.';
  if (length > PICTURE_ALT_LENGTH.max) return `${PICTURE_ALT_LENGTH.max} caractères au plus.`;
  return undefined;
}

/** What the idea keeps of its pictures when saved (`PATCH ... { pictures }`): keys and text alternatives. */
export const savedPictures = (pictures: readonly PictureView[]) =>
  pictures.map(({ key, alt }) => ({ key, alt }));

/** Storage refused or could not be reached: the file was not sent (nothing saved on the idea). */
export class UploadFailed extends Error {}

/**
 * Sends one file straight to storage: the ideas API checks the declared type and size and answers a presigned
 * `PUT` (refusals are `ApiError`s with field errors `body.contentType` / `body.size`), then the browser sends
 * the file. Returns the key to save on the idea with its text alternative.
 */
export async function uploadPicture(
  config: SiteConfig,
  token: string,
  ideaId: string,
  file: File,
): Promise<string> {
  const upload = await apiRequest<{ key: string; uploadUrl: string; headers: Record<string, string> }>(
    config,
    `${editionPath(config)}/ideas/${encodeURIComponent(ideaId)}/pictures`,
    { method: 'POST', token, body: { contentType: file.type, size: file.size } },
  );
  let stored: Response;
  try {
    stored = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: file });
  } catch {
    throw new UploadFailed('La photo n’a pas pu être envoyée : vérifiez votre connexion et réessayez.');
  }
  if (!stored.ok)
    throw new UploadFailed('La photo a été refusée par le stockage : réessayez avec une autre photo.');
  return upload.key;
}
