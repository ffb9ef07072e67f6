import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Mail, readMailbox } from '../../local/ses.ts';
import {
  RealisationMailBatchRequested,
  RealisationUpdated,
  ResultsPublished,
} from '../../shared/events/catalogue.ts';
import type { EventContract } from '../../shared/events/define-event.ts';
import { api, eventually, staffToken, waitForBus } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { busEvents, putEvent } from '../support/local-bus.ts';
import '../support/stack-context.ts';
import { castFirstProjects } from '../support/results.ts';
import { openVote } from '../support/voting.ts';

// The mail fan-out in batches of two (test/support/file-stack.ts), so that a handful of recipients spans several:
// @stack-env MAIL_FANOUT_BATCH_SIZE=2
const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);

const busIdle = () => waitForBus(stack);

/** Delivers an event again, exactly as the bus first received it (at-least-once delivery). */
async function redeliver(contract: Pick<EventContract, 'source' | 'detailType'>, detail: unknown) {
  await putEvent(stack, contract, detail);
  await busIdle();
}

const mailsTo = async (address: string) =>
  (await readMailbox(stack.mailboxUrl)).filter((mail: Mail) => mail.destination.to.includes(address));

/** An idea item as the ideas function stores it, as much as the results emails read (its credited authors). */
async function seedIdea(authorIds: string[]) {
  const ideaId = randomUUID();
  await factory.documents.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: {
        pk: `IDEA#${ideaId}`,
        sk: 'IDEA',
        entity: 'Idea',
        version: 1,
        ideaId,
        authorIds,
        title: 'Idée',
      },
    }),
  );
  return ideaId;
}

/** Links a project of the ballot list to the ideas it comes from (what instruction records). */
async function linkProject(envelope: string, projectId: string, ideaIds: string[]) {
  await factory.documents.send(
    new UpdateCommand({
      TableName: stack.tableName,
      Key: { pk: `EDITION#${stack.edition}#PROJECTS`, sk: `PROJECT#${envelope}#${projectId}` },
      UpdateExpression: 'SET ideaIds = :ideas',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':ideas': ideaIds },
    }),
  );
}

afterAll(async () => {
  factory.close();
});

