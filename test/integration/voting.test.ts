import { randomUUID } from 'node:crypto';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoVotingRepository } from '../../functions/voting/voting-repository.ts';
import { api, movePhase, staffToken } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { resetVoteWindow } from '../support/voting.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const votes = dynamoVotingRepository(factory.documents, stack.tableName, stack.edition);
afterAll(() => factory.close());

const setPhase = (admin: string, to: string) =>
  movePhase(stack, admin, to, `Essai du vote : passage en ${to}`);

const cast = (citizen: SeededCitizen, choices: unknown, key: string = randomUUID()) =>
  api(stack, 'POST', `${editionPath}/ballots`, {
    token: citizen.token,
    body: { choices },
    headers: { 'idempotency-key': key },
    // 200 casts at once queue behind DynamoDB Local's transactions: give the last one time to answer.
    timeoutMs: 90_000,
  });

/** Every item of the table (DynamoDB Local, a few thousand items). */
async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await factory.documents.send(
      new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const countEntity = (items: Record<string, unknown>[], entity: string) =>
  items.filter((item) => item.entity === entity).length;

/** Every leaf value of an item, as strings, with the attribute name it sits under. */
function leaves(value: unknown, name = ''): { name: string; value: string }[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, name));
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) =>
      leaves(v, name ? name : key).concat(name ? [] : []),
    );
  return [{ name, value: String(value) }];
}

