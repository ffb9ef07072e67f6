import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';

/** An S3 client, or a function that makes one when it is first needed. */
export type S3ClientSource = S3Client | (() => Promise<S3Client>);

export async function resolveS3Client(source: S3ClientSource): Promise<S3Client> {
  return typeof source === 'function' ? source() : source;
}

/**
 * The S3 client of the functions that write to the site bucket, made on first use: the S3 package is the
 * heaviest of the SDK and most requests never touch the bucket, so a cold start does not load it. Checksums
 * only when S3 requires them: a presigned browser upload must not demand a checksum header the page cannot
 * compute in advance.
 */
export function siteS3Client(env: { AWS_REGION?: string | undefined }): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () => {
    client ??= import('@aws-sdk/client-s3').then(
      ({ S3Client }) =>
        new S3Client({
          region: env.AWS_REGION ?? 'eu-west-3',
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
    );
    return client;
  };
}

/**
 * Port for files a function publishes on the static site (served by CloudFront, so reading them costs no
 * Lambda call). Keys are relative to the site root and stay under `data/`: the only prefix the functions
 * may write in the site bucket.
 */
export interface SiteWriter {
  putJson(key: string, value: unknown, options: { maxAgeSeconds: number }): Promise<void>;
}

const DATA_KEY = /^data\/[A-Za-z0-9._/-]+\.json$/;

function checkKey(key: string) {
  if (!DATA_KEY.test(key) || key.includes('..')) throw new Error(`Site key outside data/: ${key}`);
}

/** Local runtime: writes into the folder the HTTP adapter serves, atomically (no half-written file). */
export function directorySiteWriter(root: string): SiteWriter {
  const base = resolve(root);
  return {
    async putJson(key, value) {
      checkKey(key);
      const path = join(base, key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${randomUUID()}.tmp`;
      await writeFile(temporary, JSON.stringify(value));
      await rename(temporary, path);
    },
  };
}

/** AWS: `PutObject` into the edition's site bucket, with the CDN cache lifetime. */
export function s3SiteWriter(options: { bucket: string; client: S3ClientSource }): SiteWriter {
  return {
    async putJson(key, value, { maxAgeSeconds }) {
      checkKey(key);
      const [{ PutObjectCommand }, client] = await Promise.all([
        import('@aws-sdk/client-s3'),
        resolveS3Client(options.client),
      ]);
      await client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          Body: JSON.stringify(value),
          ContentType: 'application/json; charset=utf-8',
          CacheControl: `public, max-age=${maxAgeSeconds}`,
        }),
      );
    },
  };
}

/**
 * The writer the environment asks for: the served folder when `SITE_DIR` names one (the local runtime, where
 * the HTTP adapter serves the site from a folder and `SITE_BUCKET` names the emulator's bucket that only holds
 * `uploads/`), else the site bucket (AWS sets only `SITE_BUCKET`).
 */
export function siteWriterFromEnv(env: {
  SITE_BUCKET?: string | undefined;
  SITE_DIR?: string | undefined;
  AWS_REGION?: string | undefined;
}): SiteWriter | undefined {
  if (env.SITE_DIR) return directorySiteWriter(env.SITE_DIR);
  if (env.SITE_BUCKET) return s3SiteWriter({ bucket: env.SITE_BUCKET, client: siteS3Client(env) });
  return undefined;
}
