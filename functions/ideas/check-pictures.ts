import { DomainError } from '../../shared/errors/domain-error.ts';
import { type IdeaPicture, MAX_PICTURE_BYTES } from '../../shared/http/idea-schemas.ts';
import type { UploadPresigner } from '../../shared/site/upload-presigner.ts';
import { picturesUnavailable } from './pictures-unavailable.ts';

/** The first bytes of each accepted format, by the extension its key carries. */
const SIGNATURES: Record<string, (head: Uint8Array) => boolean> = {
  jpg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  png: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, i) => b[i] === byte),
  // RIFF....WEBP
  webp: (b) =>
    String.fromCharCode(...b.slice(0, 4)) === 'RIFF' && String.fromCharCode(...b.slice(8, 12)) === 'WEBP',
};

/** Whether the stored file's first bytes are those of the format its key names. */
export function looksLike(key: string, head: Uint8Array): boolean {
  const extension = key.slice(key.lastIndexOf('.') + 1);
  return SIGNATURES[extension]?.(head) ?? false;
}

/**
 * Pictures an idea is about to refer to for the first time must be what was promised when the upload was
 * signed: stored, 5 MB at most, and really a JPEG, PNG or WebP of the type its key names (a text file renamed
 * `photo.png` is refused). S3 enforces the signed type and size of the `PUT` itself; this second look does not
 * trust it (nor an emulator that does not check signatures). Field errors point at each refused picture.
 */
export async function checkNewPictures(
  storage: UploadPresigner | undefined,
  pictures: readonly IdeaPicture[],
  known: ReadonlySet<string>,
): Promise<void> {
  const fresh = pictures
    .map((picture, index) => ({ picture, index }))
    .filter(({ picture }) => !known.has(picture.key));
  if (fresh.length === 0) return;
  if (!storage) throw picturesUnavailable();
  const errors: { field: string; message: string }[] = [];
  let code = 'picture_refused';
  for (const { picture, index } of fresh) {
    const field = `body.pictures.${index}.key`;
    const stored = await storage.inspect(picture.key);
    if (!stored) {
      code = 'picture_not_received';
      errors.push({ field, message: 'La photo n’a pas été reçue : envoyez-la à nouveau.' });
    } else if (stored.size === 0 || stored.size > MAX_PICTURE_BYTES) {
      errors.push({ field, message: 'La photo doit peser 5 Mo au plus (et ne pas être vide).' });
    } else if (!looksLike(picture.key, stored.head)) {
      errors.push({ field, message: 'Ce fichier n’est pas une photo JPEG, PNG ou WebP.' });
    }
  }
  if (errors.length === 0) return;
  throw new DomainError({
    code,
    status: 422,
    title: 'Photo refusée',
    detail:
      code === 'picture_not_received'
        ? 'La photo n’a pas été reçue : choisissez-la et envoyez-la à nouveau.'
        : 'Seules les photos JPEG, PNG ou WebP de 5 Mo au plus sont acceptées : choisissez une autre photo.',
    errors,
  });
}