describe('voting: one person, one secret ballot, in the window, by the rules', () => {
  let admin: string;
  let nantes: { id: string; projects: string[] };
  let departement: { id: string; projects: string[] };

  beforeAll(async () => {
    admin = await staffToken(stack, 'admin');
  });

  it('refuses a ballot before the vote opens, with its reason', async () => {
    await setPhase(admin, 'ballot-preparation');
    const voter = await factory.create('nantes');
    const response = await cast(voter, { nantes: ['nantes-01', 'nantes-02', 'nantes-03'] });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'vote_not_open' });
  });

  it('freezes the rules when the vote opens and serves each voter their envelopes, shuffled for them', async () => {
    await setPhase(admin, 'vote');
    const voter = await factory.create('nantes');
    const ballot = await api(stack, 'GET', `${editionPath}/ballot`, { token: voter.token });
    expect(ballot.status).toBe(200);
    expect(ballot.body.rules).toMatchObject({ kind: 'approval', minChoices: 3, maxChoices: 10 });
    expect(ballot.body.envelopes.map((e: { id: string }) => e.id)).toEqual(['nantes', 'loire-atlantique']);
    nantes = {
      id: 'nantes',
      projects: ballot.body.envelopes[0].projects.map((p: { id: string }) => p.id),
    };
    departement = {
      id: 'loire-atlantique',
      projects: ballot.body.envelopes[1].projects.map((p: { id: string }) => p.id),
    };
    expect(nantes.projects.every((id) => id.startsWith('nantes-'))).toBe(true);
    const again = await api(stack, 'GET', `${editionPath}/ballot`, { token: voter.token });
    expect(again.body).toEqual(ballot.body);
    // Another voter, another order (6 projects: 1 chance in 720 of the same order, twice over).
    const orders = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const other = await factory.create('nantes');
      const body = (await api(stack, 'GET', `${editionPath}/ballot`, { token: other.token })).body;
      orders.add(body.envelopes[0].projects.map((p: { id: string }) => p.id).join());
    }
    expect(orders.size).toBeGreaterThan(1);
    expect((await votes.getSnapshot())?.snapshot.projects.length).toBe(32);
  });

  it('refuses a ballot after the close even in the vote phase, then accepts it once an admin extends the vote', async () => {
    // The test stack runs on the real date, after the demo's 2023 close: the clock check refuses (the
    // window as configured, whatever another test file extended before).
    await resetVoteWindow(stack, factory.documents);
    const voter = await factory.create('nantes');
    const late = await cast(voter, { nantes: nantes.projects.slice(0, 3) });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('vote_closed');
    const noReason = await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: { action: 'extend', until: new Date(Date.now() + 2 * 86_400_000).toISOString() },
    });
    expect(noReason.status).toBe(400);
    const extended = await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: {
        action: 'extend',
        reason: 'Panne du site le dernier jour : prolongation',
        until: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      },
    });
    expect(extended.status).toBe(200);
    const accepted = await cast(voter, { nantes: nantes.projects.slice(0, 3) });
    expect(accepted.status).toBe(201);
    expect(accepted.body.receipt).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(accepted.body.notice).toMatch(/ne peut plus être modifié/);
  });

  it('pauses and resumes the vote at once', async () => {
    const voter = await factory.create('nantes');
    const paused = await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: { action: 'pause', reason: 'Vérification d’un incident' },
    });
    expect(paused.status).toBe(200);
    expect((await cast(voter, { nantes: nantes.projects.slice(0, 3) })).body.code).toBe('vote_paused');
    await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: { action: 'resume', reason: 'Incident résolu' },
    });
    expect((await cast(voter, { nantes: nantes.projects.slice(0, 3) })).status).toBe(201);
  });

  it.each([
    ['too_few_choices', () => ({ nantes: nantes.projects.slice(0, 2) })],
    ['too_many_choices', () => ({ nantes: [...nantes.projects, ...nantes.projects].slice(0, 11) })],
    ['duplicate_choice', () => ({ nantes: [nantes.projects[0], nantes.projects[0], nantes.projects[1]] })],
    [
      'envelope_not_yours',
      () => ({ 'saint-nazaire': ['saint-nazaire-01', 'saint-nazaire-02', 'saint-nazaire-03'] }),
    ],
    ['project_not_in_envelope', () => ({ nantes: [nantes.projects[0], nantes.projects[1], 'vignoble-01'] })],
    ['empty_ballot', () => ({})],
  ])('refuses a ballot with %s, with a French reason, storing nothing', async (code, choices) => {
    const voter = await factory.create('nantes');
    const response = await cast(voter, choices());
    expect(response.status).toBe(422);
    expect(response.body.code).toBe(code);
    expect(response.body.detail).toMatch(/[a-zé]/);
    expect((await cast(voter, { nantes: nantes.projects.slice(0, 3) })).status).toBe(201);
  });

  it('requires an Idempotency-Key', async () => {
    const voter = await factory.create('nantes');
    const response = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: voter.token,
      body: { choices: { nantes: nantes.projects.slice(0, 3) } },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('headers.idempotency-key');
  });

  it('stores exactly one ballot for 200 concurrent casts by the same voter; same key, same receipt', {
    timeout: 120_000,
  }, async () => {
    const voter = await factory.create('nantes');
    const key = randomUUID();
    const choices = {
      nantes: nantes.projects.slice(0, 4),
      'loire-atlantique': departement.projects.slice(0, 3),
    };
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => cast(voter, choices, i % 2 === 0 ? key : randomUUID())),
    );
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const receipt = created[0]?.body.receipt;
    const sameKey = responses.filter((_, i) => i % 2 === 0);
    const otherKeys = responses.filter((_, i) => i % 2 === 1);
    // The winner may be either kind of request; every same-key request gets the receipt unless a
    // different key won, then they are all refused like the rest.
    const winnerHadKey = sameKey.some((r) => r.status === 201);
    if (winnerHadKey) {
      expect(sameKey.every((r) => [200, 201].includes(r.status) && r.body.receipt === receipt)).toBe(true);
      expect(otherKeys.every((r) => r.status === 409 && r.body.code === 'already_voted')).toBe(true);
    } else {
      expect(responses.filter((r) => r.status === 409)).toHaveLength(199);
    }
    const items = await scanAll();
    expect(items.filter((item) => item.pk === `VOTER#${voter.citizenId}`)).toHaveLength(1);
    expect(items.filter((item) => item.entity === 'Ballot' && item.receipt === receipt)).toHaveLength(2);
  });

  it('leaves no ballot and no marker when a condition fails, and votes once the identity is cleared', async () => {
    const voter = await factory.create('nantes', { status: 'held' });
    const before = await scanAll();
    const refused = await cast(voter, { nantes: nantes.projects.slice(0, 3) });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('identity_held');
    const after = await scanAll();
    expect(countEntity(after, 'Ballot')).toBe(countEntity(before, 'Ballot'));
    expect(after.some((item) => item.pk === `VOTER#${voter.citizenId}`)).toBe(false);
    // A coordinator clears the identity: the very next attempt (same token) goes through.
    await factory.documents.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { pk: `CITIZEN#${voter.citizenId}`, sk: 'IDENTITY' },
        UpdateExpression: 'SET #status = :verified',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':verified': 'verified' },
      }),
    );
    const accepted = await cast(voter, { nantes: nantes.projects.slice(0, 3) });
    expect(accepted.status).toBe(201);
    const final = await scanAll();
    expect(countEntity(final, 'Ballot')).toBe(countEntity(before, 'Ballot') + 1);
    expect(final.filter((item) => item.pk === `VOTER#${voter.citizenId}`)).toHaveLength(1);
  });

  it('refuses an online ballot from an identity registered in person', async () => {
    const voter = await factory.create('nantes', { channel: 'in-person' });
    const response = await cast(voter, { nantes: nantes.projects.slice(0, 3) });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('in_person_identity');
  });

  it('stores 2,000 ballots and 2,000 markers for 2,000 distinct voters', { timeout: 240_000 }, async () => {
    const before = await scanAll();
    const turnoutBefore = await votes.readTurnout();
    const voters = await factory.createMany('vignoble', 2000, 24);
    const ballot = (await api(stack, 'GET', `${editionPath}/ballot`, { token: voters[0]?.token })).body;
    const projects: string[] = ballot.envelopes[0].projects.map((p: { id: string }) => p.id);
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        while (next < voters.length) {
          const voter = voters[next++] as SeededCitizen;
          statuses.push((await cast(voter, { vignoble: projects.slice(0, 3) })).status);
        }
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(2000);
    const after = await scanAll();
    expect(countEntity(after, 'Ballot') - countEntity(before, 'Ballot')).toBe(2000);
    expect(countEntity(after, 'VoteMarker') - countEntity(before, 'VoteMarker')).toBe(2000);
    const turnoutAfter = await votes.readTurnout();
    expect((turnoutAfter['vignoble#online'] ?? 0) - (turnoutBefore['vignoble#online'] ?? 0)).toBe(2000);
  });

  it('keeps every ballot unjoinable: no ballot value appears in a voter or identity item', async () => {
    const items = await scanAll();
    const personal = new Set(
      items
        .filter((item) => ['VoteMarker', 'Identity', 'IdentityEmail'].includes(String(item.entity)))
        .flatMap((item) => leaves(item))
        .filter(({ name }) => !['entity', 'version'].includes(name))
        .map(({ value }) => value),
    );
    const allowed = new Set(['entity', 'version', 'envelope', 'territory', 'channel', 'date']);
    const ballots = items.filter((item) => item.entity === 'Ballot');
    expect(ballots.length).toBeGreaterThan(2000);
    const leaks = ballots.flatMap((item) =>
      leaves(item).filter(({ name, value }) => !allowed.has(name) && personal.has(value)),
    );
    expect(leaks).toEqual([]);
    expect(ballots.every((item) => /^\d{4}-\d{2}-\d{2}$/.test(String(item.date)))).toBe(true);
  });

  it('serves public turnout, and answers 403 on receipts and results until the results are published', async () => {
    const turnout = await api(stack, 'GET', `${editionPath}/turnout`);
    expect(turnout.status).toBe(200);
    expect(turnout.headers.get('cache-control')).toContain('max-age=60');
    expect(turnout.body.territories.map((t: { id: string }) => t.id)).toContain('vignoble');
    const voter = await factory.create('nantes');
    const receipt = (await cast(voter, { nantes: nantes.projects.slice(0, 3) })).body.receipt;
    const check = () => api(stack, 'POST', `${editionPath}/receipts/check`, { body: { code: receipt } });
    for (const early of [await check(), await api(stack, 'GET', `${editionPath}/results`)]) {
      expect(early.status).toBe(403);
      expect(early.body.code).toBe('results_not_published');
    }
    await setPhase(admin, 'counting');
    expect(
      (await cast(await factory.create('nantes'), { nantes: nantes.projects.slice(0, 3) })).body.code,
    ).toBe('vote_closed');
    expect((await check()).status).toBe(403);
    // The phase alone (a schedule, an admin) publishes nothing: an admin publishes the computed results.
    await setPhase(admin, 'results');
    expect((await check()).status).toBe(403);
    const published = await api(stack, 'POST', `${editionPath}/staff/results/publish`, {
      token: admin,
      body: { reason: 'Essai du vote : publication' },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const counted = await check();
    expect(counted.status).toBe(200);
    expect(counted.body).toMatchObject({ counted: true, envelopes: [{ id: 'nantes' }] });
    const unknown = await api(stack, 'POST', `${editionPath}/receipts/check`, {
      body: { code: 'AAAA-BBBB-CCCC' },
    });
    expect(unknown.body.counted).toBe(false);
  });
});
