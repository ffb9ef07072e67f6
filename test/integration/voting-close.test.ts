import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dynamoVotingRepository } from '../../functions/voting/voting-repository.ts';
import { ACCOUNT, REGION } from '../../local/stack.ts';
import { api, staffToken } from '../support/api.ts';
import { citizenFactory } from '../support/citizens.ts';
import '../support/stack-context.ts';
import { rewindClosedVote } from '../support/vote-rewind.ts';
import { resetVoteWindow } from '../support/voting.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const votes = dynamoVotingRepository(factory.documents, stack.tableName, stack.edition);
const scheduler = new SchedulerClient({
  endpoint: stack.busUrl,
  region: REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
});
afterAll(() => {
  scheduler.destroy();
  factory.close();
});

const bus = async (path: string, body?: unknown) =>
  (await fetch(`${stack.busUrl}/__local/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  }).then((response) => response.json())) as Record<string, unknown>;

/** Fires the editions function's `counting` schedule input once, as the configured close would. */
async function fireScheduledClose() {
  const now = new Date(String((await bus('clock')).now));
  const at = new Date(Math.ceil(now.getTime() / 1000) * 1000 + 30_000).toISOString().slice(0, 19);
  await scheduler.send(
    new CreateScheduleCommand({
      Name: `test-vote-close-${Date.now()}`,
      ScheduleExpression: `at(${at})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:editions`,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler-editions`,
        Input: JSON.stringify({ kind: 'phase-transition', edition: stack.edition, phase: 'counting' }),
      },
    }),
  );
  // Half a minute past it: the voting function's minute watch fires on the way too.
  await bus('clock/advance', { ms: 60_000 });
  await bus('idle', {});
}

const phase = async () => (await api(stack, 'GET', editionPath)).body.phase.current as string;

describe('an extended vote is closed when the extension ends, not at the configured close', () => {
  it('declines the configured counting schedule during an extension, then closes through VoteWindowEnded', async () => {
    // Prepare: the vote phase, the window as configured (the demo closed in 2023) then extended by 4 s.
    const admin = await staffToken(stack, 'admin');
    if ((await phase()) !== 'vote') {
      await rewindClosedVote(stack);
      const moved = await api(stack, 'POST', `${editionPath}/staff/phase`, {
        token: admin,
        body: { to: 'vote', reason: 'Essai de la clôture prolongée' },
      });
      expect(moved.status).toBe(200);
      await bus('idle', {});
    }
    await resetVoteWindow(stack, factory.documents);
    const until = new Date(Date.now() + 4000);
    const extended = await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: {
        action: 'extend',
        reason: 'Panne du site : quelques secondes de plus',
        until: until.toISOString(),
      },
    });
    expect(extended.status).toBe(200);
    expect((await votes.getWindow())?.pending).toBeUndefined();

    // Act: the configured close fires during the extension.
    await fireScheduledClose();
    // Assess: still voting, a ballot is accepted.
    expect(await phase()).toBe('vote');
    const voter = await factory.create('nantes');
    const ballot = (await api(stack, 'GET', `${editionPath}/ballot`, { token: voter.token })).body;
    const choices = { nantes: ballot.envelopes[0].projects.slice(0, 3).map((p: { id: string }) => p.id) };
    const cast = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: voter.token,
      body: { choices },
      headers: { 'idempotency-key': `close-test-${crypto.randomUUID()}` },
    });
    expect(cast.status).toBe(201);

    // Act: the extension ends; the voting function's minute watch sees it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until.getTime() - Date.now() + 200)));
    await bus('clock/advance', { ms: 61_000 });
    await bus('idle', {});
    // Assess: counting, moved by the schedule actor; VoteWindowEnded then VotingClosed on the bus.
    expect(await phase()).toBe('counting');
    const history = await api(stack, 'GET', `${editionPath}/staff/phase`, { token: admin });
    expect(history.body.history[0]).toMatchObject({
      from: 'vote',
      to: 'counting',
      actor: { kind: 'schedule' },
    });
    const events = ((await bus('events')).events as { event: Record<string, unknown> }[]).map(
      (recorded) => recorded.event as { 'detail-type': string; detail: { closedAt?: string } },
    );
    const ended = events.filter((e) => e['detail-type'] === 'VoteWindowEnded');
    expect(ended.at(-1)?.detail.closedAt).toBe(until.toISOString());
    expect(events.some((e) => e['detail-type'] === 'VotingClosed')).toBe(true);
    const late = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: (await factory.create('nantes')).token,
      body: { choices },
      headers: { 'idempotency-key': `close-test-${crypto.randomUUID()}` },
    });
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
