/**
 * The staging mailbox as a `MailSource`: SES receives the test subdomain's mail and stores each message, raw MIME,
 * as one object under `mailbox/` of the mailbox bucket (lib/stacks/rehearsal-mailbox-stack.ts). The rehearsal
 * reads it there, as it reads the SES emulator's store locally: no door in the product.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type AddressObject, simpleParser } from 'mailparser';
import type { Mail, MailSource } from './mailbox.ts';

/** The object SES writes under the prefix when a rule is created, to check it may: not a message. */
const SES_SETUP_NOTIFICATION = 'AMAZON_SES_SETUP_NOTIFICATION';

/**
 * How far before `since` objects are still listed. SES keys are message ids, not times, so every poll lists the
 * whole prefix and keeps the objects modified since the last one seen; an object whose upload began earlier can
 * show up in a listing after a later one did. Keys already read are never read again.
 */
const LATE_OBJECT_MARGIN_S = 60;

/** Messages downloaded at once. */
const CONCURRENT_READS = 8;
const MAX_READ_FAILURES = 3;

export interface S3MailboxLocation {
  readonly bucket: string;
  /** `mailbox/` in the staging stack; `''` for the whole bucket. */
  readonly prefix: string;
}

/** `s3://<bucket>/<prefix>` (the `MailboxUri` output of the mailbox stack), or `undefined` for another URL. */
export function parseS3MailboxUri(uri: string): S3MailboxLocation | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match) return undefined;
  const prefix = match[2] ?? '';
  return {
    bucket: match[1] as string,
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
  };
}

export interface S3MailSourceOptions extends S3MailboxLocation {
  readonly client: S3Client;
  /**
   * Objects older than this (epoch seconds) are left out: mail of an earlier rehearsal stays in the bucket for
   * 7 days.
   * @default the time the source is made, less a minute
   */
  readonly notBefore?: number;
}

/** A `MailSource` over the mailbox bucket: each message once, oldest first. */
export function s3MailSource(options: S3MailSourceOptions): MailSource {
  const { client, bucket, prefix } = options;
  const notBefore = options.notBefore ?? Date.now() / 1000 - LATE_OBJECT_MARGIN_S;
  const read = new Set<string>();
  const failures = new Map<string, number>();
  return {
    close: () => client.destroy(),
    async read(since) {
      const from = Math.max(notBefore, since - LATE_OBJECT_MARGIN_S);
      const fresh: { key: string; at: number }[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (!object.Key || !object.LastModified || read.has(object.Key)) continue;
          if (object.Key.slice(prefix.length) === SES_SETUP_NOTIFICATION) continue;
          const at = object.LastModified.getTime() / 1000;
          if (at >= from) fresh.push({ key: object.Key, at });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      fresh.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
      const mails: Mail[] = [];
      for (let i = 0; i < fresh.length; i += CONCURRENT_READS) {
        const batch = fresh.slice(i, i + CONCURRENT_READS);
        const outcomes = await Promise.allSettled(
          batch.map(({ key, at }) => readMessage(client, bucket, key, at)),
        );
        outcomes.forEach((outcome, j) => {
          const { key } = batch[j] as { key: string };
          if (outcome.status === 'fulfilled') {
            read.add(key);
            failures.delete(key);
            if (outcome.value) mails.push(outcome.value);
            return;
          }
          // Tried again at the next poll; a message that cannot be read three times stops the rehearsal.
          const count = (failures.get(key) ?? 0) + 1;
          if (count >= MAX_READ_FAILURES) throw outcome.reason;
          failures.set(key, count);
        });
      }
      return mails;
    },
  };
}

async function readMessage(
  client: S3Client,
  bucket: string,
  key: string,
  at: number,
): Promise<Mail | undefined> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error(`s3://${bucket}/${key}: empty object`);
  return parseMessage(key, Buffer.from(await object.Body.transformToByteArray()), at);
}

/**
 * A stored MIME message as the driver reads emails: recipients (To and Cc), decoded subject, text and HTML; or
 * `undefined` for a message SES's scan found to be spam or a virus. The test subdomain takes mail from anyone:
 * what the platform sends passes the scan, and junk must not count among the emails the rehearsal checks.
 */
export async function parseMessage(messageId: string, raw: Buffer, at: number): Promise<Mail | undefined> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const verdict = (name: string) =>
    String(parsed.headers.get(name) ?? '')
      .trim()
      .toUpperCase();
  if (verdict('x-ses-spam-verdict') === 'FAIL' || verdict('x-ses-virus-verdict') === 'FAIL') return undefined;
  const addresses = (field: AddressObject | AddressObject[] | undefined) =>
    [field ?? []]
      .flat()
      .flatMap((list) => list.value)
      .flatMap((address) => (address.address ? [address.address.toLowerCase()] : []));
  return {
    messageId,
    destination: { to: [...addresses(parsed.to), ...addresses(parsed.cc)] },
    subject: parsed.subject ?? '',
    body: {
      ...(parsed.text === undefined ? {} : { text: parsed.text }),
      ...(parsed.html ? { html: parsed.html } : {}),
    },
    at,
  };
}
