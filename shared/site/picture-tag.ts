/**
 * The object tag that tells an idea picture no idea refers to yet (`pending`, set by the presigned upload) from
 * one an idea refers to (`attached`, set by the ideas function before it saves the idea). The pictures bucket's
 * lifecycle (lib/stacks/web-stack.ts) expires `pending` uploads after a day: a picture chosen then abandoned, or
 * whose idea was never saved, does not stay forever.
 */
export const PICTURE_TAG = { key: 'bp-picture', pending: 'pending', attached: 'attached' } as const;

/** The header a presigned `PUT` signs the tag in (the browser sends it back as given). */
export const PICTURE_TAG_HEADER = 'x-amz-tagging';

/** The header's value (URL-encoded query syntax) for a new upload. */
export const PENDING_PICTURE_TAGGING = `${PICTURE_TAG.key}=${PICTURE_TAG.pending}`;
