import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dynamoIdeaRepository } from '../../functions/ideas/idea-repository.ts';
import { dynamoSupportRepository } from '../../functions/ideas/support-repository.ts';
import { dynamoEmailLog } from '../../functions/notifications/email-log-repository.ts';
import { dynamoFollowUpRepository } from '../../functions/results/follow-up-repository.ts';
import { CitizenErased } from '../../shared/events/catalogue.ts';
import { api, waitForBus } from '../support/api.ts';
import { citizenFactory } from '../support/citizens.ts';
import { identityPath, signInCitizen, uniquePerson } from '../support/identity.ts';
import { busEvents, seedPublishedIdea } from '../support/instruction.ts';
import { castFirstProjects } from '../support/results.ts';
import { openVote } from '../support/voting.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);
afterAll(() => factory.close());
const documents: DynamoDBDocumentClient = factory.documents;

async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item whose text holds one of `needles`, as `pk / sk: needle`. */
async function itemsHolding(needles: string[]): Promise<string[]> {
  return (await scanAll()).flatMap((item) => {
    const text = JSON.stringify(item).toLowerCase();
    return needles
      .filter((needle) => text.includes(needle.toLowerCase()))
      .map((needle) => `${String(item.pk)} / ${String(item.sk)}: ${needle}`);
  });
}

