import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, movePhase, staffToken } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
afterAll(() => factory.close());

const setPhase = (admin: string, to: string) =>
  movePhase(stack, admin, to, `Essai des photos : passage en ${to}`);

async function submitted(citizen: SeededCitizen) {
  const response = await api(stack, 'POST', `${editionPath}/ideas`, {
    token: citizen.token,
    headers: { 'idempotency-key': randomUUID() },
    body: {
      title: `Un composteur de quartier ${randomUUID().slice(0, 6)}`,
      description: 'Un composteur partagé au pied des immeubles, avec un guide composteur bénévole.',
      theme: 'solidarites',
      territory: 'nantes',
      commune: '44109',
      estimatedCost: 8_000,
      proposer: { kind: 'individual' },
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string };
}

describe('idea pictures on the local stack (no S3: pictures are not available)', () => {
  let admin: string;

  beforeAll(async () => {
    admin = await staffToken(stack, 'admin');
    await setPhase(admin, 'ideas');
    const extended = await api(stack, 'POST', `${editionPath}/staff/ideas-window`, {
      token: admin,
      body: {
        action: 'extend',
        until: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        reason: 'Prolongation pour les essais des photos',
      },
    });
    expect(extended.status).toBe(200);
  });

  it('answers a clear French refusal, not a server error, when a picture upload is asked locally', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    const response = await api(stack, 'POST', `${editionPath}/ideas/${idea.id}/pictures`, {
      token: author.token,
      body: { contentType: 'image/jpeg', size: 200_000 },
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.code).toBe('pictures_unavailable');
    expect(response.body.detail).toMatch(/pas disponible/);
  });

  it('refuses a picture too big or of another type before anything is signed', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    for (const body of [
      { contentType: 'image/jpeg', size: 6 * 1024 * 1024 },
      { contentType: 'image/svg+xml', size: 2000 },
    ]) {
      const response = await api(stack, 'POST', `${editionPath}/ideas/${idea.id}/pictures`, {
        token: author.token,
        body,
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_failed');
    }
  });

  it('only lets an author attach pictures uploaded for her idea, and not someone else', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    const other = await submitted(await factory.create('nantes'));
    const foreign = `uploads/${stack.edition}/${other.id}/${randomUUID()}.jpg`;
    const refused = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { pictures: [foreign] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('picture_not_of_this_idea');
    const own = `uploads/${stack.edition}/${idea.id}/${randomUUID()}.png`;
    const stranger = await factory.create('nantes');
    const notAuthor = await api(stack, 'POST', `${editionPath}/ideas/${idea.id}/pictures`, {
      token: stranger.token,
      body: { contentType: 'image/png', size: 1000 },
    });
    expect(notAuthor.status).toBe(404);
    const saved = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { pictures: [own] },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.pictures).toEqual([own]);
  });
});
