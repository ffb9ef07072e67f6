import { afterAll, describe, expect, inject, it } from 'vitest';
import { toInstant } from '../../shared/time/zoned.ts';
import { api, staffToken } from '../support/api.ts';
import { citizenFactory } from '../support/citizens.ts';
import { busEvents, localBus } from '../support/local-bus.ts';
import '../support/stack-context.ts';

/**
 * A `.clock.test.ts` file: Date follows the local clock here, in the functions as in the test, as in `npm start`.
 * The edition lives its calendar: the clock moves, the schedules change the phases, nothing waits for real time.
 */
const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
afterAll(() => factory.close());

const edition = (await api(stack, 'GET', editionPath)).body.edition;
const at = (local: string) => toInstant(local, edition.timeZone);
const voteOpen = at(edition.calendar.voteOpen);
const voteClose = at(edition.calendar.voteClose);

/** Moves the local clock (and so every Date of this process) to `to`, then lets the bus deliver. */
async function clockTo(to: Date) {
  await localBus(stack, 'clock/advance', { to: to.toISOString() });
  await localBus(stack, 'idle', {});
}
const phase = async () => (await api(stack, 'GET', editionPath)).body.phase.current as string;
const castFor = async (token: string) => {
  const ballot = (await api(stack, 'GET', `${editionPath}/ballot`, { token })).body;
  const choices = { nantes: ballot.envelopes[0].projects.slice(0, 3).map((p: { id: string }) => p.id) };
  return api(stack, 'POST', `${editionPath}/ballots`, {
    token,
    body: { choices },
    headers: { 'idempotency-key': `close-test-${crypto.randomUUID()}` },
  });
};

describe('an extended vote is closed when the extension ends, not at the configured close', () => {
  it('opens on schedule, declines the configured close during an extension, then closes through VoteWindowEnded', {
    timeout: 120_000,
  }, async () => {
    // Prepare: the calendar runs to the vote, which opens by its own schedule.
    await clockTo(new Date(voteOpen.getTime() + 60_000));
    expect(await phase()).toBe('vote');
    const admin = await staffToken(stack, 'admin');
    // An hour of extension, by the clock every function reads.
    const until = new Date(voteClose.getTime() + 3600_000);
    const extended = await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: { action: 'extend', reason: 'Panne du site : une heure de plus', until: until.toISOString() },
    });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);

    // Act: the configured close passes during the extension.
    await clockTo(new Date(voteClose.getTime() + 120_000));
    // Assess: still voting, a ballot is accepted.
    expect(await phase()).toBe('vote');
    expect((await castFor((await factory.create('nantes')).token)).status).toBe(201);

    // Act: the extension ends; the voting function's minute watch sees it.
    await clockTo(new Date(until.getTime() + 61_000));
    // Assess: counting, moved by the schedule actor; VoteWindowEnded then VotingClosed on the bus.
    expect(await phase()).toBe('counting');
    // Three weeks later by the clock: the morning's staff session has expired, sign in again.
    const history = await api(stack, 'GET', `${editionPath}/staff/phase`, {
      token: await staffToken(stack, 'admin'),
    });
    expect(history.body.history[0]).toMatchObject({
      from: 'vote',
      to: 'counting',
      actor: { kind: 'schedule' },
    });
    expect((await busEvents(stack, 'VoteWindowEnded')).at(-1)?.detail.closedAt).toBe(until.toISOString());
    // One close: delivery is at least once (a slow invocation under load is retried, and its consumers take a
    // replay as nothing new), so every VotingClosed on the bus is the same phase change.
    const closings = await busEvents(stack, 'VotingClosed');
    expect(closings.length).toBeGreaterThanOrEqual(1);
    expect(new Set(closings.map((event) => event.detail.changeId)).size).toBe(1);
    const late = await castFor((await factory.create('nantes')).token);
    expect(late.body.code).toBe('vote_closed');
  });

  it('refuses an extension once the vote is closed', async () => {
    const admin = await staffToken(stack, 'admin');
    const refused = await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: {
        action: 'extend',
        reason: 'Trop tard pour prolonger',
        until: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('vote_closed');
  });
});
