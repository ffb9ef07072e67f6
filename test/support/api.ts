import { expect } from 'vitest';
import { signIn } from '../../local/cognito.ts';
import { PHASES, type Phase } from '../../shared/edition/phases.ts';
import type { StackContext } from './stack-context.ts';
import { rewindClosedVote } from './vote-rewind.ts';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies by path; assertions do the checking
  body: any;
}

/** A JSON call to the local API, with an optional bearer token; never throws on an HTTP status. */
export async function api(
  stack: StackContext,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${stack.siteUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** The ID token of the demo staff account of `role`. */
export async function staffToken(stack: StackContext, role: string): Promise<string> {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`No demo staff account for ${role}`);
  const pool = { ...stack.cognito, jwksUrl: `${stack.cognito.issuer}/.well-known/jwks.json` };
  return (await signIn(pool, stack.cognitoUrl, user.username, user.password)).idToken;
}

/** Polls `probe` until it returns a value other than `undefined`, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the local bus has delivered every event and schedule (retries included). */
export async function waitForBus(stack: StackContext, timeoutMs = 30_000): Promise<void> {
  await fetch(`${stack.busUrl}/__local/idle`, { method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
}

export async function currentPhaseOf(stack: StackContext): Promise<string> {
  return (await api(stack, 'GET', `/api/editions/${stack.edition}`)).body.phase.current;
}

/** Moves the edition to `to` as an admin (nothing when it is there already), then waits for the bus. */
export async function movePhase(stack: StackContext, adminToken: string, to: string, reason: string) {
  if ((await currentPhaseOf(stack)) === to) return;
  // No way back after the close: a file that needs an earlier phase starts again as a fresh stack would.
  if (PHASES.indexOf(to as Phase) <= PHASES.indexOf('vote')) await rewindClosedVote(stack);
  const response = await api(stack, 'POST', `/api/editions/${stack.edition}/staff/phase`, {
    token: adminToken,
    body: { to, reason },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  await waitForBus(stack);
}
