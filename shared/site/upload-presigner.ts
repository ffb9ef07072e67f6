import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** Port: a URL the browser `PUT`s one file to, straight into storage (no Lambda in the upload path). */
export interface UploadPresigner {
  presignPut(
    key: string,
    file: { contentType: string; size: number },
  ): Promise<{ url: string; headers: Record<string, string>; expiresAt: string }>;
}

/** @default 300 seconds: long enough for a phone upload, short enough not to leak a usable URL. */
const EXPIRES_IN_SECONDS = 300;

/**
 * AWS: a query-signed `PUT` to the site bucket (the SDK's presigner). `content-type` and `content-length`
 * are signed, so S3 refuses any other type or size than the one the function checked (5 MB, image types).
 */
export function s3UploadPresigner(options: {
  bucket: string;
  client: S3Client;
  now?: () => Date;
}): UploadPresigner {
  const now = options.now ?? (() => new Date());
  return {
    async presignPut(key, file) {
      if (!key.startsWith('uploads/')) throw new Error(`Upload key outside uploads/: ${key}`);
      const signingDate = now();
      const url = await getSignedUrl(
        options.client,
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          ContentType: file.contentType,
          ContentLength: file.size,
        }),
        {
          expiresIn: EXPIRES_IN_SECONDS,
          signingDate,
          signableHeaders: new Set(['content-type', 'content-length']),
        },
      );
      return {
        url,
        headers: { 'content-type': file.contentType },
        expiresAt: new Date(signingDate.getTime() + EXPIRES_IN_SECONDS * 1000).toISOString(),
      };
    },
  };
}
