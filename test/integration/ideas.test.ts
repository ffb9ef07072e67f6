import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readMailbox } from '../../local/ses.ts';
import { api, eventually, movePhase, staffToken, waitForBus } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
afterAll(() => factory.close());

/** Nantes (44109) is in the `nantes` territory; Saint-Nazaire (44184) is not. */
const NANTES = '44109';
const SAINT_NAZAIRE = '44184';

const busIdle = () => waitForBus(stack);

const setPhase = (admin: string, to: string) =>
  movePhase(stack, admin, to, `Essai des idées : passage en ${to}`);

const tag = () => randomUUID().slice(0, 6);

function ideaBody(overrides: Record<string, unknown> = {}) {
  return {
    title: `Des bancs au square ${tag()}`,
    description: 'Installer six bancs ombragés au square pour que les anciens puissent s’y reposer.',
    theme: 'solidarites',
    territory: 'nantes',
    commune: NANTES,
    estimatedCost: 12_000,
    proposer: { kind: 'individual' },
    ...overrides,
  };
}

const submit = (citizen: SeededCitizen, body: unknown, key: string = randomUUID()) =>
  api(stack, 'POST', `${editionPath}/ideas`, {
    token: citizen.token,
    body,
    headers: { 'idempotency-key': key },
  });

async function submitted(citizen: SeededCitizen, overrides: Record<string, unknown> = {}) {
  const response = await submit(citizen, ideaBody(overrides));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; title: string; status: string };
}

const moderate = (token: string, ideaId: string, body: unknown) =>
  api(stack, 'POST', `${editionPath}/staff/ideas/${ideaId}/moderation`, { token, body });

/** The emails sent to `to` whose subject contains `fragment`, once they are there. */
async function mailsTo(to: string, fragment: string, count = 1) {
  return eventually(async () => {
    const mails = (await readMailbox(stack.mailboxUrl)).filter(
      (mail) => mail.destination.to.includes(to) && mail.subject.includes(fragment),
    );
    return mails.length >= count ? mails : undefined;
  }, 15_000);
}

const publicList = (query: string) => api(stack, 'GET', `${editionPath}/ideas?${query}`);

