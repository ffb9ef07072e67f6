import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { checkNewPictures, looksLike } from '../../functions/ideas/check-pictures.ts';
import { Idea } from '../../functions/ideas/idea.ts';
import { withPictureUrls } from '../../functions/ideas/picture-views.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import { s3UploadPresigner, type UploadPresigner } from '../../shared/site/upload-presigner.ts';

const KEY = 'uploads/essai/idee-1/0b6f6c1e-7a53-4c2e-9d1c-8f1b2c3d4e5f';
const PNG_HEAD = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG_HEAD = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const WEBP_HEAD = new TextEncoder().encode('RIFF\u0001\u0002\u0003\u0004WEBPVP8 ');
const TEXT_HEAD = new TextEncoder().encode('Bonjour, ceci est un texte');

/** Storage that holds the given objects (key → size and first bytes) and presigns nothing real. */
function fakeStorage(objects: Record<string, { size: number; head: Uint8Array }>) {
  const inspected: string[] = [];
  const storage: UploadPresigner = {
    presignPut: async () => ({ url: 'https://put', headers: {}, expiresAt: '' }),
    presignGet: async (key) => `https://get/${key}`,
    inspect: async (key) => {
      inspected.push(key);
      return objects[key];
    },
    markAttached: async () => undefined,
  };
  return { storage, inspected };
}

