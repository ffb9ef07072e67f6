/**
 * SES v2 stand-in: aws-ses-v2-local in-process, with its mailbox (`GET /store`) read back for tests
 * and the local UI at `/`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocalModule from 'aws-ses-v2-local';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import * as z from 'zod';

type StartSesServer = typeof sesLocalModule;
// CJS package: under Node's ESM loader the default import is its exports object (the server factory
// is `.default`), while TypeScript types it as the factory itself. Accept both.
const startSesServer: StartSesServer =
  typeof sesLocalModule === 'function'
    ? sesLocalModule
    : (sesLocalModule as unknown as { default: StartSesServer }).default;

const HTTP_TIMEOUT_MS = 5_000;

/**
 * Emails the emulator keeps by default, the newest. A branded email weighs ~26 KB of heap (its HTML is a
 * two-byte string), and the package keeps every email for the life of the process: a 100,000-voter rehearsal
 * sends ~150,000, which alone filled `npm start`'s default heap. Readers that need more than recent mail read
 * incrementally (`GET /store?since=`, as the rehearsal does).
 */
export const DEFAULT_MAILBOX_LIMIT = 10_000;

export interface SesEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export const Mail = z.object({
  messageId: z.string(),
  from: z.string(),
  replyTo: z.array(z.string()),
  destination: z.object({ to: z.array(z.string()), cc: z.array(z.string()), bcc: z.array(z.string()) }),
  subject: z.string(),
  body: z.object({ text: z.string().optional(), html: z.string().optional() }),
  attachments: z.array(
    z.object({
      content: z.string(),
      contentType: z.string(),
      filename: z.string().optional(),
      size: z.number(),
    }),
  ),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  /** Epoch seconds. */
  at: z.number(),
});
export type Mail = z.infer<typeof Mail>;

const Store = z.object({ emails: z.array(Mail) });

function urlHost(host: string): string {
  // A wildcard bind is reachable on loopback; IPv6 literals need brackets in a URL.
  if (host === '::' || host === '0.0.0.0') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The mailbox lives in the package's module state, so two emulators in one process share it (each trims it to
 * its own limit). `port: 0` picks a free port (read it back from `endpoint`).
 */
export async function startSesEmulator(opts: {
  port: number;
  host?: string;
  /**
   * Emails kept: once a request leaves more, the oldest are forgotten.
   * @default DEFAULT_MAILBOX_LIMIT
   */
  mailboxLimit?: number;
}): Promise<SesEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const limit = opts.mailboxLimit ?? DEFAULT_MAILBOX_LIMIT;
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`mailboxLimit: ${limit}, expected a whole number ≥ 1`);
  const server: Server = await startSesServer({ port: opts.port, host });
  // The package stores each email as it answers the send request, with no limit of its own; the store is its
  // module state (`getStoreReadonly` hands out the live object), trimmed here after every request.
  server.on('request', (_req, res) => res.once('close', () => forgetOldestMail(limit)));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${urlHost(host)}:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // SDK and fetch keep sockets alive; close() alone would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

function forgetOldestMail(limit: number) {
  // `clear-store` swaps the array: read it at each call.
  const { emails } = getStoreReadonly();
  if (emails.length > limit) emails.splice(0, emails.length - limit);
}

/** Mail received so far (the newest `mailboxLimit`), oldest first; `since` is in epoch seconds (inclusive). */
export async function readMailbox(endpoint: string, since?: number): Promise<Mail[]> {
  const url = new URL('/store', endpoint);
  if (since !== undefined) url.searchParams.set('since', String(Math.floor(since)));
  const response = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return Store.parse(await response.json()).emails;
}

export async function clearMailbox(endpoint: string): Promise<void> {
  const url = new URL('/clear-store', endpoint);
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}`);
  await response.body?.cancel();
}
