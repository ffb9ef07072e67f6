import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoVotingRepository } from '../../functions/voting/voting-repository.ts';
import { phaseStateKey } from '../../shared/edition/phase-state.ts';
import { StaffResultsView } from '../../shared/http/results-schemas.ts';
import { voteClosedKey, voteWindowKey } from '../../shared/voting/vote-window.ts';
import { api, currentPhaseOf, eventually, staffToken, waitForBus } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { busEvents } from '../support/instruction.ts';
import '../support/stack-context.ts';
import { openVote } from '../support/voting.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const votes = dynamoVotingRepository(factory.documents, stack.tableName, stack.edition);

let admin: string;
let coordinator: string;
let nantes: string[];

const cast = (citizen: SeededCitizen) =>
  api(stack, 'POST', `${editionPath}/ballots`, {
    token: citizen.token,
    body: { choices: { nantes: nantes.slice(0, 3) } },
    headers: { 'idempotency-key': randomUUID() },
  });
const postPhase = (to: string, reason: string) =>
  api(stack, 'POST', `${editionPath}/staff/phase`, { token: admin, body: { to, reason } });
const windowChange = (body: Record<string, unknown>) =>
  api(stack, 'POST', `${editionPath}/staff/vote-window`, { token: admin, body });
const nantesTurnout = async () => (await votes.readTurnout())['nantes#online'] ?? 0;
const hasMarker = async (voter: SeededCitizen) =>
  (
    await factory.documents.send(
      new GetCommand({
        TableName: stack.tableName,
        Key: { pk: `VOTER#${voter.citizenId}`, sk: 'MARKER' },
        ConsistentRead: true,
      }),
    )
  ).Item !== undefined;
const resultsItems = async (prefix: string) =>
  (
    await factory.documents.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `EDITION#${stack.edition}#RESULTS`, ':prefix': prefix },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

beforeAll(async () => {
  [admin, coordinator] = await Promise.all([staffToken(stack, 'admin'), staffToken(stack, 'coordinator')]);
  // A running vote.
  await openVote(stack, factory.documents);
  const voter = await factory.create('nantes');
  const ballot = await api(stack, 'GET', `${editionPath}/ballot`, { token: voter.token });
  nantes = ballot.body.envelopes[0].projects.map((p: { id: string }) => p.id).sort();
});

afterAll(() => factory.close());

