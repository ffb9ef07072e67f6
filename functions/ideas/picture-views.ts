import type { UploadPresigner } from '../../shared/site/upload-presigner.ts';

type WithPictures = { pictures: readonly { key: string; alt: string }[] };

/**
 * An idea view with a read URL for each picture. Only the routes that already decided the caller may read the
 * idea call it (the public for a published idea, its author, staff), so a hidden or withdrawn idea's pictures
 * get no new URL, and the ones handed out before expire (shared/site/upload-presigner.ts). Without storage the
 * pictures keep their key and text alternative only.
 */
export async function withPictureUrls<T extends WithPictures>(
  view: T,
  storage: UploadPresigner | undefined,
): Promise<Omit<T, 'pictures'> & { pictures: { key: string; alt: string; url?: string }[] }> {
  if (!storage) return { ...view, pictures: [...view.pictures] };
  const pictures = await Promise.all(
    view.pictures.map(async (picture) => ({ ...picture, url: await storage.presignGet(picture.key) })),
  );
  return { ...view, pictures };
}
