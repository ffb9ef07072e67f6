import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { publishPendingEvents } from '../../functions/ideas/idea-outbox.ts';
import { dynamoIdeaRepository } from '../../functions/ideas/idea-repository.ts';
import { moderateIdea } from '../../functions/ideas/moderate-idea.ts';
import { type PublicIdeasFile, publishPublicList } from '../../functions/ideas/publish-public-list.ts';
import type { IdeasDeps } from '../../functions/ideas/submit-idea.ts';
import { setSupport } from '../../functions/ideas/support-idea.ts';
import { dynamoSupportRepository } from '../../functions/ideas/support-repository.ts';
import { readMailbox } from '../../local/ses.ts';
import { dynamoEditionStore, type EditionStore } from '../../shared/edition/edition-store.ts';
import { type EventPublisher, eventBridgePublisher } from '../../shared/events/event-publisher.ts';
import { ModerationBody } from '../../shared/http/idea-schemas.ts';
import { directorySiteWriter } from '../../shared/site/site-writer.ts';
import { api, eventually, movePhase, staffToken, waitForBus } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { eventBridgeClient, LOCAL_BUS } from '../support/local-bus.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
afterAll(() => factory.close());

const NANTES = '44109';
const bus = eventBridgeClient(stack);
afterAll(() => bus.destroy());
const realBus = eventBridgePublisher(bus, LOCAL_BUS);
const brokenBus: EventPublisher = {
  async publish() {
    throw new Error('EventBridge unavailable (injected)');
  },
};

const ideas = dynamoIdeaRepository(factory.documents, stack.tableName, stack.edition);
const supports = dynamoSupportRepository(factory.documents, stack.tableName);
const editions = dynamoEditionStore({
  client: factory.documents,
  tableName: stack.tableName,
  edition: stack.edition,
  cacheMs: 0,
});
const depsWith = (events: EventPublisher): IdeasDeps => ({
  edition: stack.edition,
  editions,
  ideas,
  events,
  now: () => new Date(),
  newId: randomUUID,
});

const busIdle = () => waitForBus(stack);
const setPhase = (admin: string, to: string) =>
  movePhase(stack, admin, to, `Essai de fiabilité des idées : passage en ${to}`);

