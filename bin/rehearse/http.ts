/**
 * The rehearsal's HTTP client: plain `node:http`/`node:https` with keep-alive, each simulated person on their
 * own agent. Against a local stack, each person's connections leave from their own loopback address
 * (`127.x.y.z`, the whole 127/8 is the loopback on Linux): the platform sees as many clients as a real
 * edition has (its per-address limits apply as they would), with no header it would have to trust.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Metrics } from './metrics.ts';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** How many times the request was sent (retries after a 503, a 429 or a cut connection). */
  attempts: number;
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are read by path; the driver checks what it uses
  body: any;
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Statuses that are the expected outcome (default: 2xx). Anything else counts as an error. */
  expect?: readonly number[];
  /** Sent as `Idempotency-Key` (a fresh one on every POST/PUT/PATCH/DELETE when absent). */
  idempotencyKey?: string;
  /** Label in error samples. */
  label?: string;
}

export class CallError extends Error {
  constructor(
    message: string,
    readonly answer?: Answer,
  ) {
    super(message);
  }
}

const MAX_RETRIES = 6;

/** The wait before a retry: the platform's `Retry-After` (at most 10 s), else 0.5 s doubling, with jitter. */
function pause(attempt: number, retryAfter: string | string[] | undefined): Promise<void> {
  const asked = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  const base = Number.isFinite(asked) && asked > 0 ? Math.min(10, asked) * 1000 : 500 * 2 ** attempt;
  return new Promise((resolve) => setTimeout(resolve, base * (0.5 + Math.random())));
}

/** A person's connection: one agent, bound to their address when the target is the loopback. */
export class Client {
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(
    private readonly origin: URL,
    private readonly metrics: Metrics,
    localAddress?: string,
  ) {
    this.secure = origin.protocol === 'https:';
    const loopback = origin.hostname === '127.0.0.1' || origin.hostname === 'localhost';
    const options: http.AgentOptions = {
      keepAlive: true,
      maxSockets: 8,
      ...(loopback && localAddress ? { localAddress } : {}),
    };
    this.agent = this.secure ? new https.Agent(options) : new http.Agent(options);
  }

  /** One API call, timed into the current phase. Throws `CallError` on an unexpected status. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (method !== 'GET') headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    // As the site does on a 503 or 429 (and on a lost connection): the same request, the same key, after the
    // delay the platform asks for; each attempt is timed, the retries counted.
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      let answer: Answer;
      try {
        answer = await this.send(method, path, headers, payload);
      } catch (error) {
        const message = `${options.label ?? `${method} ${path}`}: ${(error as Error).message}`;
        if (attempt < MAX_RETRIES) {
          this.metrics.retried(performance.now() - started);
          await pause(attempt, undefined);
          continue;
        }
        this.metrics.record(performance.now() - started, message);
        throw new CallError(message);
      }
      const ms = performance.now() - started;
      const expected = options.expect
        ? options.expect.includes(answer.status)
        : answer.status >= 200 && answer.status < 300;
      if (!expected && (answer.status === 503 || answer.status === 429) && attempt < MAX_RETRIES) {
        this.metrics.retried(ms);
        await pause(attempt, answer.headers['retry-after']);
        continue;
      }
      if (!expected) {
        const message = `${options.label ?? `${method} ${path.replace(/\/[0-9a-f-]{36}/g, '/…')}`} → ${answer.status} ${answer.text.slice(0, 200)}`;
        this.metrics.record(ms, message);
        throw new CallError(message, answer);
      }
      this.metrics.record(ms);
      return { ...answer, attempts: attempt + 1 };
    }
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<Answer> {
    const url = new URL(path, this.origin);
    const request = this.secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, attempts: 1 });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout after 60 s')));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The loopback address of person number `n` (four people per address: a household). */
export function loopbackAddress(n: number): string {
  const household = Math.floor(n / 4) + 1;
  return `127.${1 + (household >> 16)}.${(household >> 8) & 0xff}.${household & 0xff}`;
}
