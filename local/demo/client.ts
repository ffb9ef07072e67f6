import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAFF_ROLES } from '../../shared/auth/roles.ts';
import { seedStaffPool, signIn } from '../cognito.ts';
import { readMailbox } from '../ses.ts';

/**
 * Where a running local stack is, as `npm start` prints it and as a test file's stack context gives it: the
 * generator reaches the platform only through these addresses (its HTTP API, the local bus's clock, the SES
 * emulator's mailbox for sign-in codes, the staff pool for accounts), never through its table.
 */
export interface DemoTarget {
  siteUrl: string;
  busUrl: string;
  mailboxUrl: string;
  cognitoUrl: string;
  cognito: { userPoolId: string; clientId: string; issuer: string; region: string };
  edition: string;
  /** The demo staff accounts (one per role). */
  staff: { username: string; password: string; role: string; email: string }[];
}

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the generator reads JSON answers by path and checks statuses
  body: any;
}

export class DemoError extends Error {}

/** The platform as the generator sees it: HTTP API, clock, mailbox and staff sign-in. */
export function demoClient(target: DemoTarget) {
  const editionPath = `/api/editions/${target.edition}`;
  const pool = { ...target.cognito, jwksUrl: `${target.cognito.issuer}/.well-known/jwks.json` };
  const tokens = new Map<string, { token: string; at: number }>();
  const passwords = new Map(target.staff.map((user) => [user.username, user.password]));

  /**
   * One request; a 503 or 429 is tried again after a pause, as the site does (the platform answers these when
   * overloaded, and a request sent again with the same idempotency key is not recorded twice).
   */
  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    for (let attempt = 1; ; attempt++) {
      const reply = await callOnce(method, path, options);
      if ((reply.status !== 503 && reply.status !== 429) || attempt >= 6) return reply;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }

  async function callOnce(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(
      `${target.siteUrl}${path.startsWith('/api') ? path : `${editionPath}${path}`}`,
      {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(30_000),
      },
    );
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: response.status, body };
  }

  async function bus(path: string, body?: unknown) {
    const response = await fetch(`${target.busUrl}/__local/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(120_000),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  const client = {
    editionPath,
    call,
    /** `call`, refusing any status but `expected`. */
    async expect(
      expected: number | number[],
      method: string,
      path: string,
      options: Parameters<typeof call>[2] = {},
    ): Promise<Reply> {
      const reply = await call(method, path, options);
      const allowed = Array.isArray(expected) ? expected : [expected];
      if (!allowed.includes(reply.status))
        throw new DemoError(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      return reply;
    },
    async now(): Promise<Date> {
      return new Date(String((await bus('clock')).now));
    },
    /** Moves the local clock to `to` (forward only), then lets the bus deliver every event and schedule. */
    async clockTo(to: Date): Promise<void> {
      if ((await client.now()).getTime() < to.getTime()) await bus('clock/advance', { to: to.toISOString() });
      await bus('idle', {});
      // Staff tokens expire with the clock: sign in again after a move.
      tokens.clear();
    },
    idle: () => bus('idle', {}),
    /** The ID token of a staff account (the demo's, or one made by `addStaff`). */
    async staffToken(username: string): Promise<string> {
      const cached = tokens.get(username);
      if (cached) return cached.token;
      const password = passwords.get(username);
      if (!password) throw new DemoError(`No staff account ${username}`);
      const { idToken } = await signIn(pool, target.cognitoUrl, username, password);
      tokens.set(username, { token: idToken, at: Date.now() });
      return idToken;
    },
    roleToken(role: string): Promise<string> {
      const user = target.staff.find((candidate) => candidate.role === role);
      if (!user) throw new DemoError(`No demo staff account for ${role}`);
      return client.staffToken(user.username);
    },
    /** Staff accounts made in the edition's pool, as ops (or the Département's directory) would. */
    async addStaff(
      users: { username: string; password: string; groups: string[]; service?: string }[],
    ): Promise<void> {
      const dir = await mkdtemp(join(tmpdir(), 'bp-demo-staff-'));
      try {
        const stateFile = join(dir, 'pool.json');
        await writeFile(
          stateFile,
          JSON.stringify({
            edition: target.edition,
            userPoolId: target.cognito.userPoolId,
            clientId: target.cognito.clientId,
          }),
        );
        await seedStaffPool({
          endpoint: target.cognitoUrl,
          edition: target.edition,
          stateFile,
          users: users.map((user) => ({ ...user, email: user.username })),
          groups: STAFF_ROLES,
        });
        for (const user of users) passwords.set(user.username, user.password);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    /** The latest sign-in code sent to each of `emails` since `sinceMs` (clock time). */
    async codesFor(emails: string[], sinceMs: number): Promise<Map<string, string>> {
      const wanted = new Set(emails);
      const codes = new Map<string, string>();
      for (let attempt = 0; attempt < 50 && codes.size < wanted.size; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        for (const mail of await readMailbox(target.mailboxUrl, Math.floor(sinceMs / 1000) - 2)) {
          const to = mail.destination.to.find((address) => wanted.has(address));
          const code = mail.subject.match(/code de vérification.*?(\d{6})$/)?.[1];
          if (to && code) codes.set(to, code);
        }
      }
      return codes;
    },
  };
  return client;
}

export type DemoClient = ReturnType<typeof demoClient>;

/** Runs `work` over `items`, `concurrency` at a time, keeping the results in order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await work(items[index] as T, index);
      }
    }),
  );
  return out;
}
