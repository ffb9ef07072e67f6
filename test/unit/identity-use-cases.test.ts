import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMUNES } from '../../functions/identity/communes.generated.ts';
import { decideReview } from '../../functions/identity/decide-review.ts';
import { ageOn, checkEligibility } from '../../functions/identity/eligibility.ts';
import { eraseExpiredData, retentionDate } from '../../functions/identity/erase-expired-data.ts';
import type {
  Decision,
  EmailCode,
  Identity,
  IdentityRepository,
  IdentityStatus,
  Review,
  VotingCode,
} from '../../functions/identity/identity-repository.ts';
import { keyedHash, normalizeName } from '../../functions/identity/keyed-hash.ts';
import { openSession } from '../../functions/identity/open-session.ts';
import type { RateLimiter } from '../../functions/identity/rate-limiter.ts';
import {
  newVotingCode,
  registerInPerson,
  VOTING_CODE_ALPHABET,
} from '../../functions/identity/register-in-person.ts';
import { DEFAULT_CODE_POLICY, requestCode } from '../../functions/identity/request-code.ts';
import { citizenTokenSigner } from '../../functions/identity/signing-key.ts';
import { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { OutgoingEmail } from '../../shared/email/mailer.ts';
import type { DomainError } from '../../shared/errors/domain-error.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import minimal from '../fixtures/edition-minimal.json' with { type: 'json' };

const config = EditionConfig.parse(minimal);
const liveWorkStudy = EditionConfig.parse({
  ...minimal,
  eligibility: { minimumAge: 16, residence: 'live-work-study' },
  territories: [
    { id: 'nantes', name: 'Nantes', envelope: 50000, communes: ['44109'] },
    { id: 'sud', name: 'Sud', envelope: 50000, communes: ['44143', '44150'] },
  ],
});
const adult = {
  firstName: 'Camille',
  lastName: 'Le Goff',
  birthDate: '1990-05-14',
  commune: '44109',
  workOrStudy: false,
};

/** In-memory twin of the DynamoDB repository, with the same conditions. */
function memoryIdentities(): IdentityRepository & {
  identities: Map<string, Identity>;
  reviews: Map<string, Review>;
  votingCodes: Map<string, VotingCode>;
} {
  const codes = new Map<string, EmailCode>();
  const emails = new Map<string, string>();
  const identities = new Map<string, Identity>();
  const reviews = new Map<string, Review>();
  const votingCodes = new Map<string, VotingCode>();
  return {
    identities,
    reviews,
    votingCodes,
    getCode: async (key) => codes.get(key),
    putCode: async (code) => void codes.set(code.emailKey, { ...code }),
    addFailedAttempt: async (key, issuedAt) => {
      const code = codes.get(key);
      if (!code || code.issuedAt !== issuedAt) return 0;
      code.attempts += 1;
      return code.attempts;
    },
    consumeCode: async (key, issuedAt) => codes.get(key)?.issuedAt === issuedAt && codes.delete(key),
    findByEmail: async (key) => identities.get(emails.get(key) ?? ''),
    get: async (id) => identities.get(id),
    findByFingerprint: async (fp) =>
      [...identities.values()].filter((identity) => identity.fingerprint === fp),
    create: async (identity, review, votingCode) => {
      if (identity.emailKey !== undefined) {
        if (emails.has(identity.emailKey)) return 'email-taken';
        emails.set(identity.emailKey, identity.citizenId);
      }
      identities.set(identity.citizenId, identity);
      if (review) reviews.set(review.reviewId, review);
      if (votingCode) votingCodes.set(votingCode.codeHash, votingCode);
      return 'created';
    },
    getVotingCode: async (hash) => votingCodes.get(hash),
    listUnerased: async () =>
      [...identities.values()].filter((identity) => !identity.erasedAt).map((identity) => identity.citizenId),
    markPublished: async (id) => {
      const identity = identities.get(id);
      if (identity) identity.published = true;
    },
    erase: async (id, at) => {
      const identity = identities.get(id);
      if (!identity) return;
      const blank = { email: '', firstName: '', lastName: '', birthDate: '', commune: '' };
      identities.set(id, { ...identity, ...blank, erasedAt: at.toISOString() });
    },
    eraseAs: async (id, erasedAs, at) => {
      const identity = identities.get(id);
      if (!identity) return false;
      const blank = { email: '', firstName: '', lastName: '', birthDate: '', commune: '' };
      identities.delete(id);
      identities.set(erasedAs, { ...identity, ...blank, citizenId: erasedAs, erasedAt: at.toISOString() });
      if (identity.emailKey) emails.set(identity.emailKey, erasedAs);
      return true;
    },
    listReviews: async (status) => [...reviews.values()].filter((review) => review.status === status),
    getReview: async (id) => reviews.get(id),
    decide: async (review, decision: Decision, status: IdentityStatus) => {
      reviews.set(review.reviewId, {
        ...review,
        status: status === 'verified' ? 'cleared' : 'rejected',
        decision,
      });
      const held = identities.get(review.heldCitizenId);
      if (held) identities.set(held.citizenId, { ...held, status, decision });
    },
  };
}

function memoryLimiter(): RateLimiter {
  const hits = new Map<string, number>();
  return {
    async hit(limit, now) {
      const windowMs = limit.windowSeconds * 1000;
      const start = Math.floor(now.getTime() / windowMs) * windowMs;
      const key = `${limit.bucket}#${start}`;
      const count = (hits.get(key) ?? 0) + 1;
      hits.set(key, count);
      return count <= limit.limit
        ? { allowed: true }
        : { allowed: false, retryAfter: Math.ceil((start + windowMs - now.getTime()) / 1000) };
    },
  };
}

async function world(start = new Date('2027-01-10T10:00:00Z')) {
  let now = start;
  let ids = 0;
  const sent: OutgoingEmail[] = [];
  const published: { type: string; detail: unknown }[] = [];
  const identities = memoryIdentities();
  const events: EventPublisher = {
    publish: async (contract, detail) => void published.push({ type: contract.detailType, detail }),
  };
  const deps = {
    edition: config.id,
    identities,
    limiter: memoryLimiter(),
    mailer: {
      send: async (email: OutgoingEmail) => {
        sent.push(email);
        return `m-${sent.length}`;
      },
    },
    events,
    hash: keyedHash('test-key', config.id),
    signer: await citizenTokenSigner({
      seed: 'seed',
      issuer: 'https://bp.test/identity',
      edition: config.id,
    }),
    policy: DEFAULT_CODE_POLICY,
    now: () => now,
    newId: () => `id-${++ids}`,
    newCode: () => '123456',
    newVotingCode: () => 'K7QM-4XTR-9BHE',
  };
  return {
    deps,
    sent,
    published,
    identities,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
};

describe('requestCode', () => {
  it('stores only a hash of the code and mails the code in French', async () => {
    const { deps, sent, identities } = await world();
    await requestCode(deps, config, { email: 'Camille@Exemple.fr ', clientAddress: '192.0.2.1' });
    expect(sent[0]?.text).toContain('123456');
    expect(sent[0]?.subject).toContain('code de vérification');
    const stored = await identities.getCode(deps.hash.emailKey('camille@exemple.fr'));
    expect(JSON.stringify(stored)).not.toContain('123456');
  });

  it('refuses a client address past 30 codes an hour with 429 and Retry-After, until the next window', async () => {
    const { deps, advance } = await world(new Date('2027-01-10T10:30:00Z'));
    for (let i = 0; i < 30; i++)
      await requestCode(deps, config, { email: `p${i}@exemple.fr`, clientAddress: '192.0.2.7' });
    const error = await refusal(
      requestCode(deps, config, { email: 'p31@exemple.fr', clientAddress: '192.0.2.7' }),
    );
    expect(error).toMatchObject({ status: 429, code: 'rate_limited_client', retryAfter: 1800 });
    advance(1800_000);
    await expect(
      requestCode(deps, config, { email: 'p31@exemple.fr', clientAddress: '192.0.2.7' }),
    ).resolves.toBeDefined();
  });

  it('lets a code be resent after the 60-second cooldown', async () => {
    const { deps, advance } = await world();
    const input = { email: 'a@exemple.fr', clientAddress: '192.0.2.1' };
    await requestCode(deps, config, input);
    expect(await refusal(requestCode(deps, config, input))).toMatchObject({
      code: 'code_cooldown',
      retryAfter: 60,
    });
    advance(60_000);
    await expect(requestCode(deps, config, input)).resolves.toBeDefined();
  });
});

describe('openSession', () => {
  it('refuses a code ten minutes after it was sent', async () => {
    const { deps, advance } = await world();
    await requestCode(deps, config, { email: 'a@exemple.fr', clientAddress: '192.0.2.1' });
    advance(600_000);
    const error = await refusal(
      openSession(deps, config, { email: 'a@exemple.fr', code: '123456', profile: adult }),
    );
    expect(error).toMatchObject({ status: 409, code: 'code_expired' });
  });

  it('signs a token with the citizen id, territory and role, and no personal data', async () => {
    const { deps, published } = await world();
    await requestCode(deps, config, { email: 'a@exemple.fr', clientAddress: '192.0.2.1' });
    const session = await openSession(deps, config, {
      email: 'a@exemple.fr',
      code: '123456',
      profile: adult,
    });
    const claims = await deps.signer.verify(session.token);
    expect(claims).toMatchObject({
      sub: 'id-1',
      'bp:roles': ['citizen'],
      'bp:territory': 'nantes',
      aud: 'bp-citizen',
    });
    expect(JSON.stringify(claims)).not.toMatch(/Camille|exemple|1990/);
    expect(published).toEqual([
      { type: 'CitizenVerified', detail: expect.objectContaining({ citizenId: 'id-1', status: 'verified' }) },
    ]);
    expect(JSON.stringify(published)).not.toMatch(/Camille|exemple|1990/);
  });

  it('holds a second identity of the same person (names written differently) and opens a review', async () => {
    const { deps, published, identities } = await world();
    const signIn = async (email: string, profile: typeof adult) => {
      await requestCode(deps, config, { email, clientAddress: '192.0.2.1' });
      return openSession(deps, config, { email, code: '123456', profile });
    };
    const first = await signIn('a@exemple.fr', adult);
    const second = await signIn('b@exemple.fr', { ...adult, firstName: 'CAMILLE', lastName: 'le-goff' });
    expect(first.citizen.status).toBe('verified');
    expect(second.citizen.status).toBe('held');
    expect((await deps.signer.verify(second.token))['bp:status']).toBe('held');
    const [review] = [...identities.reviews.values()];
    expect(review).toMatchObject({
      status: 'open',
      heldCitizenId: second.citizen.id,
      otherCitizenIds: [first.citizen.id],
    });
    expect(published.map((event) => event.type)).toEqual([
      'CitizenVerified',
      'CitizenVerified',
      'DuplicateSuspected',
    ]);

    await decideReview(deps, {
      reviewId: review?.reviewId ?? '',
      outcome: 'clear',
      reason: 'Jumeaux homonymes',
      staffSub: 'staff-1',
    });
    expect(identities.identities.get(second.citizen.id)).toMatchObject({
      status: 'verified',
      decision: { outcome: 'clear', by: 'staff-1', reason: 'Jumeaux homonymes' },
    });
  });
});

describe('eligibility', () => {
  it('counts full years on the day the vote opens', () => {
    expect(ageOn('2011-06-01', '2027-06-01')).toBe(16);
    expect(ageOn('2011-06-02', '2027-06-01')).toBe(15);
    expect(ageOn('2008-02-29', '2027-02-28')).toBe(18);
  });

  it('accepts someone who reaches the minimum age on the vote day, refuses one day younger', () => {
    expect(checkEligibility(config, { ...adult, birthDate: '2016-06-01' }, '2027-01-01').territory).toBe(
      'nantes',
    );
    expect(() => checkEligibility(config, { ...adult, birthDate: '2016-06-02' }, '2027-01-01')).toThrow(
      expect.objectContaining({
        code: 'not_eligible_age',
        detail: expect.stringContaining('11 ans le 1 juin 2027'),
      }),
    );
  });

  it('refuses "work or study here" where the edition is for residents only', () => {
    expect(() => checkEligibility(config, { ...adult, workOrStudy: true }, '2027-01-01')).toThrow(
      expect.objectContaining({ code: 'not_eligible_residence' }),
    );
    expect(checkEligibility(liveWorkStudy, { ...adult, workOrStudy: true }, '2027-01-01').territory).toBe(
      'nantes',
    );
  });

  it('asks which commune when a postcode is shared by several communes of the edition', () => {
    const shared = Object.values(COMMUNES)
      .flatMap(([, postcodes]) => postcodes)
      .find((postcode) => ['44143', '44150'].every((code) => COMMUNES[code]?.[1].includes(postcode)));
    if (!shared) return;
    expect(() =>
      checkEligibility(liveWorkStudy, { ...adult, commune: undefined, postcode: shared }, '2027-01-01'),
    ).toThrow(expect.objectContaining({ code: 'commune_ambiguous', status: 422 }));
  });

  it('knows every commune of every edition file (regenerate communes.generated.ts otherwise)', async () => {
    // `<id>.projects.json` next to an edition is its ballot list, not an edition.
    const editionFiles = (await readdir('editions')).filter(
      (name) => name.endsWith('.json') && !name.endsWith('.projects.json'),
    );
    for (const file of editionFiles) {
      const edition = JSON.parse(await readFile(join('editions', file), 'utf8')) as EditionConfig;
      for (const territory of edition.territories)
        for (const code of territory.communes) expect(COMMUNES[code], `${file}: ${code}`).toBeDefined();
    }
  });
});

describe('keyed hashes and the signing key', () => {
  it('normalises names for fingerprints: case, accents, hyphens, spaces and apostrophes', () => {
    expect(normalizeName("  Jean-François D'Arc ")).toBe(normalizeName('jean francois darc'));
    const hash = keyedHash('k', 'e');
    const person = { firstName: 'Élise', lastName: 'Le Bihan', birthDate: '1980-01-01', commune: '44109' };
    expect(hash.fingerprint(person)).toBe(
      hash.fingerprint({ ...person, firstName: 'ELISE', lastName: 'le-bihan' }),
    );
    expect(hash.fingerprint(person)).not.toBe(keyedHash('other', 'e').fingerprint(person));
  });

  it('derives the same key from the same seed, so every instance signs what the JWKS publishes', async () => {
    const a = await citizenTokenSigner({ seed: 's', issuer: 'https://i', edition: 'e' });
    const b = await citizenTokenSigner({ seed: 's', issuer: 'https://i', edition: 'e' });
    const c = await citizenTokenSigner({ seed: 't', issuer: 'https://i', edition: 'e' });
    expect(a.jwks()).toEqual(b.jwks());
    expect(a.jwks().keys[0]?.kid).not.toBe(c.jwks().keys[0]?.kid);
    const { token } = await a.sign({ citizenId: 'c1', territory: 't', status: 'verified' }, new Date());
    await expect(b.verify(token)).resolves.toMatchObject({ sub: 'c1' });
    await expect(c.verify(token)).rejects.toThrow();
  });
});

describe('registerInPerson', () => {
  it('registers a person without email, paper/kiosk only, audited, with a hashed single voting code until the close', async () => {
    // Prepare
    const { deps, identities, published } = await world();
    // Act
    const registration = await registerInPerson(deps, config, { profile: adult, staffSub: 'coord-1' });
    // Assess
    expect(registration).toMatchObject({
      citizen: { id: 'id-1', territory: 'nantes', status: 'verified', channel: 'in-person' },
      votingCode: { code: 'K7QM-4XTR-9BHE', expiresAt: '2027-06-30T21:59:00.000Z' },
      registeredBy: 'coord-1',
      registeredAt: '2027-01-10T10:00:00.000Z',
    });
    expect(identities.identities.get('id-1')).toMatchObject({
      channel: 'in-person',
      email: '',
      registeredBy: 'coord-1',
      createdAt: '2027-01-10T10:00:00.000Z',
    });
    expect(identities.identities.get('id-1')?.emailKey).toBeUndefined();
    const [stored] = [...identities.votingCodes.values()];
    expect(stored).toMatchObject({ citizenId: 'id-1', expiresAtMs: Date.parse('2027-06-30T21:59:00Z') });
    expect(JSON.stringify(stored)).not.toContain('K7QM');
    expect(await identities.getVotingCode(deps.hash.votingCodeHash('k7qm 4xtr 9bhe'))).toEqual(stored);
    expect(published[0]).toMatchObject({ type: 'CitizenVerified', detail: { channel: 'in-person' } });
  });

  it('applies the online rules: too young is refused, a second registration of the same person is held', async () => {
    const { deps, identities } = await world();
    await expect(
      registerInPerson(deps, config, { profile: { ...adult, birthDate: '2020-01-01' }, staffSub: 's' }),
    ).rejects.toMatchObject({ code: 'not_eligible_age' });
    await registerInPerson(deps, config, { profile: adult, staffSub: 's' });
    const second = await registerInPerson(deps, config, {
      profile: { ...adult, lastName: 'LE GOFF' },
      staffSub: 's',
    });
    expect(second.citizen.status).toBe('held');
    expect([...identities.reviews.values()][0]).toMatchObject({ heldCitizenId: second.citizen.id });
  });

  it('draws 3 groups of 4 from an alphabet without 0, O, 1 or I', () => {
    const code = newVotingCode();
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(VOTING_CODE_ALPHABET).toHaveLength(32);
    expect(VOTING_CODE_ALPHABET).not.toMatch(/[01OI]/);
    expect(new Set(Array.from({ length: 50 }, () => newVotingCode())).size).toBe(50);
  });

  it('puts the channel in the token claims when a token is issued', async () => {
    const { deps } = await world();
    const { token } = await deps.signer.sign(
      { citizenId: 'c', territory: 't', status: 'verified', channel: 'in-person' },
      new Date(),
    );
    expect(await deps.signer.verify(token)).toMatchObject({ 'bp:channel': 'in-person' });
  });
});

describe('personal-data retention', () => {
  it('erases nothing before resultsAt + personalDataRetentionDays, everything after, and is idempotent', async () => {
    // Prepare: one online identity, one in-person.
    const { deps, identities, advance } = await world();
    await requestCode(deps, config, { email: 'a@exemple.fr', clientAddress: '192.0.2.1' });
    const online = await openSession(deps, config, { email: 'a@exemple.fr', code: '123456', profile: adult });
    const onSite = await registerInPerson(deps, config, {
      profile: { ...adult, firstName: 'Yann' },
      staffSub: 's',
    });
    const due = retentionDate(config);
    expect(due.toISOString()).toBe('2028-07-08T16:00:00.000Z'); // 2027-07-09 18:00 Paris + 365 days
    // Act 1: one minute before
    advance(due.getTime() - 60_000 - deps.now().getTime());
    expect(await eraseExpiredData(deps, config)).toEqual({ due: false, erased: 0 });
    expect(identities.identities.get(online.citizen.id)?.firstName).toBe('Camille');
    // Act 2: the retention date has passed
    advance(60_000);
    expect(await eraseExpiredData(deps, config)).toEqual({ due: true, erased: 2 });
    // Assess: personal data gone, ids, fingerprints, status and channel kept; a second run changes nothing.
    for (const id of [online.citizen.id, onSite.citizen.id]) {
      expect(identities.identities.get(id)).toMatchObject({
        citizenId: id,
        email: '',
        firstName: '',
        lastName: '',
        birthDate: '',
        commune: '',
        erasedAt: due.toISOString(),
        fingerprint: expect.any(String),
        status: 'verified',
      });
    }
    expect(identities.identities.get(onSite.citizen.id)?.channel).toBe('in-person');
    expect(await eraseExpiredData(deps, config)).toEqual({ due: true, erased: 0 });
  });
});
