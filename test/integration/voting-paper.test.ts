import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newVotingCode } from '../../functions/identity/register-in-person.ts';
import { dateIn } from '../../functions/voting/cast-ballot.ts';
import { dynamoVotingRepository } from '../../functions/voting/voting-repository.ts';
import { votingCodeKey } from '../../shared/identity/voting-code.ts';
import { api, staffToken } from '../support/api.ts';
import { citizenFactory } from '../support/citizens.ts';
import { stackHash, uniquePerson } from '../support/identity.ts';
import '../support/stack-context.ts';
import { extraStaffTokens, openVote } from '../support/voting.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const votes = dynamoVotingRepository(factory.documents, stack.tableName, stack.edition);
const hashes = await stackHash(stack);
afterAll(() => factory.close());

const item = async (pk: string, sk: string) =>
  (await factory.documents.send(new GetCommand({ TableName: stack.tableName, Key: { pk, sk } }))).Item;

let agents: string[];
let nantesProjects: string[];

/** A person registered on site by a coordinator: their printed voting code and citizen id. */
async function registerInPerson(): Promise<{ code: string; citizenId: string }> {
  const response = await api(stack, 'POST', `${editionPath}/staff/identity/in-person`, {
    token: agents[0],
    body: { profile: uniquePerson() },
  });
  expect(response.status).toBe(201);
  return { code: response.body.votingCode.code, citizenId: response.body.citizen.id };
}

const enter = (agent: string | undefined, body: unknown) =>
  api(stack, 'POST', `${editionPath}/staff/paper-ballots`, { token: agent, body });

const sheetNumber = () => `F-${randomUUID().slice(0, 8)}`;

/** The `date` of every paper ballot of the table (DynamoDB Local: a full scan is fine). */
async function paperBallotDates(): Promise<string[]> {
  const dates: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await factory.documents.send(
      new ScanCommand({
        TableName: stack.tableName,
        FilterExpression: 'entity = :ballot AND channel = :paper',
        ExpressionAttributeValues: { ':ballot': 'Ballot', ':paper': 'paper' },
        ExclusiveStartKey: start,
      }),
    );
    dates.push(...(page.Items ?? []).map((ballot) => String(ballot.date)));
    start = page.LastEvaluatedKey;
  } while (start);
  return dates;
}

