/**
 * S3 stand-in: s3rver (an S3 emulator on npm) in-process, holding the edition's two buckets as the Web stack
 * creates them: the site bucket (empty locally: the HTTP adapter serves the site from a folder) and the pictures
 * bucket (idea pictures under `uploads/`, with the CORS rule for the site's origin). Path-style URLs on 127.0.0.1, so presigned URLs work for the functions and the browser alike.
 * s3rver does not verify signatures (SigV4 is "unimplemented" there): the signed type and size of a presigned
 * `PUT` are not enforced locally, which is why the ideas function checks what was stored before using it.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { PICTURE_TAG_HEADER } from '../shared/site/picture-tag.ts';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  /** The emulator serves `/<bucket>/<key>` only: no `<bucket>.<host>` virtual hosts. */
  vhostBuckets: boolean;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;

const S3rver = require('s3rver') as S3rverConstructor;
// s3rver knows one key pair (S3RVER/S3RVER); the local runtime signs every emulator call with `local`.
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
};

export interface S3Emulator {
  readonly endpoint: string;
  /** The site bucket. */
  readonly bucket: string;
  /** The pictures bucket (idea pictures). */
  readonly picturesBucket: string;
  stop(): Promise<void>;
}

/**
 * The local name of the edition's site bucket. In AWS the Web stack (`Bp-<edition>-Web`) lets CloudFormation
 * name its `Site` bucket (`bp-<edition>-web-site<random>`, no physical names); locally the same name without
 * the random suffix, cut to S3's 63 characters.
 */
export function localSiteBucketName(edition: string): string {
  return `bp-${edition}-web-site`.slice(0, 63).replace(/-+$/, '');
}

/** The local name of the edition's pictures bucket (the Web stack's `Pictures` bucket), as for the site bucket. */
export function localPicturesBucketName(edition: string): string {
  return `bp-${edition}-web-pictures`.slice(0, 63).replace(/-+$/, '');
}

const xmlEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The Web stack's CORS rule on the pictures bucket: browsers of the site's origin(s) may `PUT` a picture with its
 * `content-type` and the pending tag the URL signs (the presigned URL is the credential; CORS only lets the page
 * send it and read the answer).
 */
export function uploadsCorsXml(origins: readonly string[]): string {
  return [
    '<CORSConfiguration>',
    '<CORSRule>',
    ...origins.map((origin) => `<AllowedOrigin>${xmlEscape(origin)}</AllowedOrigin>`),
    '<AllowedMethod>PUT</AllowedMethod>',
    '<AllowedHeader>content-type</AllowedHeader>',
    `<AllowedHeader>${PICTURE_TAG_HEADER}</AllowedHeader>`,
    '<MaxAgeSeconds>3000</MaxAgeSeconds>',
    '</CORSRule>',
    '</CORSConfiguration>',
  ].join('');
}

/** The part of Koa's context the date middleware uses. */
interface DateContext {
  set(name: string, value: string): void;
}

export async function startS3Emulator(options: {
  port: number;
  /** Where objects are kept (`.local/s3` for `npm start`; the file's data dir in tests). */
  directory: string;
  /** The site bucket. */
  bucket: string;
  /** The pictures bucket, where pages upload. */
  picturesBucket: string;
  /** The site's origins, the only ones allowed to upload from a page. */
  siteOrigins: readonly string[];
  accessKeyId: string;
  secretAccessKey: string;
}): Promise<S3Emulator> {
  DUMMY_ACCOUNT.createKeyPair(options.accessKeyId, options.secretAccessKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    silent: true,
    directory: options.directory,
    vhostBuckets: false,
    configureBuckets: [
      { name: options.bucket, configs: [] },
      { name: options.picturesBucket, configs: [uploadsCorsXml(options.siteOrigins)] },
    ],
  });
  // Node writes a response's `Date` header from the real clock, but s3rver judges a signed request's age by
  // this process's `Date`, which follows the local clock (local/time-shift.ts). The AWS SDK corrects its
  // signing time from the `Date` it reads back, so after one answer its requests came years "late" and s3rver
  // refused them (RequestTimeTooSkewed). Answering with the process's date keeps both sides on one clock.
  (
    server as unknown as { middleware: ((ctx: DateContext, next: () => Promise<void>) => Promise<void>)[] }
  ).middleware.unshift(async (ctx, next) => {
    ctx.set('Date', new Date().toUTCString());
    await next();
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket: options.bucket,
    picturesBucket: options.picturesBucket,
    stop: async () => {
      const closed = server.close();
      // Keep-alive connections (a browser's, the SDK's) would hold `close` until they time out.
      server.httpServer?.closeAllConnections();
      await closed;
    },
  };
}
