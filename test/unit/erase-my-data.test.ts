import { describe, expect, it } from 'vitest';
import type { Identity, IdentityRepository } from '../../functions/identity/identity-repository.ts';
import { keyedHash } from '../../functions/identity/keyed-hash.ts';
import { eraseMyData } from '../../functions/identity/my-data.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';

const identity: Identity = {
  citizenId: 'c-1',
  emailKey: 'ek',
  email: 'anne@exemple.fr',
  firstName: 'Anne',
  lastName: 'Martin',
  birthDate: '1980-01-02',
  commune: '44109',
  territory: 'nantes',
  workOrStudy: false,
  fingerprint: 'fp',
  status: 'verified',
  channel: 'email',
  createdAt: '2026-01-01T00:00:00.000Z',
  published: true,
};

function fakes(failPublish = false) {
  const items = new Map<string, Identity>([[identity.citizenId, { ...identity }]]);
  const seenAtPublish: (Identity | undefined)[] = [];
  const published: unknown[] = [];
  const identities = {
    get: async (id: string) => items.get(id),
    erase: async (id: string, at: Date) => {
      const found = items.get(id);
      if (found)
        items.set(id, {
          ...found,
          email: '',
          firstName: '',
          lastName: '',
          birthDate: '',
          erasedAt: at.toISOString(),
        });
    },
    eraseAs: async (id: string, to: string) => {
      const found = items.get(id);
      if (!found) return false;
      items.delete(id);
      items.set(to, { ...found, citizenId: to });
      return true;
    },
  } as unknown as IdentityRepository;
  const events: EventPublisher = {
    async publish(_contract, detail) {
      seenAtPublish.push(items.get('c-1'));
      if (failPublish) throw new Error('bus down');
      published.push(detail);
    },
  };
  const hash = keyedHash('k', 'essai');
  const deps = {
    identities,
    events,
    keys: async () => ({ hash }),
    now: () => new Date('2026-06-01T10:00:00Z'),
  };
  return { deps, items, seenAtPublish, published, hash };
}

describe('erasure of my data', () => {
  it('marks the identity erased before the event goes out, so no ballot can slip in while consumers run', async () => {
    const { deps, seenAtPublish, items, published, hash } = fakes();
    await eraseMyData(deps, 'essai', 'c-1');
    expect(seenAtPublish[0]?.erasedAt).toEqual(expect.any(String));
    expect(seenAtPublish[0]?.firstName).toBe('');
    expect(published).toEqual([
      expect.objectContaining({ citizenId: 'c-1', erasedAs: hash.erasedId('c-1'), edition: 'essai' }),
    ]);
    expect(items.has('c-1')).toBe(false);
    expect(items.get(hash.erasedId('c-1'))?.erasedAt).toEqual(expect.any(String));
  });

  it('files the erased identity under the same id on a retry, and never under the former one', async () => {
    const { deps, items, hash } = fakes(true);
    await expect(eraseMyData(deps, 'essai', 'c-1')).rejects.toThrow('bus down');
    // Nothing moved yet, but nothing personal left and no vote possible (erasedAt).
    expect(items.get('c-1')).toMatchObject({ email: '', erasedAt: expect.any(String) });
    expect(hash.erasedId('c-1')).toBe(hash.erasedId('c-1'));
    expect(hash.erasedId('c-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(hash.erasedId('c-1')).not.toBe(hash.erasedId('c-2'));
  });
});