describe('ideas: citizens propose, moderators publish, everyone browses', () => {
  let admin: string;
  let moderator: string;

  beforeAll(async () => {
    admin = await staffToken(stack, 'admin');
    moderator = await staffToken(stack, 'moderator');
  });

  it('refuses a submission when the clock is past the call for ideas, then accepts it once an admin extends it', async () => {
    // Prepare: the stored phase is `ideas`, but the test stack runs on the real date, after the demo's 2023 close.
    await setPhase(admin, 'ideas');
    const citizen = await factory.create('nantes');
    // Act 1
    const late = await submit(citizen, ideaBody());
    // Assess 1
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('ideas_closed');
    expect(late.body.detail).toMatch(/clos depuis le/);
    expect((await api(stack, 'GET', `${editionPath}/ideas-window`)).body.open).toBe(false);
    // Act 2: an admin extends the call, with a reason (audited)
    const forbidden = await api(stack, 'POST', `${editionPath}/staff/ideas-window`, {
      token: moderator,
      body: { action: 'extend', until: new Date(Date.now() + 3 * 86_400_000).toISOString(), reason: 'Essai' },
    });
    expect(forbidden.status).toBe(403);
    const extended = await api(stack, 'POST', `${editionPath}/staff/ideas-window`, {
      token: admin,
      body: {
        action: 'extend',
        until: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        reason: 'Prolongation de l’appel à idées pour les essais',
      },
    });
    expect(extended.status).toBe(200);
    // Assess 2
    expect((await api(stack, 'GET', `${editionPath}/ideas-window`)).body.open).toBe(true);
    expect((await submit(citizen, ideaBody())).status).toBe(201);
  });

  it('accepts an idea of my territory, acknowledges it by email, and keeps it out of the public list until published', async () => {
    const citizen = await factory.create('nantes');
    const response = await submit(citizen, ideaBody({ title: 'Un jardin partagé à l’école Jules-Verne' }));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'submitted', territory: 'nantes', commune: NANTES });
    expect(response.body).not.toHaveProperty('authorId');
    const id = response.body.id as string;

    const [ack] = await mailsTo(citizen.email, 'bien reçu votre idée');
    expect(ack?.body.text).toContain('Un jardin partagé à l’école Jules-Verne');

    // The author sees it in any state; the public does not, yet.
    expect((await api(stack, 'GET', `${editionPath}/ideas/${id}`, { token: citizen.token })).status).toBe(
      200,
    );
    expect((await api(stack, 'GET', `${editionPath}/ideas/${id}`)).status).toBe(404);
    const mine = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: citizen.token });
    expect(mine.body.items.map((idea: { id: string }) => idea.id)).toEqual([id]);
    const queue = await api(stack, 'GET', `${editionPath}/staff/moderation`, { token: moderator });
    expect(queue.body.items.some((idea: { id: string }) => idea.id === id)).toBe(true);
    const list = await publicList(`commune=${NANTES}&pageSize=50`);
    expect(list.body.items.some((idea: { id: string }) => idea.id === id)).toBe(false);
  });

  it('gives the same idea for the same Idempotency-Key, sent 20 times at once, and refuses the key with another body', async () => {
    const citizen = await factory.create('nantes');
    const key = randomUUID();
    const body = ideaBody();
    const responses = await Promise.all(Array.from({ length: 20 }, () => submit(citizen, body, key)));
    expect(responses.every((r) => [200, 201].includes(r.status))).toBe(true);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    const mine = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: citizen.token });
    expect(mine.body.items).toHaveLength(1);
    // Another body with the same key is a client bug, not a retry.
    const reused = await submit(citizen, ideaBody({ title: 'Une tout autre idée' }), key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    // One acknowledgement, however many retries.
    await busIdle();
    expect(await mailsTo(citizen.email, 'bien reçu votre idée')).toHaveLength(1);
  });

  it.each([
    ['cost_over_cap', { estimatedCost: 50_001 }, 422, 'body.estimatedCost'],
    ['cost_under_minimum', { estimatedCost: 10 }, 422, 'body.estimatedCost'],
    ['commune_not_in_territory', { commune: SAINT_NAZAIRE }, 422, 'body.commune'],
    ['unknown_theme', { theme: 'astronautique' }, 422, 'body.theme'],
    ['territory_not_yours', { territory: 'saint-nazaire', commune: SAINT_NAZAIRE }, 403, 'body.territory'],
  ])('refuses %s with a precise French reason, storing nothing', async (code, overrides, status, field) => {
    const citizen = await factory.create('nantes');
    const response = await submit(citizen, ideaBody(overrides));
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.code).toBe(code);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(response.body.detail).toMatch(/[a-zé]/);
    const mine = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: citizen.token });
    expect(mine.body.items).toHaveLength(0);
  });

  it('accepts a Département-wide idea from a citizen of any territory', async () => {
    const citizen = await factory.create('saint-nazaire');
    const response = await submit(
      citizen,
      ideaBody({ territory: 'loire-atlantique', commune: undefined, theme: 'mobilites' }),
    );
    expect(response.status).toBe(201);
    expect(response.body.territory).toBe('loire-atlantique');
  });

  it.each([
    ['an empty title', () => ideaBody({ title: '' }), 400, 'validation_failed'],
    ['a 100 kB description', () => ideaBody({ description: 'x'.repeat(100_000) }), 413, 'payload_too_large'],
    [
      'a description over 5,000 characters',
      () => ideaBody({ description: 'é'.repeat(5001) }),
      400,
      'validation_failed',
    ],
    ['a cost given as text', () => ideaBody({ estimatedCost: '12000' }), 400, 'validation_failed'],
    ['a title given as a number', () => ideaBody({ title: 12345 }), 400, 'validation_failed'],
    [
      'an association without its name',
      () => ideaBody({ proposer: { kind: 'association' } }),
      400,
      'validation_failed',
    ],
    [
      'a location outside France',
      () => ideaBody({ location: { lat: 40.7, lng: -74 } }),
      400,
      'validation_failed',
    ],
    ['an unknown field', () => ({ ...ideaBody(), authorId: 'someone-else' }), 400, 'validation_failed'],
    ['an array body', () => [ideaBody()], 400, 'validation_failed'],
  ])('refuses %s with a 4xx problem+json', async (_name, body, status, code) => {
    const citizen = await factory.create('nantes');
    const response = await submit(citizen, body());
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.code).toBe(code);
  });

  it('requires an Idempotency-Key', async () => {
    const citizen = await factory.create('nantes');
    const response = await api(stack, 'POST', `${editionPath}/ideas`, {
      token: citizen.token,
      body: ideaBody(),
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('headers.idempotency-key');
  });

  it('stores script tags as typed and escapes them in the acknowledgement email', async () => {
    const citizen = await factory.create('nantes');
    const title = '<script>alert("x")</script> Banc & table';
    const description = 'Un banc <img src=x onerror=alert(1)> et une table de pique-nique au parc.';
    const response = await submit(citizen, ideaBody({ title, description }));
    expect(response.status).toBe(201);
    const read = await api(stack, 'GET', `${editionPath}/ideas/${response.body.id}`, {
      token: citizen.token,
    });
    expect(read.body.title).toBe(title);
    expect(read.body.description).toBe(description);
    const [ack] = await mailsTo(citizen.email, 'bien reçu votre idée');
    expect(ack?.body.text).toContain(title);
    expect(ack?.body.html).not.toContain('<script>');
    expect(ack?.body.html).toContain('&#60;script&#62;');
  });

  it('saves a draft server-side and deletes it when the idea is submitted', async () => {
    const citizen = await factory.create('nantes');
    expect((await api(stack, 'GET', `${editionPath}/me/idea-draft`, { token: citizen.token })).status).toBe(
      404,
    );
    const draft = { title: 'Début d’idée', step: 1, proposer: { kind: 'association' } };
    const saved = await api(stack, 'PUT', `${editionPath}/me/idea-draft`, {
      token: citizen.token,
      body: draft,
    });
    expect(saved.status).toBe(200);
    const read = await api(stack, 'GET', `${editionPath}/me/idea-draft`, { token: citizen.token });
    expect(read.body.draft).toEqual(draft);
    await submitted(citizen);
    expect((await api(stack, 'GET', `${editionPath}/me/idea-draft`, { token: citizen.token })).status).toBe(
      404,
    );
  });

  it('lets the author edit (back to moderation) and withdraw; nobody else', async () => {
    const author = await factory.create('nantes');
    const other = await factory.create('nantes');
    const idea = await submitted(author);
    const path = `${editionPath}/ideas/${idea.id}`;
    // Someone else cannot even see it.
    expect(
      (await api(stack, 'PATCH', path, { token: other.token, body: { title: 'Détournement' } })).status,
    ).toBe(404);
    // The author edits; a bad edit is refused field by field.
    const bad = await api(stack, 'PATCH', path, { token: author.token, body: { estimatedCost: 999_999 } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('cost_over_cap');
    const published = await moderate(moderator, idea.id, { action: 'publish' });
    expect(published.status).toBe(200);
    const edited = await api(stack, 'PATCH', path, {
      token: author.token,
      body: { title: 'Des bancs et une fontaine au square', estimatedCost: 15_000 },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      title: 'Des bancs et une fontaine au square',
      estimatedCost: 15_000,
      status: 'submitted',
    });
    expect((await api(stack, 'GET', path)).status).toBe(404);
    // Withdraw.
    const withdrawn = await api(stack, 'PATCH', path, { token: author.token, body: { status: 'withdrawn' } });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    const again = await api(stack, 'PATCH', path, {
      token: author.token,
      body: { title: 'Encore une fois' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('idea_not_editable');
    const mixed = await api(stack, 'PATCH', path, {
      token: author.token,
      body: { status: 'withdrawn', title: 'X' },
    });
    expect(mixed.status).toBe(400);
  });

  it('publishes: the idea appears in the public list by commune and accent-insensitive search, the author is told, the decision is audited', async () => {
    const author = await factory.create('nantes');
    const word = `Théâtre${tag()}`;
    const idea = await submitted(author, {
      title: `Un ${word} de verdure à l’École`,
      theme: 'culture-patrimoine',
      proposer: { kind: 'association', name: 'Les Amis du Square' },
      location: { lat: 47.2184, lng: -1.5536 },
    });
    const response = await moderate(moderator, idea.id, { action: 'publish' });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('published');
    // Public list: by commune, theme, search without accents, case-insensitive.
    const unaccented = word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    const list = await publicList(
      `commune=${NANTES}&theme=culture-patrimoine&q=${encodeURIComponent(`${unaccented} ecole`)}`,
    );
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([idea.id]);
    expect(list.body.items[0]).toMatchObject({
      proposer: { kind: 'association', name: 'Les Amis du Square' },
      authorsCount: 1,
    });
    expect(list.body.items[0]).not.toHaveProperty('authorIds');
    expect((await publicList(`commune=${SAINT_NAZAIRE}&q=${unaccented}`)).body.total).toBe(0);
    expect((await api(stack, 'GET', `${editionPath}/ideas/${idea.id}`)).status).toBe(200);
    // Email and audit.
    const [mail] = await mailsTo(author.email, 'Votre idée est publiée');
    expect(mail?.body.text).toContain(word);
    const detail = await api(stack, 'GET', `${editionPath}/staff/ideas/${idea.id}`, { token: moderator });
    const actions = detail.body.audit.map((entry: { action: string }) => entry.action);
    expect(actions).toEqual(['submit', 'publish']);
    expect(detail.body.audit[1].actor).toMatch(/^moderator:/);
    // Publishing twice is refused, not repeated.
    expect((await moderate(moderator, idea.id, { action: 'publish' })).status).toBe(409);
  });

  it('sorts and pages the public list', async () => {
    const citizen = await factory.create('vignoble');
    const marker = `Pagination${tag()}`;
    for (const cost of [3000, 1000, 2000]) {
      const idea = await submitted(citizen, {
        title: `${marker} ${cost}`,
        territory: 'vignoble',
        commune: '44002',
        estimatedCost: cost,
      });
      await moderate(moderator, idea.id, { action: 'publish' });
    }
    const page1 = await publicList(`q=${marker}&sort=cost-asc&pageSize=2&page=1`);
    const page2 = await publicList(`q=${marker}&sort=cost-asc&pageSize=2&page=2`);
    expect(page1.body).toMatchObject({ total: 3, pages: 2, page: 1 });
    expect(page1.body.items.map((i: { estimatedCost: number }) => i.estimatedCost)).toEqual([1000, 2000]);
    expect(page2.body.items.map((i: { estimatedCost: number }) => i.estimatedCost)).toEqual([3000]);
    const bad = await publicList('sort=random&pageSize=500');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'query.pageSize',
      'query.sort',
    ]);
  });

  it('asks the author for a change with the reason by email; the edited idea returns to the queue', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    const noReason = await moderate(moderator, idea.id, { action: 'request-change' });
    expect(noReason.status).toBe(400);
    const response = await moderate(moderator, idea.id, {
      action: 'request-change',
      reason: 'Précisez <b>le lieu</b> exact du square, s’il vous plaît.',
    });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('changes-requested');
    const [mail] = await mailsTo(author.email, 'modification de votre idée');
    expect(mail?.body.text).toContain('Précisez <b>le lieu</b> exact');
    expect(mail?.body.html).toContain('&#60;b&#62;le lieu');
    const edited = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { description: 'Installer six bancs ombragés au square Daviais, près de la fontaine.' },
    });
    expect(edited.body.status).toBe('submitted');
    const queue = await api(stack, 'GET', `${editionPath}/staff/moderation`, { token: moderator });
    expect(queue.body.items.some((item: { id: string }) => item.id === idea.id)).toBe(true);
  });

  it('hides an idea for a charter rule with a reason; the author is told and the public list drops it', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    await moderate(moderator, idea.id, { action: 'publish' });
    const noRule = await moderate(moderator, idea.id, { action: 'hide', reason: 'Propos injurieux' });
    expect(noRule.status).toBe(400);
    expect(noRule.body.errors[0].field).toBe('body.rule');
    const hidden = await moderate(moderator, idea.id, {
      action: 'hide',
      rule: 'disrespect',
      reason: 'La description vise nommément un voisin.',
    });
    expect(hidden.status).toBe(200);
    expect(hidden.body.status).toBe('hidden');
    expect((await api(stack, 'GET', `${editionPath}/ideas/${idea.id}`)).status).toBe(404);
    const [mail] = await mailsTo(author.email, 'Votre idée a été masquée');
    expect(mail?.body.text).toContain('Propos irrespectueux, injurieux ou discriminatoires');
    expect(mail?.body.text).toContain('La description vise nommément un voisin.');
  });

  it('merges a duplicate: every author is credited on the remaining idea, sees it in their ideas, and is told', async () => {
    const first = await factory.create('nantes');
    const second = await factory.create('nantes');
    const kept = await submitted(first, { title: `Piste cyclable rue de Rennes ${tag()}` });
    const duplicate = await submitted(second, { title: `Vélo rue de Rennes ${tag()}` });
    await moderate(moderator, kept.id, { action: 'publish' });
    expect(
      (await moderate(moderator, duplicate.id, { action: 'merge', into: duplicate.id, reason: 'Doublon' }))
        .status,
    ).toBe(400);
    expect(
      (await moderate(moderator, duplicate.id, { action: 'merge', into: 'inconnue-0000', reason: 'Doublon' }))
        .status,
    ).toBe(422);
    const merged = await moderate(moderator, duplicate.id, {
      action: 'merge',
      into: kept.id,
      reason: 'Même proposition de piste cyclable',
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ status: 'merged', mergedInto: kept.id });
    const target = await api(stack, 'GET', `${editionPath}/ideas/${kept.id}`);
    expect(target.body).toMatchObject({ authorsCount: 2, mergedFrom: [duplicate.id] });
    const secondsIdeas = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: second.token });
    expect(secondsIdeas.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [kept.id, duplicate.id].sort(),
    );
    for (const author of [first, second]) {
      const [mail] = await mailsTo(author.email, 'regroupée');
      expect(mail?.body.text).toContain('Même proposition de piste cyclable');
    }
    // A co-author credited by the merge reads the idea but does not edit it.
    const edit = await api(stack, 'PATCH', `${editionPath}/ideas/${kept.id}`, {
      token: second.token,
      body: { title: 'Ma version' },
    });
    expect(edit.status).toBe(403);
  });

  it('refuses submissions, edits and withdrawals once the phase moves on, whatever the clock', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    await setPhase(admin, 'instruction');
    const late = await submit(author, ideaBody());
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('ideas_closed');
    const edit = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { title: 'Trop tard pour modifier' },
    });
    expect(edit.status).toBe(409);
    // Withdrawing is over too: the idea now belongs to the instruction (the pages no longer offer it).
    const withdrawn = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { status: 'withdrawn' },
    });
    expect(withdrawn.status).toBe(409);
    expect(withdrawn.body.code).toBe('idea_withdrawal_closed');
    expect(withdrawn.body.detail).toMatch(
      /^L’appel à idées est clos depuis le .* : une idée ne peut plus être retirée/,
    );
    const mine = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: author.token });
    const kept = mine.body.items.find((candidate: { id: string }) => candidate.id === idea.id);
    expect(kept.status).toBe('submitted');
  });
});