describe('paper ballots: double entry by two agents, a third on mismatch, the printed code spent once', () => {
  beforeAll(async () => {
    agents = [
      await staffToken(stack, 'coordinator'),
      ...(await extraStaffTokens(stack, 'coordinator', ['agent-b', 'agent-c'])),
    ];
    await openVote(stack, factory.documents);
    const snapshot = (await votes.getSnapshot())?.snapshot;
    nantesProjects = (snapshot?.projects ?? []).filter((p) => p.envelope === 'nantes').map((p) => p.id);
  });

  it('keeps a first entry pending, casts on a matching second entry by another agent, and spends the code', async () => {
    // Prepare
    const voter = await registerInPerson();
    const sheet = sheetNumber();
    const body = {
      sheet,
      votingCode: voter.code.toLowerCase(),
      choices: { nantes: nantesProjects.slice(0, 3) },
    };
    const turnoutBefore = await votes.readTurnout();
    // Act: first entry, its retry, the same agent again with other choices.
    const first = await enter(agents[0], body);
    const retry = await enter(agents[0], body);
    const sameAgent = await enter(agents[0], { ...body, choices: { nantes: nantesProjects.slice(1, 4) } });
    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ sheet, status: 'pending' });
    expect(retry.body.status).toBe('pending');
    expect(sameAgent.status).toBe(409);
    expect(sameAgent.body.code).toBe('second_agent_required');
    const pending = await item(`PAPERSHEET#${sheet}`, 'SHEET');
    expect(JSON.stringify(pending)).not.toContain(voter.code);
    expect(JSON.stringify(pending)).not.toContain(nantesProjects[0]);
    // Act: the second agent types the same sheet (code with other separators).
    const datesBefore = await paperBallotDates();
    const dayBefore = dateIn('Europe/Paris', new Date());
    const second = await enter(agents[1], { ...body, votingCode: voter.code.replaceAll('-', ' ') });
    const dayAfter = dateIn('Europe/Paris', new Date());
    // Assess: counted on paper, the person marked as voted, the code used.
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ sheet, status: 'cast' });
    expect(second.body.entries).toHaveLength(2);
    expect(await item(`VOTER#${voter.citizenId}`, 'MARKER')).toMatchObject({ channel: 'paper' });
    // The ballot keeps the Paris day of the entry that cast it, and no time of day.
    const datesAfter = await paperBallotDates();
    expect(datesAfter).toHaveLength(datesBefore.length + 1);
    const newDates = datesAfter.filter((day) => day === dayAfter || day === dayBefore);
    expect(newDates.length).toBe(
      datesBefore.filter((day) => day === dayAfter || day === dayBefore).length + 1,
    );
    expect(datesAfter.every((day) => /^\d{4}-\d{2}-\d{2}$/.test(day))).toBe(true);
    const code = await item(votingCodeKey(hashes.votingCodeHash(voter.code)).pk, 'CODE');
    expect(code?.usedAt).toEqual(expect.any(String));
    const turnoutAfter = await votes.readTurnout();
    expect((turnoutAfter['nantes#paper'] ?? 0) - (turnoutBefore['nantes#paper'] ?? 0)).toBe(1);
    const closed = await item(`PAPERSHEET#${sheet}`, 'SHEET');
    expect(closed?.salt).toBeUndefined();
    expect(JSON.stringify(closed)).not.toMatch(/Digest/);
    // A retry of the second entry answers the same; the code cannot serve again.
    expect((await enter(agents[1], body)).body.status).toBe('cast');
    const reuse = await enter(agents[0], { ...body, sheet: sheetNumber() });
    expect(reuse.status).toBe(409);
    expect(reuse.body.code).toBe('voting_code_used');
  });

  it('flags a mismatch for a third agent, lists it, and lets only a third agent resolve it', async () => {
    const voter = await registerInPerson();
    const sheet = sheetNumber();
    await enter(agents[0], {
      sheet,
      votingCode: voter.code,
      choices: { nantes: nantesProjects.slice(0, 3) },
    });
    const mismatch = await enter(agents[1], {
      sheet,
      votingCode: voter.code,
      choices: { nantes: nantesProjects.slice(0, 4) },
    });
    expect(mismatch.status).toBe(200);
    expect(mismatch.body).toMatchObject({ status: 'flagged', differences: ['choices'] });
    const listed = await api(stack, 'GET', `${editionPath}/staff/paper-ballots`, { token: agents[2] });
    expect(listed.status).toBe(200);
    expect(listed.body.sheets.map((s: { sheet: string }) => s.sheet)).toContain(sheet);
    const fourth = await enter(agents[2], {
      sheet,
      votingCode: voter.code,
      choices: { nantes: nantesProjects.slice(0, 3) },
    });
    expect(fourth.body.code).toBe('sheet_flagged');
    const resolution = (agent: string | undefined) =>
      api(stack, 'POST', `${editionPath}/staff/paper-ballots/${sheet}/resolution`, {
        token: agent,
        body: { decision: 'cast', votingCode: voter.code, choices: { nantes: nantesProjects.slice(0, 4) } },
      });
    const byEntrant = await resolution(agents[1]);
    expect(byEntrant.status).toBe(409);
    expect(byEntrant.body.code).toBe('third_agent_required');
    const resolved = await resolution(agents[2]);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'cast', resolution: { decision: 'cast' } });
    expect(await item(`VOTER#${voter.citizenId}`, 'MARKER')).toMatchObject({ channel: 'paper' });
  });

  it('voids a flagged sheet with a reason, leaving the code unused', async () => {
    const voter = await registerInPerson();
    const sheet = sheetNumber();
    const other = await registerInPerson();
    await enter(agents[0], {
      sheet,
      votingCode: voter.code,
      choices: { nantes: nantesProjects.slice(0, 3) },
    });
    const flagged = await enter(agents[1], {
      sheet,
      votingCode: other.code,
      choices: { nantes: nantesProjects.slice(0, 3) },
    });
    expect(flagged.body.differences).toEqual(['votingCode']);
    const voided = await api(stack, 'POST', `${editionPath}/staff/paper-ballots/${sheet}/resolution`, {
      token: agents[2],
      body: { decision: 'void', reason: 'Feuille illisible, deux codes différents' },
    });
    expect(voided.body).toMatchObject({ status: 'void', resolution: { decision: 'void' } });
    expect(await item(`VOTER#${voter.citizenId}`, 'MARKER')).toBeUndefined();
  });

  it('refuses a paper ballot with the code of someone who already voted online, and an invalid sheet at entry', async () => {
    // An online voter who voted, and a code pointing at them (as if issued to the same person).
    const online = await factory.create('nantes');
    const cast = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: online.token,
      body: { choices: { nantes: nantesProjects.slice(0, 3) } },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(cast.status).toBe(201);
    const code = newVotingCode();
    await factory.documents.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          ...votingCodeKey(hashes.votingCodeHash(code)),
          entity: 'VotingCode',
          version: 1,
          codeHash: hashes.votingCodeHash(code),
          citizenId: online.citizenId,
          issuedAt: new Date().toISOString(),
          expiresAtMs: Date.now() + 86_400_000,
        },
      }),
    );
    const sheet = sheetNumber();
    const body = { sheet, votingCode: code, choices: { nantes: nantesProjects.slice(0, 3) } };
    expect((await enter(agents[0], body)).status).toBe(200);
    const refused = await enter(agents[1], body);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('already_voted');
    expect((await item(`PAPERSHEET#${sheet}`, 'SHEET'))?.status).toBe('refused');
    expect((await item(votingCodeKey(hashes.votingCodeHash(code)).pk, 'CODE'))?.usedAt).toBeUndefined();

    const voter = await registerInPerson();
    const invalid = await enter(agents[0], {
      sheet: sheetNumber(),
      votingCode: voter.code,
      choices: { nantes: nantesProjects.slice(0, 2) },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('too_few_choices');
    const unknown = await enter(agents[0], {
      sheet: sheetNumber(),
      votingCode: 'ZZZZ-ZZZZ-ZZZZ',
      choices: { nantes: nantesProjects.slice(0, 3) },
    });
    expect(unknown.body.code).toBe('voting_code_unknown');
  });

  it('refuses an online ballot from the in-person voter who voted on paper', async () => {
    const voter = await registerInPerson();
    const sheet = sheetNumber();
    const body = { sheet, votingCode: voter.code, choices: { nantes: nantesProjects.slice(0, 3) } };
    await enter(agents[0], body);
    expect((await enter(agents[1], body)).status).toBe(201);
    const marker = await item(`VOTER#${voter.citizenId}`, 'MARKER');
    expect(marker).toMatchObject({ channel: 'paper' });
    expect(marker?.sealedReceipt).toBeUndefined();
  });
});