describe('results emails and follow-up: authors, voters who asked, followers of a winner', () => {
  let author: SeededCitizen;
  let coAuthor: SeededCitizen;
  let subscriber: SeededCitizen;
  let changedMind: SeededCitizen;
  let follower: SeededCitizen;
  let winner: { id: string; title: string; explanation: string };
  let coordinator: string;

  beforeAll(async () => {
    coordinator = await staffToken(stack, 'coordinator');
    await openVote(stack, factory.documents);
    [author, coAuthor, subscriber, changedMind, follower] = (await factory.createMany('nantes', 5, 5)) as [
      SeededCitizen,
      SeededCitizen,
      SeededCitizen,
      SeededCitizen,
      SeededCitizen,
    ];
  });

  it('records a citizen’s wish to hear of the results, on their own item, and lets them change their mind', async () => {
    // Act
    const asked = await api(stack, 'PUT', `${editionPath}/me/results-news`, {
      token: subscriber.token,
      body: { subscribed: true },
    });
    await api(stack, 'PUT', `${editionPath}/me/results-news`, {
      token: changedMind.token,
      body: { subscribed: true },
    });
    const withdrawn = await api(stack, 'PUT', `${editionPath}/me/results-news`, {
      token: changedMind.token,
      body: { subscribed: false },
    });
    // Assess
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(withdrawn.body).toEqual({ subscribed: false });
    const mine = await api(stack, 'GET', `${editionPath}/me/results-news`, { token: subscriber.token });
    expect(mine.body).toEqual({ subscribed: true, following: [] });
    const invalid = await api(stack, 'PUT', `${editionPath}/me/results-news`, {
      token: subscriber.token,
      body: { subscribed: 'oui' },
    });
    expect(invalid.status).toBe(400);
  });

  it('emails each author and co-author of an idea turned project, and the voters who asked, once each', async () => {
    // Prepare: ballots (the subscriber votes too), the vote closed, a project linked to two authors' idea
    await castFirstProjects(stack, [subscriber, changedMind, ...(await factory.createMany('nantes', 3))]);
    const ideaId = await seedIdea([author.citizenId, coAuthor.citizenId]);
    const staffResults = async () =>
      (await api(stack, 'GET', `${editionPath}/staff/results`, { token: coordinator })).body;
    const closeOnly = async () => {
      const admin = await staffToken(stack, 'admin');
      await api(stack, 'POST', `${editionPath}/staff/phase`, {
        token: admin,
        body: { to: 'counting', reason: 'Essai des courriels de résultats : clôture' },
      });
      await eventually(async () => {
        const response = await api(stack, 'GET', `${editionPath}/staff/results`, { token: coordinator });
        return response.status === 200 ? response : undefined;
      }, 30_000);
    };
    await closeOnly();
    const nantes = (await staffResults()).envelopes.find((e: { id: string }) => e.id === 'nantes');
    winner = nantes.projects.find((p: { selected: boolean }) => p.selected);
    await linkProject('nantes', winner.id, [ideaId]);

    // Act: an admin publishes
    const publication = await api(stack, 'POST', `${editionPath}/staff/results/publish`, {
      token: await staffToken(stack, 'admin'),
      body: { reason: 'Essai des courriels de résultats : publication' },
    });
    expect(publication.status, JSON.stringify(publication.body)).toBe(200);
    await busIdle();

    // Assess: the authors hear of their funded project with its explanation and the results link
    const toAuthor = await eventually(async () => {
      const mails = await mailsTo(author.email);
      return mails.length > 0 ? mails : undefined;
    }, 20_000);
    expect(toAuthor).toHaveLength(1);
    expect(toAuthor[0]?.subject).toContain('est lauréat');
    expect(toAuthor[0]?.body.text).toContain(winner.explanation);
    expect(toAuthor[0]?.body.text).toContain(`/resultats.html#projet-${winner.id}`);
    expect(await mailsTo(coAuthor.email)).toHaveLength(1);
    // The voter who asked hears the results are out; the one who changed their mind hears nothing
    const news = await mailsTo(subscriber.email);
    expect(news).toHaveLength(1);
    expect(news[0]?.subject).toContain('résultats du budget participatif sont publiés');
    expect(news[0]?.body.text).toContain('/resultats.html');
    expect(await mailsTo(changedMind.email)).toHaveLength(0);

    // Act: the same ResultsPublished delivered again
    const published = (await busEvents(stack, ResultsPublished.detailType)).at(-1);
    await redeliver(ResultsPublished, published?.detail);
    // Assess: nothing sent twice
    expect(await mailsTo(author.email)).toHaveLength(1);
    expect(await mailsTo(coAuthor.email)).toHaveLength(1);
    expect(await mailsTo(subscriber.email)).toHaveLength(1);
  });

  it('lets a verified citizen follow a published winner, once, and only a winner', async () => {
    // Act
    const first = await api(stack, 'POST', `${editionPath}/projects/${winner.id}/followers`, {
      token: follower.token,
    });
    const again = await api(stack, 'POST', `${editionPath}/projects/${winner.id}/followers`, {
      token: follower.token,
    });
    const unknown = await api(stack, 'POST', `${editionPath}/projects/pas-un-laureat/followers`, {
      token: follower.token,
    });
    const held = await factory.create('nantes', { status: 'held' });
    const refused = await api(stack, 'POST', `${editionPath}/projects/${winner.id}/followers`, {
      token: held.token,
    });
    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(again.status).toBe(200);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('project_not_winner');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('identity_not_verified');
    const mine = await api(stack, 'GET', `${editionPath}/me/results-news`, { token: follower.token });
    expect(mine.body.following).toEqual([winner.id]);
  });

  it('lets staff update a winner’s realisation, shows it publicly, and emails its followers once per change', async () => {
    // Prepare
    const path = `${editionPath}/staff/projects/${winner.id}/realisation`;
    const body = {
      status: 'travaux',
      milestones: [
        { kind: 'travaux', date: '2027-03-01', done: false },
        { kind: 'etudes', date: '2026-12-15', done: true },
      ],
    };
    // Act: refused to an instructor, and an abandonment needs a reason
    const instructor = await api(stack, 'PUT', path, { token: await staffToken(stack, 'instructor'), body });
    const noReason = await api(stack, 'PUT', path, { token: coordinator, body: { status: 'abandonne' } });
    const updated = await api(stack, 'PUT', path, { token: coordinator, body });
    const same = await api(stack, 'PUT', path, { token: coordinator, body });
    await busIdle();
    // Assess
    expect(instructor.status).toBe(403);
    expect(noReason.status).toBe(400);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ status: 'travaux', version: 1 });
    expect(updated.body.milestones.map((m: { kind: string }) => m.kind)).toEqual(['etudes', 'travaux']);
    expect(same.body.version).toBe(1);
    const followUp = await api(stack, 'GET', `${editionPath}/realisations`);
    expect(followUp.status).toBe(200);
    const line = followUp.body.projects.find((p: { id: string }) => p.id === winner.id);
    expect(line).toMatchObject({ status: 'travaux', title: winner.title });
    expect(line.milestones).toHaveLength(2);
    const toFollower = await eventually(async () => {
      const mails = await mailsTo(follower.email);
      return mails.length > 0 ? mails : undefined;
    }, 20_000);
    expect(toFollower).toHaveLength(1);
    expect(toFollower[0]?.subject).toContain('Travaux en cours');
    expect(toFollower[0]?.body.text).toContain('15 décembre 2026');

    // Act: the same RealisationUpdated delivered again, then a real change
    const event = (await busEvents(stack, RealisationUpdated.detailType)).at(-1);
    await redeliver(RealisationUpdated, event?.detail);
    expect(await mailsTo(follower.email)).toHaveLength(1);
    const delivered = await api(stack, 'PUT', path, {
      token: await staffToken(stack, 'admin'),
      body: { status: 'livre', milestones: [{ kind: 'livre', date: '2027-06-30', done: true }] },
    });
    await busIdle();
    // Assess
    expect(delivered.body.version).toBe(2);
    const mails = await eventually(async () => {
      const all = await mailsTo(follower.email);
      return all.length === 2 ? all : undefined;
    }, 20_000);
    expect(mails[1]?.subject).toContain('Livré');
  });

  it('emails each follower of a winner followed by more than one batch once, one invocation per batch, nothing more on a replay', async () => {
    // Prepare: four more followers, five in all, with the fan-out's batches of two.
    const others = await factory.createMany('nantes', 4);
    for (const citizen of others) {
      const followed = await api(stack, 'POST', `${editionPath}/projects/${winner.id}/followers`, {
        token: citizen.token,
      });
      expect(followed.status).toBe(201);
    }
    const followers = [follower, ...others];
    const brand = (await api(stack, 'GET', editionPath)).body.edition.identity.name;
    const reason = 'Inauguration le 30 juin, place du marché.';
    const aboutThisChange = async (address: string) =>
      (await mailsTo(address)).filter((mail) => mail.body.text?.includes(reason));

    // Act
    const changed = await api(stack, 'PUT', `${editionPath}/staff/projects/${winner.id}/realisation`, {
      token: coordinator,
      body: { status: 'livre', reason, milestones: [{ kind: 'livre', date: '2027-06-30', done: true }] },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await busIdle();

    // Assess: one email per follower, through three batch events of the one change, each follower in one batch
    const updateId = `${winner.id}#${changed.body.version}`;
    for (const citizen of followers) {
      const mails = await eventually(async () => {
        const found = await aboutThisChange(citizen.email);
        return found.length > 0 ? found : undefined;
      }, 20_000);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toContain('Livré');
      // From the Département, as every email of the notifications function (shared/email/branding.ts)
      expect(mails[0]?.body.html).toContain(`>${brand}</div>`);
    }
    const batchesOf = async () =>
      (await busEvents(stack, RealisationMailBatchRequested.detailType))
        .map(
          (event) =>
            event.detail as { updateId: string; followers: string[]; batch: number; batches: number },
        )
        .filter((detail) => detail.updateId === updateId);
    const planned = await batchesOf();
    expect(planned.map((batch) => batch.followers.length).sort()).toEqual([1, 2, 2]);
    expect(planned.flatMap((batch) => batch.followers).sort()).toEqual(
      followers.map((citizen) => citizen.citizenId).sort(),
    );
    // Ids only: no address travels on the bus
    expect(JSON.stringify(planned)).not.toContain('@');

    // Act: the same RealisationUpdated delivered again
    const event = (await busEvents(stack, RealisationUpdated.detailType)).at(-1);
    expect(event?.detail).toMatchObject({ updateId });
    await redeliver(RealisationUpdated, event?.detail);

    // Assess: planned again, in as many batches, and nothing sent twice
    expect(await batchesOf()).toHaveLength(6);
    for (const citizen of followers) expect(await aboutThisChange(citizen.email)).toHaveLength(1);
  });
});