async function refusal(run: Promise<unknown>): Promise<DomainError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('idea pictures', () => {
  it('recognises JPEG, PNG and WebP by their first bytes, as named by the key', () => {
    expect(looksLike(`${KEY}.png`, PNG_HEAD)).toBe(true);
    expect(looksLike(`${KEY}.jpg`, JPEG_HEAD)).toBe(true);
    expect(looksLike(`${KEY}.webp`, WEBP_HEAD)).toBe(true);
    expect(looksLike(`${KEY}.png`, TEXT_HEAD)).toBe(false);
    // A real JPEG saved under a .png key is not what was signed.
    expect(looksLike(`${KEY}.png`, JPEG_HEAD)).toBe(false);
    expect(looksLike(`${KEY}.gif`, PNG_HEAD)).toBe(false);
  });

  it('checks only pictures new to the idea, and refuses a missing, empty, oversized or fake image with field errors', async () => {
    // Prepare
    const { storage, inspected } = fakeStorage({
      [`${KEY}.png`]: { size: 2_000, head: PNG_HEAD },
      'uploads/essai/idee-1/aaaaaaaa-7a53-4c2e-9d1c-8f1b2c3d4e5f.png': { size: 2_000, head: TEXT_HEAD },
      'uploads/essai/idee-1/bbbbbbbb-7a53-4c2e-9d1c-8f1b2c3d4e5f.jpg': {
        size: 6 * 1024 * 1024,
        head: JPEG_HEAD,
      },
      'uploads/essai/idee-1/cccccccc-7a53-4c2e-9d1c-8f1b2c3d4e5f.jpg': { size: 0, head: new Uint8Array() },
    });
    const alt = 'Une photo du quartier';
    // Act + Assess: a known key is not read again; a good new one passes.
    await checkNewPictures(storage, [{ key: `${KEY}.png`, alt }], new Set([`${KEY}.png`]));
    expect(inspected).toEqual([]);
    await checkNewPictures(storage, [{ key: `${KEY}.png`, alt }], new Set());
    expect(inspected).toEqual([`${KEY}.png`]);

    const refused = await refusal(
      checkNewPictures(
        storage,
        [
          { key: `${KEY}.png`, alt },
          { key: 'uploads/essai/idee-1/aaaaaaaa-7a53-4c2e-9d1c-8f1b2c3d4e5f.png', alt },
          { key: 'uploads/essai/idee-1/bbbbbbbb-7a53-4c2e-9d1c-8f1b2c3d4e5f.jpg', alt },
          { key: 'uploads/essai/idee-1/cccccccc-7a53-4c2e-9d1c-8f1b2c3d4e5f.jpg', alt },
        ],
        new Set([`${KEY}.png`]),
      ),
    );
    expect(refused.code).toBe('picture_refused');
    expect(refused.status).toBe(422);
    expect(refused.errors).toEqual([
      { field: 'body.pictures.1.key', message: 'Ce fichier n’est pas une photo JPEG, PNG ou WebP.' },
      { field: 'body.pictures.2.key', message: expect.stringMatching(/5 Mo au plus/) },
      { field: 'body.pictures.3.key', message: expect.stringMatching(/5 Mo au plus/) },
    ]);

    const missing = await refusal(checkNewPictures(storage, [{ key: `${KEY}.webp`, alt }], new Set()));
    expect(missing.code).toBe('picture_not_received');
    expect(missing.errors).toEqual([
      { field: 'body.pictures.0.key', message: 'La photo n’a pas été reçue : envoyez-la à nouveau.' },
    ]);
  });

  it('says pictures are unavailable, rather than failing, where there is no storage', async () => {
    const refused = await refusal(
      checkNewPictures(undefined, [{ key: `${KEY}.png`, alt: 'Une photo' }], new Set()),
    );
    expect(refused.code).toBe('pictures_unavailable');
    // Removing pictures needs no storage.
    await checkNewPictures(undefined, [{ key: `${KEY}.png`, alt: 'Une photo' }], new Set([`${KEY}.png`]));
  });

  it('reads an idea item written before text alternatives as pictures with an empty one', () => {
    const idea = Idea.parse({
      ideaId: 'idee-1',
      authorId: 'c1',
      authorIds: ['c1'],
      status: 'published',
      title: 'Un titre',
      description: 'Une description',
      theme: 't',
      territory: 'nantes',
      estimatedCost: 1000,
      proposer: { kind: 'individual' },
      pictures: [`${KEY}.png`, { key: `${KEY}.jpg`, alt: 'Un banc' }],
      submittedAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:00:00.000Z',
      revision: 1,
    });
    expect(idea.pictures).toEqual([
      { key: `${KEY}.png`, alt: '' },
      { key: `${KEY}.jpg`, alt: 'Un banc' },
    ]);
  });

  it('adds a read URL to each picture when there is storage, and nothing otherwise', async () => {
    const view = { id: 'idee-1', pictures: [{ key: `${KEY}.png`, alt: 'Un banc' }] };
    expect(await withPictureUrls(view, fakeStorage({}).storage)).toEqual({
      id: 'idee-1',
      pictures: [{ key: `${KEY}.png`, alt: 'Un banc', url: `https://get/${KEY}.png` }],
    });
    expect(await withPictureUrls(view, undefined)).toEqual(view);
  });

  it('signs read URLs for 15 minutes from the start of a 5-minute slot, so a slot shares one URL', async () => {
    // Prepare
    let now = new Date('2026-03-01T10:01:10Z');
    const storage = s3UploadPresigner({
      bucket: 'bp-site-bucket',
      client: new S3Client({
        region: 'eu-west-3',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      }),
      now: () => now,
    });
    // Act
    const first = new URL(await storage.presignGet(`${KEY}.png`));
    now = new Date('2026-03-01T10:04:59Z');
    const sameSlot = new URL(await storage.presignGet(`${KEY}.png`));
    now = new Date('2026-03-01T10:05:00Z');
    const nextSlot = new URL(await storage.presignGet(`${KEY}.png`));
    // Assess
    expect(first.searchParams.get('X-Amz-Date')).toBe('20260301T100000Z');
    expect(first.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(sameSlot.href).toBe(first.href);
    expect(nextSlot.href).not.toBe(first.href);
    await expect(storage.presignGet('data/ideas.json')).rejects.toThrow(/outside uploads/);
  });

  it('signs the pending tag into an upload as a header the browser sends back, for the orphan lifecycle', async () => {
    // Prepare
    const storage = s3UploadPresigner({
      bucket: 'bp-pictures-bucket',
      client: new S3Client({
        region: 'eu-west-3',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      }),
    });
    // Act
    const upload = await storage.presignPut(`${KEY}.png`, { contentType: 'image/png', size: 1234 });
    // Assess: a header, signed, not a query parameter S3 would ignore for tagging.
    const url = new URL(upload.url);
    expect(upload.headers).toEqual({ 'content-type': 'image/png', 'x-amz-tagging': 'bp-picture=pending' });
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-type', 'content-length', 'x-amz-tagging']),
    );
    expect(url.searchParams.has('x-amz-tagging')).toBe(false);
  });
});
