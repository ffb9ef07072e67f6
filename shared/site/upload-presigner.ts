import { PENDING_PICTURE_TAGGING, PICTURE_TAG, PICTURE_TAG_HEADER } from './picture-tag.ts';
import { resolveS3Client, type S3ClientSource } from './site-writer.ts';

/** The S3 package and the presigner, loaded on first use (most requests of a function never need them). */
async function s3(source: S3ClientSource) {
  const [sdk, presigner, client] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
    resolveS3Client(source),
  ]);
  return { ...sdk, getSignedUrl: presigner.getSignedUrl, client };
}

/**
 * Port: where idea pictures are stored. The browser `PUT`s a file straight into storage with a presigned URL
 * (no Lambda in the upload path) and reads it with a short-lived presigned `GET` that the function hands out
 * only to those who may see the idea; `inspect` reads back what was really stored before an idea refers to it.
 */
export interface UploadPresigner {
  presignPut(
    key: string,
    file: { contentType: string; size: number },
  ): Promise<{ url: string; headers: Record<string, string>; expiresAt: string }>;
  /** A URL that reads the file for a while (see {@link READ_URL_SECONDS}). */
  presignGet(key: string): Promise<string>;
  /** The stored size and first bytes of the file, or `undefined` when nothing was stored under `key`. */
  inspect(key: string): Promise<{ size: number; head: Uint8Array } | undefined>;
  /**
   * Marks stored pictures as referred to by an idea, so the bucket's lifecycle keeps them (uploads stay tagged
   * `pending`, and expire after a day, until then: shared/site/picture-tag.ts).
   */
  markAttached(keys: readonly string[]): Promise<void>;
}

/** @default 300 seconds: long enough for a phone upload, short enough not to leak a usable URL. */
const EXPIRES_IN_SECONDS = 300;
/**
 * Read URLs are signed at the start of a 5-minute slot and live 15 minutes: the same URL for every visitor of
 * the slot (the browser's cache works), valid at least 10 minutes after it is handed out, and a picture whose
 * idea is hidden or withdrawn stops being readable within 15 minutes.
 */
const READ_SLOT_MS = 5 * 60_000;
export const READ_URL_SECONDS = 15 * 60;
const HEAD_BYTES = 16;

function checkUploadKey(key: string) {
  if (!key.startsWith('uploads/') || key.includes('..'))
    throw new Error(`Upload key outside uploads/: ${key}`);
}

/**
 * AWS (and the local S3 emulator): a query-signed `PUT` to the site bucket (the SDK's presigner).
 * `content-type` and `content-length` are signed, so S3 refuses any other type or size than the one the
 * function checked (5 MB, image types); what was stored is checked again by `inspect` before an idea uses it.
 */
export function s3UploadPresigner(options: {
  bucket: string;
  client: S3ClientSource;
  now?: () => Date;
}): UploadPresigner {
  const now = options.now ?? (() => new Date());
  return {
    async presignPut(key, file) {
      checkUploadKey(key);
      const { getSignedUrl, PutObjectCommand, client } = await s3(options.client);
      const signingDate = now();
      const url = await getSignedUrl(
        client,
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          ContentType: file.contentType,
          ContentLength: file.size,
          // Signed, and kept a header (not hoisted into the query): the browser must send it as given.
          Tagging: PENDING_PICTURE_TAGGING,
        }),
        {
          expiresIn: EXPIRES_IN_SECONDS,
          signingDate,
          signableHeaders: new Set(['content-type', 'content-length', PICTURE_TAG_HEADER]),
          unhoistableHeaders: new Set([PICTURE_TAG_HEADER]),
        },
      );
      return {
        url,
        headers: { 'content-type': file.contentType, [PICTURE_TAG_HEADER]: PENDING_PICTURE_TAGGING },
        expiresAt: new Date(signingDate.getTime() + EXPIRES_IN_SECONDS * 1000).toISOString(),
      };
    },
    async presignGet(key) {
      checkUploadKey(key);
      const { getSignedUrl, GetObjectCommand, client } = await s3(options.client);
      const signingDate = new Date(Math.floor(now().getTime() / READ_SLOT_MS) * READ_SLOT_MS);
      return getSignedUrl(client, new GetObjectCommand({ Bucket: options.bucket, Key: key }), {
        expiresIn: READ_URL_SECONDS,
        signingDate,
      });
    },
    async markAttached(keys) {
      const { PutObjectTaggingCommand, client } = await s3(options.client);
      for (const key of keys) {
        checkUploadKey(key);
        await client.send(
          new PutObjectTaggingCommand({
            Bucket: options.bucket,
            Key: key,
            Tagging: { TagSet: [{ Key: PICTURE_TAG.key, Value: PICTURE_TAG.attached }] },
          }),
        );
      }
    },
    async inspect(key) {
      checkUploadKey(key);
      const { GetObjectCommand, NoSuchKey, client } = await s3(options.client);
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket: options.bucket, Key: key, Range: `bytes=0-${HEAD_BYTES - 1}` }),
        );
        const head = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
        // `bytes 0-15/12345`: the total size is after the slash (a file shorter than the range has none).
        const total = Number(object.ContentRange?.split('/')[1] ?? Number.NaN);
        return { size: Number.isFinite(total) ? total : head.length, head };
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        // An empty object cannot satisfy a range: S3 answers 416.
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) {
          return { size: 0, head: new Uint8Array() };
        }
        throw error;
      }
    },
  };
}
