import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readMailbox } from '../../local/ses.ts';
import { api, currentPhaseOf, movePhase, staffToken } from '../support/api.ts';
import { seedRetainedProjects } from '../support/ballot-list.ts';
import { citizenFactory } from '../support/citizens.ts';
import { busEvents } from '../support/instruction.ts';
import { fireScheduleOnce } from '../support/local-bus.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const base = `${editionPath}/staff/instruction`;
const factory = await citizenFactory(stack);
const documents = factory.documents;
const listPk = `INSTRUCTION#${stack.edition}`;
let admin: string;
let committee: string;

async function listItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': listPk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.filter((item) => item.sk === 'BALLOTLIST' || String(item.sk).startsWith('PROJECT#'));
}

async function clearList() {
  for (const item of await listItems())
    await documents.send(
      new DeleteCommand({ TableName: stack.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
}

const seedRetained = (envelope: string, costs: number[]) =>
  seedRetainedProjects(stack, documents, envelope, costs);

const readList = async () => (await api(stack, 'GET', `${base}/ballot-list`, { token: committee })).body;
const validate = async () =>
  api(stack, 'POST', `${base}/ballot-list/validation`, {
    token: committee,
    body: { listSha256: (await readList()).listSha256 },
  });

/** Fires the editions function's `vote` schedule input once, as the configured opening would. */
const fireScheduledOpening = () =>
  fireScheduleOnce(
    stack,
    'editions',
    { kind: 'phase-transition', phase: 'vote' },
    { leadMs: 30_000, advanceMs: 60_000 },
  );

beforeAll(async () => {
  [admin, committee] = await Promise.all([staffToken(stack, 'admin'), staffToken(stack, 'committee')]);
  // This file builds its own list, in the preparation of the vote.
  await movePhase(stack, admin, 'ballot-preparation', 'Essai de la liste soumise au vote');
  await clearList();
});

afterAll(() => factory.close());

describe('a ballot list nobody could vote on is neither validated nor opened', () => {
  it('shows each envelope with its projects, their cost against the budget, what blocks and what warns', async () => {
    // Prepare: nantes 2 projects (the ballot asks for 3 at least), vignoble none, the others 3 each
    await seedRetained('nantes', [20_000, 30_000]);
    await seedRetained('saint-nazaire', [10_000, 10_000, 10_000]);
    for (const envelope of ['chateaubriant-ancenis', 'pays-de-retz', 'loire-atlantique'])
      await seedRetained(envelope, [90_000, 90_000, 90_000]);

    // Act
    const list = await readList();

    // Assess
    type Review = {
      id: string;
      projects: number;
      totalCost: number;
      amount: number;
      problem?: { code: string; message: string };
      warning?: string;
    };
    const byId = new Map<string, Review>(list.envelopes.map((e: Review) => [e.id, e]));
    expect(byId.get('nantes')).toMatchObject({
      projects: 2,
      totalCost: 50_000,
      problem: { code: 'too_few_projects' },
    });
    expect(byId.get('nantes')?.problem?.message).toMatch(/n’a que 2 projets.*au moins 3/);
    expect(byId.get('vignoble')).toMatchObject({
      projects: 0,
      totalCost: 0,
      problem: { code: 'no_project' },
    });
    expect(byId.get('vignoble')?.problem?.message).toMatch(/^Aucun projet/);
    expect(byId.get('saint-nazaire')?.problem).toBeUndefined();
    expect(byId.get('saint-nazaire')?.warning).toMatch(/30 000 €.*moins que l’enveloppe/);
    expect(list.state).toBe('open');
  });

  it('refuses the committee’s validation, in French, naming each envelope and why', async () => {
    // Act
    const refused = await validate();
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ballot_list_unvotable');
    expect(refused.body.title).toBe('Liste impossible à soumettre au vote');
    expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'envelopes.nantes',
      'envelopes.vignoble',
    ]);
    expect(refused.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(/Vignoble/);
    expect((await readList()).state).toBe('open');
  });

  it('never opens the vote on such a list: an admin is refused, the schedule keeps the phase and tells coordinators', async () => {
    // Prepare: a list validated before the rule existed (straight in the table), unvotable
    const projects = (await listItems()).filter((item) => String(item.sk).startsWith('PROJECT#'));
    const { Item: record } = await documents.send(
      new GetCommand({
        TableName: stack.tableName,
        Key: { pk: listPk, sk: 'BALLOTLIST' },
        ConsistentRead: true,
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          pk: listPk,
          sk: 'BALLOTLIST',
          entity: 'InstructionBallotList',
          version: 1,
          listVersion: Number(record?.listVersion ?? 0),
          state: 'validated',
          validation: {
            validationId: randomUUID(),
            listSha256: (await readList()).listSha256,
            projectIds: projects.map((p) => String(p.id)),
            at: new Date().toISOString(),
            by: { role: 'committee', sub: 'essai' },
          },
        },
      }),
    );
    const mailsBefore = (await readMailbox(stack.mailboxUrl)).filter((m) =>
      m.subject.includes('n’a pas pu ouvrir'),
    ).length;

    // Act 1: an admin
    const byAdmin = await api(stack, 'POST', `${editionPath}/staff/phase`, {
      token: admin,
      body: { to: 'vote', reason: 'Ouverture du vote (essai)' },
    });
    // Assess 1
    expect(byAdmin.status).toBe(409);
    expect(byAdmin.body.code).toBe('ballot_list_unvotable');
    expect(byAdmin.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'envelopes.nantes',
      'envelopes.vignoble',
    ]);
    expect(await currentPhaseOf(stack)).toBe('ballot-preparation');

    // Act 2: the configured opening
    await fireScheduledOpening();
    // Assess 2
    expect(await currentPhaseOf(stack)).toBe('ballot-preparation');
    const refusals = await busEvents(stack, 'VoteOpeningRefused');
    expect(refusals.at(-1)?.detail).toMatchObject({ phase: 'ballot-preparation' });
    expect(
      refusals
        .at(-1)
        ?.detail.envelopes.map((e: { id: string }) => e.id)
        .sort(),
    ).toEqual(['nantes', 'vignoble']);
    const mails = (await readMailbox(stack.mailboxUrl)).filter((m) =>
      m.subject.includes('n’a pas pu ouvrir'),
    );
    expect(mails.length).toBeGreaterThan(mailsBefore);
    expect(mails.at(-1)?.body.text).toMatch(/Vignoble/);
  });

  it('validates the list once every envelope can be voted in', async () => {
    // Prepare: back to an open list, completed
    await documents.send(
      new DeleteCommand({ TableName: stack.tableName, Key: { pk: listPk, sk: 'BALLOTLIST' } }),
    );
    await seedRetained('nantes', [40_000]);
    await seedRetained('vignoble', [50_000, 60_000, 70_000]);
    // Act
    const validated = await validate();
    // Assess
    expect(validated.status, JSON.stringify(validated.body)).toBe(200);
    expect(validated.body.state).toBe('validated');
    expect(validated.body.envelopes.every((e: { problem?: unknown }) => e.problem === undefined)).toBe(true);
  });
});