async function submitted(citizen: SeededCitizen, title = `Un abri vélos ${randomUUID().slice(0, 6)}`) {
  const response = await api(stack, 'POST', `${editionPath}/ideas`, {
    token: citizen.token,
    headers: { 'idempotency-key': randomUUID() },
    body: {
      title,
      description: 'Un abri pour vingt vélos devant la médiathèque, couvert et éclairé la nuit.',
      theme: 'mobilites',
      territory: 'nantes',
      commune: NANTES,
      estimatedCost: 15_000,
      proposer: { kind: 'individual' },
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; title: string };
}

async function mailsTo(to: string, fragment: string) {
  return (await readMailbox(stack.mailboxUrl)).filter(
    (mail) => mail.destination.to.includes(to) && mail.subject.includes(fragment),
  );
}

async function staticList(): Promise<PublicIdeasFile | undefined> {
  const response = await fetch(`${stack.siteUrl}/data/ideas.json`, { signal: AbortSignal.timeout(5000) });
  return response.ok ? ((await response.json()) as PublicIdeasFile) : undefined;
}

describe('ideas: events are never lost, the public list is static and fresh, supports are counted once', () => {
  let admin: string;
  let moderator: string;

  beforeAll(async () => {
    admin = await staffToken(stack, 'admin');
    moderator = await staffToken(stack, 'moderator');
    await setPhase(admin, 'ideas');
    // The test stack runs on today's date, after the demo's 2023 call: an admin extends it (audited).
    const extended = await api(stack, 'POST', `${editionPath}/staff/ideas-window`, {
      token: admin,
      body: {
        action: 'extend',
        until: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        reason: 'Prolongation pour les essais de fiabilité',
      },
    });
    expect(extended.status).toBe(200);
  });

  it('keeps a publication whose event the bus refused, and publishes it on the retry of the request', async () => {
    // Prepare
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    // Act 1: the decision is stored, the bus is down
    const saved = await moderateIdea(depsWith(brokenBus), {
      ideaId: idea.id,
      body: ModerationBody.parse({ action: 'publish' }),
      actor: { sub: 'moderateur-essai', role: 'moderator' },
    });
    // Assess 1: stored with its pending event, no email yet
    expect(saved.status).toBe('published');
    expect((await ideas.listPending(idea.id)).map((event) => event.detailType)).toEqual(['IdeaPublished']);
    await busIdle();
    expect(await mailsTo(author.email, 'Votre idée est publiée')).toHaveLength(0);
    // Act 2: the moderator retries (the page showed an error); the decision is already taken
    const retry = await api(stack, 'POST', `${editionPath}/staff/ideas/${idea.id}/moderation`, {
      token: moderator,
      body: { action: 'publish' },
    });
    // Assess 2: the retry is refused as a duplicate decision, but the pending event went out, once
    expect(retry.status).toBe(409);
    expect(await ideas.listPending(idea.id)).toEqual([]);
    await busIdle();
    const mails = await eventually(async () => {
      const found = await mailsTo(author.email, 'Votre idée est publiée');
      return found.length > 0 ? found : undefined;
    }, 15_000);
    expect(mails).toHaveLength(1);
  });

  it('keeps a hidden idea’s event when the bus fails, and the sweep publishes it', async () => {
    // Prepare
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    await moderateIdea(depsWith(brokenBus), {
      ideaId: idea.id,
      body: ModerationBody.parse({ action: 'hide', rule: 'disrespect', reason: 'Propos injurieux (essai)' }),
      actor: { sub: 'moderateur-essai', role: 'moderator' },
    });
    // Act: what the `ideas-sweep` schedule runs (every pending event of the edition, from the index)
    const swept = await eventually(async () => {
      const result = await publishPendingEvents({ ...depsWith(realBus) });
      return result.published > 0 || (await ideas.listPending(idea.id)).length === 0 ? result : undefined;
    });
    // Assess
    expect(swept.failed).toBe(0);
    expect(await ideas.listPending(idea.id)).toEqual([]);
    await busIdle();
    const events = (await (await fetch(`${stack.busUrl}/__local/events`)).json()) as {
      events: { event: { 'detail-type': string; detail: { ideaId?: string } } }[];
    };
    const hidden = events.events.filter(
      ({ event }) => event['detail-type'] === 'IdeaHidden' && event.detail.ideaId === idea.id,
    );
    expect(hidden).toHaveLength(1);
  });

  it('shows a publication in the static list within seconds, and drops it when its author withdraws it', async () => {
    // Prepare
    const author = await factory.create('nantes');
    const idea = await submitted(author, `Une fontaine à eau ${randomUUID().slice(0, 6)}`);
    // Act
    const started = performance.now();
    const published = await api(stack, 'POST', `${editionPath}/staff/ideas/${idea.id}/moderation`, {
      token: moderator,
      body: { action: 'publish' },
    });
    expect(published.status).toBe(200);
    const list = await eventually(async () => {
      const file = await staticList();
      return file?.items.some((item) => item.id === idea.id) ? file : undefined;
    }, 30_000);
    const delayMs = performance.now() - started;
    // Assess
    console.info(`publication → static list: ${delayMs.toFixed(0)} ms`);
    expect(delayMs).toBeLessThan(10_000);
    expect(Date.now() - new Date(list.generatedAt).getTime()).toBeLessThan(60_000);
    const item = list.items.find((candidate) => candidate.id === idea.id);
    expect(item).toMatchObject({ title: idea.title, status: 'published', commune: NANTES });
    expect(JSON.stringify(list)).not.toContain(author.citizenId);
    // Act 2: withdrawal
    const withdrawn = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { status: 'withdrawn' },
    });
    expect(withdrawn.status).toBe(200);
    // Assess 2
    await eventually(async () => {
      const file = await staticList();
      return file && !file.items.some((candidate) => candidate.id === idea.id) ? true : undefined;
    }, 30_000);
  });

  it('counts one support per citizen, idempotently, concurrently, without a lost update', async () => {
    // Prepare: this edition has supports off; a test-only config turns them on for the use case
    const enabled: EditionStore = {
      get: async () => ({ ...(await editions.get()), supports: { enabled: true } }),
    };
    const deps = { editions: enabled, ideas, supports, now: () => new Date() };
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    expect(
      (
        await api(stack, 'POST', `${editionPath}/staff/ideas/${idea.id}/moderation`, {
          token: moderator,
          body: { action: 'publish' },
        })
      ).status,
    ).toBe(200);
    const first = await factory.create('nantes');
    // Act 1: twice the same support
    const once = await setSupport(deps, { ideaId: idea.id, citizenId: first.citizenId, supported: true });
    const twice = await setSupport(deps, { ideaId: idea.id, citizenId: first.citizenId, supported: true });
    // Assess 1
    expect(once).toEqual({ supported: true, supportsCount: 1 });
    expect(twice).toEqual({ supported: true, supportsCount: 1 });
    // Act 2: 30 others at once, then the first withdraws (twice)
    await Promise.all(
      Array.from({ length: 30 }, () =>
        setSupport(deps, { ideaId: idea.id, citizenId: randomUUID(), supported: true }),
      ),
    );
    await setSupport(deps, { ideaId: idea.id, citizenId: first.citizenId, supported: false });
    const after = await setSupport(deps, { ideaId: idea.id, citizenId: first.citizenId, supported: false });
    // Assess 2
    expect(after).toEqual({ supported: false, supportsCount: 30 });
    expect((await supports.counts()).get(idea.id)).toBe(30);
    // The static list carries the count when the edition has supports
    const dir = await mkdtemp(join(tmpdir(), 'bp-site-'));
    try {
      await publishPublicList({
        ...deps,
        edition: stack.edition,
        site: directorySiteWriter(dir),
      });
      const file = JSON.parse(await readFile(join(dir, 'data', 'ideas.json'), 'utf8')) as PublicIdeasFile;
      expect(file.items.find((item) => item.id === idea.id)?.supportsCount).toBe(30);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a support with a French reason while the edition has supports off', async () => {
    const citizen = await factory.create('nantes');
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    await api(stack, 'POST', `${editionPath}/staff/ideas/${idea.id}/moderation`, {
      token: moderator,
      body: { action: 'publish' },
    });
    const response = await api(stack, 'PUT', `${editionPath}/ideas/${idea.id}/support`, {
      token: citizen.token,
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.code).toBe('supports_disabled');
    expect(response.body.detail).toMatch(/ne propose pas de soutenir/);
    expect((await api(stack, 'PUT', `${editionPath}/ideas/${idea.id}/support`)).status, 'anonymous').toBe(
      401,
    );
  });

  it('lets a held identity (probable duplicate under review) propose an idea', async () => {
    const held = await factory.create('nantes', { status: 'held' });
    const idea = await submitted(held);
    const mine = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: held.token });
    expect(mine.body.items.map((item: { id: string }) => item.id)).toEqual([idea.id]);
  });
});