describe('no way back after the vote closes', () => {
  it('closes once for every ballot racing the close, then refuses reopening, extending and casting', async () => {
    // Prepare
    const racing = await factory.createMany('nantes', 16, 8);
    const late = await factory.createMany('nantes', 12, 8);
    const turnoutBefore = await nantesTurnout();

    // Act 1: 16 ballots race the close
    const [closed, ...raced] = await Promise.all([
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 15));
        return postPhase('counting', 'Clôture du vote (essai de la course)');
      })(),
      ...racing.map(cast),
    ]);

    // Assess 1: each ballot is in (receipt, marker, counted) or refused as closed, nothing in between
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    for (const response of raced) {
      expect([201, 409]).toContain(response.status);
      if (response.status === 409) expect(response.body.code).toBe('vote_closed');
    }
    const accepted = raced.filter((response) => response.status === 201).length;
    const markers = await Promise.all(racing.map(hasMarker));
    expect(markers.filter(Boolean).length).toBe(accepted);
    expect(await nantesTurnout()).toBe(turnoutBefore + accepted);

    // Act 2: after the close, a reopening and an extension race 12 more ballots
    const [reopen, extend, resume, ...after] = await Promise.all([
      postPhase('vote', 'Réouverture du vote après la clôture'),
      windowChange({
        action: 'extend',
        reason: 'Prolongation demandée après la clôture',
        until: new Date(Date.now() + 86_400_000).toISOString(),
      }),
      windowChange({ action: 'resume', reason: 'Reprise demandée après la clôture' }),
      ...late.map(cast),
    ]);

    // Assess 2: nothing reopens the vote; no ballot gets in
    expect(reopen.status).toBe(409);
    expect(reopen.body.code).toBe('vote_closed_for_good');
    expect(reopen.body.detail).toMatch(/Le vote est clos/);
    expect(extend.status).toBe(409);
    expect(extend.body.code).toBe('vote_closed');
    expect(resume.status).toBe(409);
    expect(resume.body.code).toBe('vote_closed');
    expect(after.map((response) => response.body.code)).toEqual(late.map(() => 'vote_closed'));
    expect((await Promise.all(late.map(hasMarker))).some(Boolean)).toBe(false);
    expect(await nantesTurnout()).toBe(turnoutBefore + accepted);
    expect(await currentPhaseOf(stack)).toBe('counting');
  });

  it('refuses a ballot once the vote has closed, whatever the phase and window items say', async () => {
    // Prepare: the phase item forced back to `vote` and the window stretched, straight in the table (a bug,
    // a hand edit): only the marker written with the close stands
    const phase = (
      await factory.documents.send(
        new GetCommand({
          TableName: stack.tableName,
          Key: phaseStateKey(stack.edition),
          ConsistentRead: true,
        }),
      )
    ).Item as Record<string, unknown>;
    const window = await votes.getWindow();
    await factory.documents.send(
      new PutCommand({ TableName: stack.tableName, Item: { ...phase, current: 'vote' } }),
    );
    await factory.documents.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          ...voteWindowKey(stack.edition),
          entity: 'VoteWindow',
          opensAtMs: 0,
          closesAtMs: Date.now() + 86_400_000,
          paused: false,
          version: (window?.version ?? 0) + 1,
        },
      }),
    );
    const voter = await factory.create('nantes');
    try {
      // Act
      const response = await cast(voter);
      // Assess
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('vote_closed');
      expect(await hasMarker(voter)).toBe(false);
    } finally {
      await factory.documents.send(new PutCommand({ TableName: stack.tableName, Item: phase }));
    }
    const marker = await factory.documents.send(
      new GetCommand({ TableName: stack.tableName, Key: voteClosedKey(stack.edition), ConsistentRead: true }),
    );
    expect(marker.Item).toMatchObject({ entity: 'VoteClosed' });
  });

  it('goes forward only: counting to results, never back to counting, the vote or before', async () => {
    // Act
    const results = await postPhase('results', 'Passage aux résultats');
    const back = await postPhase('counting', 'Retour au dépouillement');
    const toVote = await postPhase('vote', 'Retour au vote depuis les résultats');
    const toIdeas = await postPhase('ideas', 'Retour à l’appel à idées');
    // Assess
    expect(results.status).toBe(200);
    for (const refused of [back, toVote, toIdeas]) {
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('vote_closed_for_good');
      expect(refused.body.title).toBe('Conflit');
    }
    expect(await currentPhaseOf(stack)).toBe('results');
  });

  it('recounts from the stored ballots as an admin, with a reason, as a new audited version', async () => {
    // Prepare: the count of the close is there
    const computed = await eventually(async () => {
      const response = await api(stack, 'GET', `${editionPath}/staff/results`, { token: admin });
      return response.status === 200 ? response.body : undefined;
    }, 30_000);
    const recountPath = `${editionPath}/staff/results/recount`;

    // Act
    const byCoordinator = await api(stack, 'POST', recountPath, {
      token: coordinator,
      body: { reason: 'Recomptage demandé' },
    });
    const noReason = await api(stack, 'POST', recountPath, { token: admin, body: { reason: 'non' } });
    const recounted = await api(stack, 'POST', recountPath, {
      token: admin,
      body: { reason: 'Recomptage demandé par le Comité citoyen' },
    });

    // Assess
    expect(byCoordinator.status).toBe(403);
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.reason']);
    expect(recounted.status, JSON.stringify(recounted.body)).toBe(200);
    // The answer is the documented one (OpenAPI: StaffResultsView), for the staff results page
    expect(StaffResultsView.safeParse(recounted.body).success).toBe(true);
    expect(recounted.body.version).toBe(computed.version + 1);
    expect(recounted.body.recount).toMatchObject({
      reason: 'Recomptage demandé par le Comité citoyen',
      previousResultsId: computed.resultsId,
      previousVersion: computed.version,
    });
    // The same ballots, the same count
    expect(recounted.body.resultsId).toBe(computed.resultsId);
    const ballotsOf = (body: { envelopes: { id: string; ballots: number }[] }) =>
      Object.fromEntries(body.envelopes.map((e) => [e.id, e.ballots]));
    expect(ballotsOf(recounted.body)).toEqual(ballotsOf(computed));
    const audits = await resultsItems('AUDIT#');
    expect(audits.some((a) => a.action === 'recounted' && /Comité citoyen/.test(String(a.reason)))).toBe(
      true,
    );
    expect((await resultsItems('VERSION#')).map((v) => v.version)).toContain(computed.version);

    // A published result is recounted too, and stays published
    const published = await api(stack, 'POST', `${editionPath}/staff/results/publish`, {
      token: admin,
      body: { reason: 'Publication après vérification' },
    });
    expect(published.status).toBe(200);
    const again = await api(stack, 'POST', recountPath, {
      token: admin,
      body: { reason: 'Second recomptage après une réclamation' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ published: true, version: recounted.body.version + 1 });
    expect((await api(stack, 'GET', `${editionPath}/results`)).status).toBe(200);
  });

  it('annuls the vote as a distinct, audited operation: results no longer the outcome, never reopened', async () => {
    // Prepare
    const annulPath = `${editionPath}/staff/results/annulment`;
    const reason = `Irrégularité constatée par le Comité citoyen ${randomUUID().slice(0, 8)}`;

    // Act
    const byCoordinator = await api(stack, 'POST', annulPath, { token: coordinator, body: { reason } });
    const tooShort = await api(stack, 'POST', annulPath, { token: admin, body: { reason: 'car' } });
    const annulled = await api(stack, 'POST', annulPath, { token: admin, body: { reason } });

    // Assess
    expect(byCoordinator.status).toBe(403);
    expect(tooShort.status).toBe(400);
    expect(annulled.status, JSON.stringify(annulled.body)).toBe(200);
    expect(StaffResultsView.safeParse(annulled.body).success).toBe(true);
    expect(annulled.body).toMatchObject({ annulled: true, annulment: { reason, wasPublished: true } });
    const publicResults = await api(stack, 'GET', `${editionPath}/results`);
    expect(publicResults.status).toBe(410);
    expect(publicResults.body.code).toBe('results_annulled');
    expect(publicResults.body.detail).toContain(reason);
    const recount = await api(stack, 'POST', `${editionPath}/staff/results/recount`, {
      token: admin,
      body: { reason: 'Recomptage après annulation' },
    });
    expect(recount.status).toBe(409);
    expect(recount.body.code).toBe('vote_annulled');
    const twice = await api(stack, 'POST', annulPath, { token: admin, body: { reason } });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('vote_annulled_already');
    expect((await resultsItems('AUDIT#')).some((a) => a.action === 'annulled' && a.reason === reason)).toBe(
      true,
    );
    await waitForBus(stack);
    const events = await busEvents(stack, 'VoteAnnulled');
    expect(events.some((event) => event.detail.reason === reason)).toBe(true);
    // No reopening either way
    expect((await postPhase('vote', 'Réouverture après annulation')).body.code).toBe('vote_closed_for_good');
    expect(await currentPhaseOf(stack)).toBe('results');
  });
});