async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 25_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('erasure leaves nothing personal behind', () => {
  it('removes the person’s id, email, names and birth date from the whole table, and keeps published ideas and the has-voted marker', async () => {
    // Prepare: a verified person, through the real email-code flow, with names and a birth date of their own.
    const letters = randomUUID()
      .replace(/[^a-f]/g, '')
      .slice(0, 6);
    const profile = uniquePerson({
      firstName: `Eulalie ${letters}`,
      birthDate: `19${50 + Math.floor(Math.random() * 40)}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`,
    });
    const { email, response, token } = await signInCitizen(stack, profile);
    expect(response.status).toBe(201);
    const citizenId: string = response.body.citizen.id;
    const other = randomUUID();
    const at = new Date().toISOString();

    // Ideas: a draft, a published idea they are credited on with someone else, an idea hidden because it
    // held personal details, a pointer and an audit line for each, a support.
    const ideas = dynamoIdeaRepository(documents, stack.tableName, stack.edition);
    await ideas.putDraft(citizenId, { title: `Brouillon de ${profile.firstName}` }, at);
    const published = await seedPublishedIdea(stack, documents, {
      authorIds: [citizenId, other],
      territory: response.body.citizen.territory,
      theme: 'nature',
      title: 'Un verger partagé au bord du canal',
    });
    const hidden = await seedPublishedIdea(stack, documents, {
      authorIds: [citizenId],
      territory: response.body.citizen.territory,
      theme: 'nature',
      title: `Appelez ${profile.firstName} ${profile.lastName} au 06`,
      proposerName: `${profile.lastName} et voisins`,
    });
    const hiddenIdea = await ideas.get(hidden);
    if (!hiddenIdea) throw new Error('seeded idea missing');
    await ideas.save([
      {
        idea: {
          ...hiddenIdea,
          status: 'hidden',
          revision: hiddenIdea.revision + 1,
          moderation: {
            moderationId: randomUUID(),
            action: 'hide',
            by: 'moderator-sub',
            at,
            rule: 'personal-data',
            reason: `Le numéro de ${profile.firstName} ${profile.lastName} est visible`,
          },
        },
        expectedRevision: hiddenIdea.revision,
        audit: { auditId: randomUUID(), action: 'hide', actor: 'moderator:moderator-sub', at },
      },
    ]);
    for (const ideaId of [published, hidden]) {
      await documents.send(
        new PutCommand({
          TableName: stack.tableName,
          Item: {
            pk: `IDEAAUTHOR#${citizenId}`,
            sk: `IDEA#${ideaId}`,
            entity: 'IdeaAuthor',
            version: 1,
            ideaId,
            creditedAt: at,
          },
        }),
      );
      await documents.send(
        new PutCommand({
          TableName: stack.tableName,
          Item: {
            pk: `IDEA#${ideaId}`,
            sk: `AUDIT#${at}#${randomUUID()}`,
            entity: 'IdeaAudit',
            version: 1,
            auditId: randomUUID(),
            action: 'submit',
            actor: `citizen:${citizenId}`,
            at,
          },
        }),
      );
    }
    const supports = dynamoSupportRepository(documents, stack.tableName);
    expect(await supports.add(published, citizenId, at)).toBe(true);
    // Results: the results-news opt-in and a followed project.
    const followUp = dynamoFollowUpRepository(documents, stack.tableName, stack.edition);
    await followUp.setResultsNews(citizenId, true, at);
    await followUp.follow(citizenId, 'projet-suivi', at);
    // Notifications: a line of the email log sent to them.
    const log = dynamoEmailLog(documents, stack.tableName, stack.edition);
    const entry = {
      key: `IdeaPublished#${published}#citizen:${citizenId}`,
      template: 'idea-published',
      recipient: `citizen:${citizenId}`,
      eventId: randomUUID(),
    };
    await log.claim(entry, new Date());
    await log.markSent(entry, 'message-1', new Date());
    // Voting: they vote (the has-voted marker).
    await openVote(stack, documents);
    await castFirstProjects(stack, [{ citizenId, territory: response.body.citizen.territory, token, email }]);
    const markersBefore = (await scanAll()).filter((item) => String(item.pk).startsWith('VOTER#')).length;
    const needles = [citizenId, email, profile.firstName, profile.lastName, profile.birthDate];
    expect((await itemsHolding(needles)).length).toBeGreaterThan(10);

    // Act
    const erased = await api(stack, 'DELETE', identityPath(stack, '/me'), { token });

    // Assess: once the contexts have consumed the erasure, nothing in the table leads back to the person.
    expect(erased.status).toBe(200);
    const left = await waitUntil(
      () => itemsHolding(needles),
      (found) => found.length === 0,
    );
    expect(left).toEqual([]);
    // The published idea stays (the edition's record), credited to its other author only.
    const kept = await ideas.get(published);
    expect(kept).toMatchObject({ status: 'published', title: 'Un verger partagé au bord du canal' });
    expect(kept?.authorIds).toEqual([other]);
    expect(await supports.count(published)).toBe(0);
    // The idea hidden for personal details keeps no text of them.
    const cleaned = await ideas.get(hidden);
    expect(cleaned?.status).toBe('hidden');
    expect(JSON.stringify(cleaned)).not.toContain(profile.lastName);
    // The has-voted marker stays (no second vote), under no id of the person.
    const markersAfter = (await scanAll()).filter((item) => String(item.pk).startsWith('VOTER#')).length;
    expect(markersAfter).toBe(markersBefore);
    // Their session no longer reads anything.
    expect((await api(stack, 'GET', identityPath(stack, '/me'), { token })).status).toBe(404);

    // A redelivered CitizenErased (at-least-once) changes nothing and fails no consumer.
    const [event] = (await busEvents(stack, CitizenErased.detailType)).filter(
      (e) => e.detail.citizenId === citizenId,
    );
    expect(event?.detail.erasedAs).toEqual(expect.any(String));
    const bus = new EventBridgeClient({
      endpoint: stack.busUrl,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const sent = await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'bp-local',
            Source: CitizenErased.source,
            DetailType: CitizenErased.detailType,
            Detail: JSON.stringify(event?.detail),
          },
        ],
      }),
    );
    bus.destroy();
    expect(sent.FailedEntryCount ?? 0).toBe(0);
    await waitForBus(stack);
    expect(await itemsHolding(needles)).toEqual([]);
    expect((await scanAll()).filter((item) => String(item.pk).startsWith('VOTER#')).length).toBe(
      markersBefore,
    );
    expect(await supports.count(published)).toBe(0);
    expect((await ideas.get(published))?.authorIds).toEqual([other]);
    // No consumer failed on the first delivery or the second one: nothing about it in the dead-letter list.
    const dlq = await (await fetch(`${stack.busUrl}/__local/dlq`)).json();
    expect(JSON.stringify(dlq)).not.toContain(citizenId);
  });
});
