import { expect } from 'vitest';
import { api } from './api.ts';
import type { StackContext } from './stack-context.ts';

/** A 1×1 PNG (a real image: the ideas function checks the first bytes of what was stored). */
export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * What the idea page does, without a browser: asks the ideas API for a presigned `PUT`, then sends the bytes
 * to storage (the local S3 emulator). Returns the key to save on the idea.
 */
export async function uploadPicture(
  stack: StackContext,
  token: string,
  ideaId: string,
  bytes: Buffer,
  contentType: string,
): Promise<string> {
  const upload = await api(stack, 'POST', `/api/editions/${stack.edition}/ideas/${ideaId}/pictures`, {
    token,
    body: { contentType, size: bytes.length },
  });
  expect(upload.status, JSON.stringify(upload.body)).toBe(201);
  const stored = await fetch(upload.body.uploadUrl, {
    method: 'PUT',
    headers: upload.body.headers,
    body: new Uint8Array(bytes),
    signal: AbortSignal.timeout(10_000),
  });
  expect(stored.status, await stored.text()).toBe(200);
  return upload.body.key as string;
}
