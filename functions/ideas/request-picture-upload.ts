import { conflict } from '../../shared/errors/domain-error.ts';
import { MAX_PICTURES, PICTURE_TYPES, type PictureUploadBody } from '../../shared/http/idea-schemas.ts';
import type { UploadPresigner } from '../../shared/site/upload-presigner.ts';
import { editableIdea } from './edit-idea.ts';
import { picturePrefix } from './idea.ts';
import { picturesUnavailable } from './pictures-unavailable.ts';
import type { IdeasDeps } from './submit-idea.ts';

/**
 * The author may add a picture to an idea she may edit (call open, not withdrawn, hidden or merged), up
 * to 3: answers a presigned `PUT` for one new key, limited to the declared type and size. The picture
 * counts once the author saves the idea with its key (`PATCH ... { pictures }`), which sends the idea
 * back to moderation like any edit. No event: nothing happens until then.
 */
export async function requestPictureUpload(
  deps: IdeasDeps & { uploads: UploadPresigner | undefined },
  request: { ideaId: string; authorId: string; body: PictureUploadBody },
) {
  const idea = await editableIdea(deps, request.ideaId, request.authorId);
  if (!deps.uploads) throw picturesUnavailable();
  if (idea.pictures.length >= MAX_PICTURES) {
    throw conflict(
      'too_many_pictures',
      `Une idée a ${MAX_PICTURES} photos au plus : retirez-en une d’abord.`,
    );
  }
  const key = `${picturePrefix(deps.edition, idea.ideaId)}${deps.newId()}.${PICTURE_TYPES[request.body.contentType]}`;
  const upload = await deps.uploads.presignPut(key, request.body);
  return { key, uploadUrl: upload.url, headers: upload.headers, expiresAt: upload.expiresAt };
}
