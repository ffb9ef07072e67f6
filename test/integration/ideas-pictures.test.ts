import { randomUUID } from 'node:crypto';
import { GetObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, movePhase, staffToken } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { PNG_1PX, uploadPicture } from '../support/pictures.ts';
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

describe('idea pictures on the local stack (S3 emulator)', () => {
  let admin: string;
  let moderator: string;

  beforeAll(async () => {
    admin = await staffToken(stack, 'admin');
    moderator = await staffToken(stack, 'moderator');
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

  it('presigns an upload to the emulator, saves the picture with its text alternative and serves it by a read URL', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    const key = await uploadPicture(stack, author.token, idea.id, PNG_1PX, 'image/png');
    const saved = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { pictures: [{ key, alt: '  Un bac à compost en bois au pied d’un immeuble  ' }] },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.pictures).toEqual([
      { key, alt: 'Un bac à compost en bois au pied d’un immeuble', url: expect.any(String) },
    ]);
    const read = await fetch(saved.body.pictures[0].url, { signal: AbortSignal.timeout(10_000) });
    expect(read.status).toBe(200);
    expect(Buffer.from(await read.arrayBuffer()).equals(PNG_1PX)).toBe(true);
    // Kept by the pictures bucket's lifecycle, which expires uploads still tagged `pending` after a day.
    const s3 = new S3Client({
      endpoint: stack.s3Url,
      forcePathStyle: true,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: stack.picturesBucket, Key: key }));
    s3.destroy();
    expect(tags.TagSet).toEqual([{ Key: 'bp-picture', Value: 'attached' }]);
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
      expect(response.body.errors[0].field).toMatch(/^body\.(size|contentType)$/);
    }
  });

  it('refuses a picture without a text alternative, with a French field error', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    const key = await uploadPicture(stack, author.token, idea.id, PNG_1PX, 'image/png');
    for (const picture of [{ key, alt: '   ' }, { key }, key]) {
      const refused = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
        token: author.token,
        body: { pictures: [picture] },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('validation_failed');
      expect(refused.body.errors[0].field).toMatch(/^body\.pictures\.0/);
    }
    const missingAlt = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { pictures: [{ key, alt: '' }] },
    });
    expect(missingAlt.body.errors).toEqual([
      { field: 'body.pictures.0.alt', message: expect.stringMatching(/^Décrivez la photo/) },
    ]);
  });

  it('refuses, with a field error and no server error, a file that is not an image or was never uploaded', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    // Declared as a PNG (the browser takes the type from the name): the content is text.
    const text = Buffer.from('Ceci n’est pas une photo, juste un fichier texte renommé.');
    const fake = await uploadPicture(stack, author.token, idea.id, text, 'image/png');
    const refused = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { pictures: [{ key: fake, alt: 'Une photo du quartier' }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('picture_refused');
    expect(refused.body.errors).toEqual([
      { field: 'body.pictures.0.key', message: 'Ce fichier n’est pas une photo JPEG, PNG ou WebP.' },
    ]);
    const never = `uploads/${stack.edition}/${idea.id}/${randomUUID()}.jpg`;
    const missing = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { pictures: [{ key: never, alt: 'Une photo du quartier' }] },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.code).toBe('picture_not_received');
    const unchanged = await api(stack, 'GET', `${editionPath}/ideas/${idea.id}`, { token: author.token });
    expect(unchanged.body.pictures).toEqual([]);
  });

  it('only lets an author attach pictures uploaded for her idea, and not someone else', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    const other = await submitted(await factory.create('nantes'));
    const foreign = `uploads/${stack.edition}/${other.id}/${randomUUID()}.jpg`;
    const refused = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { pictures: [{ key: foreign, alt: 'Une photo du quartier' }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('picture_not_of_this_idea');
    const stranger = await factory.create('nantes');
    const notAuthor = await api(stack, 'POST', `${editionPath}/ideas/${idea.id}/pictures`, {
      token: stranger.token,
      body: { contentType: 'image/png', size: 1000 },
    });
    expect(notAuthor.status).toBe(404);
  });

  it('gives no picture URL to the public once the idea is hidden, while moderation still sees it', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    const key = await uploadPicture(stack, author.token, idea.id, PNG_1PX, 'image/png');
    const alt = 'Le terrain vague derrière la médiathèque';
    const saved = await api(stack, 'PATCH', `${editionPath}/ideas/${idea.id}`, {
      token: author.token,
      body: { pictures: [{ key, alt }] },
    });
    expect(saved.status).toBe(200);
    const moderate = (body: unknown) =>
      api(stack, 'POST', `${editionPath}/staff/ideas/${idea.id}/moderation`, { token: moderator, body });
    expect((await moderate({ action: 'publish' })).status).toBe(200);
    const visible = await api(stack, 'GET', `${editionPath}/ideas/${idea.id}`);
    expect(visible.status).toBe(200);
    expect(visible.body.pictures).toEqual([{ key, alt, url: expect.stringContaining('X-Amz-Signature=') }]);

    const hidden = await moderate({
      action: 'hide',
      rule: 'out-of-scope',
      reason: 'Hors sujet pour l’essai des photos',
    });
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(200);
    const gone = await api(stack, 'GET', `${editionPath}/ideas/${idea.id}`);
    expect(gone.status).toBe(404);
    expect(JSON.stringify(gone.body)).not.toContain(key);
    const list = await api(stack, 'GET', `${editionPath}/ideas`);
    expect(JSON.stringify(list.body)).not.toContain(key);
    const staffView = await api(stack, 'GET', `${editionPath}/staff/ideas/${idea.id}`, { token: moderator });
    expect(staffView.body.pictures).toEqual([{ key, alt, url: expect.any(String) }]);
  });

  it('lets only the site origin upload from a page (CORS on the emulator bucket)', async () => {
    const author = await factory.create('nantes');
    const idea = await submitted(author);
    const upload = await api(stack, 'POST', `${editionPath}/ideas/${idea.id}/pictures`, {
      token: author.token,
      body: { contentType: 'image/png', size: PNG_1PX.length },
    });
    expect(upload.status).toBe(201);
    const preflight = (origin: string) =>
      fetch(upload.body.uploadUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
        signal: AbortSignal.timeout(10_000),
      });
    const fromSite = await preflight(new URL(stack.siteUrl).origin);
    expect(fromSite.status).toBe(200);
    expect(fromSite.headers.get('access-control-allow-methods')).toContain('PUT');
    const fromElsewhere = await preflight('https://autre-site.example');
    expect(fromElsewhere.status).toBe(403);
  });
});
