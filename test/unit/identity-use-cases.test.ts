import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { decideReview } from '../../functions/identity/decide-review.ts';
import { ageOn, checkEligibility } from '../../functions/identity/eligibility.ts';
import {
  eraseRetentionBatch,
  retentionDate,
  startRetention,
} from '../../functions/identity/erase-expired-data.ts';
import { makeHandler } from '../../functions/identity/handler.ts';
import type {
  Decision,
  EmailCode,
  Identity,
  IdentityRepository,
  IdentityStatus,
  Review,
  VotingCode,
} from '../../functions/identity/identity-repository.ts';
import { retentionShardOf } from '../../functions/identity/identity-repository.ts';
import { keyedHash, normalizeName } from '../../functions/identity/keyed-hash.ts';
import { openSession } from '../../functions/identity/open-session.ts';
import {
  type RateLimit,
  type RateLimiter,
  rateWindow,
  retryAfterWindow,
} from '../../functions/identity/rate-limiter.ts';
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
import { RetentionBatchRequested } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { COMMUNES } from '../../shared/identity/communes.generated.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import minimal from '../fixtures/edition-minimal.json' with { type: 'json' };

const config = EditionConfig.parse(minimal);
const liveWorkStudy = EditionConfig.parse({
  ...minimal,
  eligibility: { minimumAge: 16, residence: 'live-work-study' },
  territories: [
    { id: 'nantes', name: 'Nantes', envelope: 40000, communes: ['44109'] },
    { id: 'sud', name: 'Sud', envelope: 30000, communes: ['44143', '44150'] },
    // Ancenis-Saint-Géréon (44003) and Vair-sur-Loire (44163) share the postcode 44150.
    { id: 'est', name: 'Est', envelope: 30000, communes: ['44003', '44163'] },
  ],
});
const adult = {
  firstName: 'Camille',
  lastName: 'Le Goff',
  birthDate: '1990-05-14',
  commune: '44109',
  workOrStudy: false,
};

/** Fixed-window counters shared by the limiter twin and the repository twin (one table, as in AWS). */
type Counters = Map<string, number>;
const counterKey = (limit: RateLimit, now: Date) => `${limit.bucket}#${rateWindow(limit, now).start}`;

/**
 * In-memory twin of the DynamoDB repository, with the same conditions. Each method checks and writes with
 * no `await` in between, as one DynamoDB conditional write or transaction is atomic.
 */
function memoryIdentities(counters: Counters): IdentityRepository & {
  identities: Map<string, Identity>;
  reviews: Map<string, Review>;
  votingCodes: Map<string, VotingCode>;
  codes: Map<string, EmailCode>;
} {
  const codes = new Map<string, EmailCode>();
  const emails = new Map<string, string>();
  const identities = new Map<string, Identity>();
  const reviews = new Map<string, Review>();
  const votingCodes = new Map<string, VotingCode>();
  const matches = new Map<string, { n: number; citizenIds: string[] }>();
  const claims = new Map<string, string>();
  return {
    identities,
    reviews,
    votingCodes,
    codes,
    getCode: async (key) => codes.get(key),
    issueCode: async (code, { cooldownSeconds, quotas }) => {
      const now = new Date(code.issuedAt);
      const previous = codes.get(code.emailKey);
      const replaceable =
        !previous ||
        previous.consumedBy !== undefined ||
        (code.requestKey !== undefined && previous.requestKey === code.requestKey && !previous.sent);
      const wait = replaceable ? 0 : Date.parse(previous.issuedAt) + cooldownSeconds * 1000 - now.getTime();
      if (wait > 0)
        return { issued: false, refusedBy: 'cooldown', retryAfter: Math.ceil(wait / 1000), previous };
      const full = quotas.find((quota) => (counters.get(counterKey(quota, now)) ?? 0) >= quota.limit);
      if (full)
        return { issued: false, refusedBy: 'quota', quota: full, retryAfter: retryAfterWindow(full, now) };
      for (const quota of quotas)
        counters.set(counterKey(quota, now), (counters.get(counterKey(quota, now)) ?? 0) + 1);
      codes.set(code.emailKey, { ...code });
      return { issued: true };
    },
    takeAttempt: async (key, issuedAt, max) => {
      const code = codes.get(key);
      if (!code || code.issuedAt !== issuedAt) return 'gone';
      if (code.attempts >= max) return 'burned';
      code.attempts += 1;
      return code.attempts;
    },
    markSent: async (key, issuedAt) => {
      const code = codes.get(key);
      if (code?.issuedAt === issuedAt) code.sent = true;
    },
    releaseAttempt: async (key, issuedAt) => {
      const code = codes.get(key);
      if (code && code.issuedAt === issuedAt && code.attempts > 0) code.attempts -= 1;
    },
    consumeCode: async (key, issuedAt, requestKey) => {
      const code = codes.get(key);
      if (code?.issuedAt !== issuedAt || (code.consumedBy ?? requestKey) !== requestKey) return false;
      code.consumedBy = requestKey;
      return true;
    },
    findByEmail: async (key) => identities.get(emails.get(key) ?? ''),
    get: async (id) => identities.get(id),
    findMatches: async (keys) => ({
      citizenIds: [...new Set(keys.flatMap((key) => matches.get(key)?.citizenIds ?? []))],
      seen: Object.fromEntries(keys.map((key) => [key, matches.get(key)?.n ?? 0])),
    }),
    create: async (identity, review, { seen = {}, votingCode } = {}) => {
      if (identity.emailKey !== undefined && emails.has(identity.emailKey)) return 'email-taken';
      const keys = identity.matchKeys ?? [];
      if (keys.some((key) => (matches.get(key)?.n ?? 0) !== (seen[key] ?? 0))) return 'matches-changed';
      if (identity.emailKey !== undefined) emails.set(identity.emailKey, identity.citizenId);
      for (const key of keys) {
        const entry = matches.get(key) ?? { n: 0, citizenIds: [] };
        matches.set(key, { n: entry.n + 1, citizenIds: [...entry.citizenIds, identity.citizenId] });
      }
      identities.set(identity.citizenId, identity);
      if (review) reviews.set(review.reviewId, review);
      if (votingCode) votingCodes.set(votingCode.codeHash, votingCode);
      return 'created';
    },
    getVotingCode: async (hash) => votingCodes.get(hash),
    listUnerased: async (shard, { after, limit }) => {
      const ids = [...identities.values()]
        .filter((identity) => !identity.erasedAt && retentionShardOf(identity.citizenId) === shard)
        .map((identity) => identity.citizenId)
        .filter((id) => after === undefined || id > after)
        .sort();
      return { citizenIds: ids.slice(0, limit), more: ids.length > limit };
    },
    claimRetentionBatch: async ({ run, shard, batch, eventId }) => {
      const key = `${run}#${shard}#${batch}`;
      const holder = claims.get(key) ?? eventId;
      claims.set(key, holder);
      return holder === eventId;
    },
    markPublished: async (id) => {
      const identity = identities.get(id);
      if (identity) identity.published = true;
    },
    erase: async (id, at) => {
      const identity = identities.get(id);
      if (!identity || identity.erasedAt) return false;
      const blank = { email: '', firstName: '', lastName: '', birthDate: '', commune: '' };
      identities.set(id, { ...identity, ...blank, erasedAt: at.toISOString() });
      return true;
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

/** Counts every hit, refused or not, as the DynamoDB limiter does. */
function memoryLimiter(counters: Counters): RateLimiter {
  return {
    async hit(limit, now) {
      const key = counterKey(limit, now);
      const count = (counters.get(key) ?? 0) + 1;
      counters.set(key, count);
      return count <= limit.limit
        ? { allowed: true }
        : { allowed: false, retryAfter: retryAfterWindow(limit, now) };
    },
  };
}

async function world(start = new Date('2027-01-10T10:00:00Z')) {
  let now = start;
  let ids = 0;
  const sent: OutgoingEmail[] = [];
  const published: { type: string; detail: unknown }[] = [];
  const counters: Counters = new Map();
  const identities = memoryIdentities(counters);
  const events: EventPublisher = {
    publish: async (contract, detail) => void published.push({ type: contract.detailType, detail }),
  };
  const deps = {
    edition: config.id,
    identities,
    limiter: memoryLimiter(counters),
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

  it('answers the retry of a code request once its email went out, without a second email', async () => {
    const { deps, sent, advance } = await world();
    const input = {
      email: 'a@exemple.fr',
      clientAddress: '192.0.2.1',
      requestKey: 'code-request-0123456789ab',
    };
    const first = await requestCode(deps, config, input);
    advance(5_000);
    const retried = await requestCode(deps, config, input);
    expect(retried.expiresAt).toBe(first.expiresAt);
    expect(retried.resendAfterSeconds).toBe(55);
    expect(sent).toHaveLength(1);
    // Another request (another key, or none) is held by the cooldown as before.
    expect(
      await refusal(requestCode(deps, config, { ...input, requestKey: 'another-request-0123456789' })),
    ).toMatchObject({ code: 'code_cooldown' });
    expect(await refusal(requestCode(deps, config, { ...input, requestKey: undefined }))).toMatchObject({
      code: 'code_cooldown',
    });
    expect(sent).toHaveLength(1);
  });

  it('sends a new code at once on the retry of a request whose email did not go out', async () => {
    const { deps, sent, advance } = await world();
    const input = {
      email: 'a@exemple.fr',
      clientAddress: '192.0.2.1',
      requestKey: 'code-request-0123456789ab',
    };
    const send = deps.mailer.send;
    deps.mailer.send = async () => {
      deps.mailer.send = send;
      throw new Error('SES throttled');
    };
    expect(await refusal(requestCode(deps, config, input))).toMatchObject({
      status: 503,
      code: 'code_not_sent',
    });
    advance(2_000);
    await requestCode(deps, config, input);
    expect(sent).toHaveLength(1);
    // Someone else's request in the meantime (no key) would still have met the cooldown.
    expect(await refusal(requestCode(deps, config, { ...input, requestKey: undefined }))).toMatchObject({
      code: 'code_cooldown',
    });
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
      openSession(deps, config, {
        email: 'a@exemple.fr',
        code: '123456',
        profile: adult,
        clientAddress: '192.0.2.1',
      }),
    );
    expect(error).toMatchObject({ status: 409, code: 'code_expired' });
  });

  it('opens the session on the retry of a request that failed after using the code, and for it only', async () => {
    const { deps, identities } = await world();
    await requestCode(deps, config, { email: 'a@exemple.fr', clientAddress: '192.0.2.1' });
    const input = {
      email: 'a@exemple.fr',
      code: '123456',
      profile: adult,
      clientAddress: '192.0.2.1',
      requestKey: 'retry-key-0123456789abcdef',
    };
    // The table times out while the identity is written, after the code was used.
    const create = identities.create;
    identities.create = async () => {
      identities.create = create;
      throw new Error('DynamoDB timed out');
    };
    await expect(openSession(deps, config, input)).rejects.toThrow('timed out');

    expect(
      await refusal(openSession(deps, config, { ...input, requestKey: 'another-key-0123456789abc' })),
    ).toMatchObject({ status: 409, code: 'code_expired' });
    expect(await refusal(openSession(deps, config, { ...input, requestKey: undefined }))).toMatchObject({
      code: 'code_expired',
    });
    const session = await openSession(deps, config, input);
    expect(session.citizen).toMatchObject({ created: true, status: 'verified' });
  });

  it('signs a token with the citizen id, territory and role, and no personal data', async () => {
    const { deps, published } = await world();
    await requestCode(deps, config, { email: 'a@exemple.fr', clientAddress: '192.0.2.1' });
    const session = await openSession(deps, config, {
      email: 'a@exemple.fr',
      code: '123456',
      profile: adult,
      clientAddress: '192.0.2.1',
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
      return openSession(deps, config, { email, code: '123456', profile, clientAddress: '192.0.2.1' });
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
    // Prepare: the premise of the test, checked rather than assumed.
    expect(COMMUNES['44003']?.[1]).toContain('44150');
    expect(COMMUNES['44163']?.[1]).toContain('44150');
    // Act, Assess: both communes are named, so that the person can pick theirs.
    expect(() =>
      checkEligibility(liveWorkStudy, { ...adult, commune: undefined, postcode: '44150' }, '2027-01-01'),
    ).toThrow(
      expect.objectContaining({
        code: 'commune_ambiguous',
        status: 422,
        detail: expect.stringMatching(
          /Ancenis-Saint-Géréon.*Vair-sur-Loire|Vair-sur-Loire.*Ancenis-Saint-Géréon/,
        ),
      }),
    );
    // A postcode of one commune only is not ambiguous.
    expect(
      checkEligibility(liveWorkStudy, { ...adult, commune: undefined, postcode: '44000' }, '2027-01-01')
        .territory,
    ).toBe('nantes');
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
  it('normalises names for same-person keys: case, accents, ligatures, hyphens, spaces and apostrophes', () => {
    expect(normalizeName("  Jean-François D'Arc ")).toBe(normalizeName('jean francois darc'));
    expect(normalizeName('Lætitia Cœur')).toBe(normalizeName('LAETITIA COEUR'));
    const hash = keyedHash('k', 'e');
    const person = { firstName: 'Élise', lastName: 'Le Bihan', birthDate: '1980-01-01' };
    expect(hash.personKeys(person)).toEqual(
      hash.personKeys({ ...person, firstName: 'ELISE', lastName: 'le-bihan' }),
    );
    expect(hash.personKeys(person)).not.toEqual(keyedHash('other', 'e').personKeys(person));
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

/**
 * Runs a retention occurrence as the bus would: the schedule's run, then every batch it asks for (and the
 * batches those ask for), each with its own event id. The batch requests, in order.
 */
async function runRetention(
  { deps, published }: Awaited<ReturnType<typeof world>>,
  at: Date,
  batchSize?: number,
) {
  const from = published.length;
  const started = await startRetention(deps, config, { at, ...(batchSize ? { batchSize } : {}) });
  const results = [];
  for (let i = from; i < published.length; i++) {
    const event = published[i];
    if (event?.type !== 'RetentionBatchRequested') continue;
    const detail = RetentionBatchRequested.detail.parse({ ...(event.detail as object), version: 1 });
    results.push({
      detail,
      result: await eraseRetentionBatch(deps, config, { ...detail, eventId: `event-${i}` }),
    });
  }
  return { started, batches: results };
}

describe('personal-data retention', () => {
  it('erases nothing before resultsAt + personalDataRetentionDays, everything after, and is idempotent', async () => {
    // Prepare: one online identity, one in-person.
    const w = await world();
    const { deps, identities, advance } = w;
    await requestCode(deps, config, { email: 'a@exemple.fr', clientAddress: '192.0.2.1' });
    const online = await openSession(deps, config, {
      email: 'a@exemple.fr',
      code: '123456',
      profile: adult,
      clientAddress: '192.0.2.1',
    });
    const onSite = await registerInPerson(deps, config, {
      profile: { ...adult, firstName: 'Yann' },
      staffSub: 's',
    });
    const due = retentionDate(config);
    expect(due.toISOString()).toBe('2028-07-08T16:00:00.000Z'); // 2027-07-09 18:00 Paris + 365 days
    // Act 1: one minute before
    advance(due.getTime() - 60_000 - deps.now().getTime());
    expect(await runRetention(w, deps.now())).toEqual({ started: { due: false, shards: 0 }, batches: [] });
    expect(identities.identities.get(online.citizen.id)?.firstName).toBe('Camille');
    // Act 2: the retention date has passed
    advance(60_000);
    const run = await runRetention(w, deps.now());
    expect(run.batches.reduce((sum, { result }) => sum + result.erased, 0)).toBe(2);
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
    expect(await runRetention(w, deps.now())).toEqual({ started: { due: true, shards: 0 }, batches: [] });
  });

  it('erases identities beyond one page in bounded batches, and a replayed batch changes nothing', async () => {
    // Prepare: 60 identities, pages of 3.
    const w = await world();
    const { deps, identities } = w;
    for (let i = 0; i < 60; i++) {
      const citizenId = `citizen-${String(i).padStart(3, '0')}`;
      await identities.create(
        {
          citizenId,
          email: `p${i}@exemple.fr`,
          firstName: 'Prénom',
          lastName: `Nom ${i}`,
          birthDate: '1990-01-01',
          commune: '44109',
          territory: 'nantes',
          workOrStudy: false,
          fingerprint: `f-${i}`,
          status: 'verified',
          channel: 'email',
          createdAt: '2027-01-10T10:00:00.000Z',
          published: true,
        },
        undefined,
      );
    }
    const at = new Date(retentionDate(config).getTime() + 3600_000);
    w.advance(at.getTime() + 60_000 - deps.now().getTime());

    // Act
    const run = await runRetention(w, at, 3);

    // Assess: all erased, no batch above its size, some shard needed several batches.
    expect([...identities.identities.values()].filter((identity) => !identity.erasedAt)).toEqual([]);
    expect(run.batches.reduce((sum, { result }) => sum + result.erased, 0)).toBe(60);
    expect(Math.max(...run.batches.map(({ result }) => result.erased + result.skipped))).toBeLessThanOrEqual(
      3,
    );
    expect(Math.max(...run.batches.map(({ detail }) => detail.batch))).toBeGreaterThan(1);

    // Act: every batch delivered again (new event ids), and the same day's run again.
    const before = JSON.stringify([...identities.identities.values()]);
    const replays = [];
    for (const [i, { detail }] of run.batches.entries()) {
      replays.push(await eraseRetentionBatch(deps, config, { ...detail, eventId: `replay-${i}` }));
    }
    const again = await runRetention(w, at, 3);

    // Assess: nothing erased twice, no new chain, nothing changed.
    expect(replays.every((result) => result.outcome === 'replayed' && result.erased === 0)).toBe(true);
    expect(again.batches).toEqual([]);
    expect(JSON.stringify([...identities.identities.values()])).toBe(before);
  });

  it('erases nothing for a batch request before the retention date, whatever run date the request claims', async () => {
    // Prepare: one identity; the clock one hour before the retention date.
    const w = await world();
    await w.identities.create(
      {
        citizenId: 'c-early',
        email: 'x@exemple.fr',
        firstName: 'Anne',
        lastName: 'Tôt',
        birthDate: '1990-01-01',
        commune: '44109',
        territory: 'nantes',
        workOrStudy: false,
        fingerprint: 'f',
        status: 'verified',
        channel: 'email',
        createdAt: '2027-01-10T10:00:00.000Z',
        published: true,
      },
      undefined,
    );
    const due = retentionDate(config).getTime();
    w.advance(due - 3600_000 - w.deps.now().getTime());
    const request = (erasedAt: number, eventId: string) =>
      eraseRetentionBatch(w.deps, config, {
        version: 1,
        edition: config.id,
        erasedAt: new Date(erasedAt).toISOString(),
        shard: retentionShardOf('c-early'),
        batch: 1,
        batchSize: 10,
        eventId,
      });

    // Act: a run stamped before the date, and one forged with a later date, both before the date.
    const early = await request(due - 1000, 'early');
    const forged = await request(due + 86_400_000, 'forged');

    // Assess
    expect([early.outcome, forged.outcome]).toEqual(['not-due', 'not-due']);
    expect(w.identities.identities.get('c-early')?.firstName).toBe('Anne');
    expect(w.published).toEqual([]);
  });
});

describe('one person, one identity, whatever they declare', () => {
  it('holds a second identity of the same person declared in another commune and territory, from an alias of the same mailbox', async () => {
    // Prepare
    const { deps, identities } = await world();
    const signInTo = async (email: string, profile: typeof adult) => {
      await requestCode(deps, liveWorkStudy, { email, clientAddress: '192.0.2.1' });
      return openSession(deps, liveWorkStudy, { email, code: '123456', profile, clientAddress: '192.0.2.1' });
    };
    const first = await signInTo('camille+vote@exemple.fr', adult);
    // Act
    const second = await signInTo('Camille+bis@Exemple.fr', { ...adult, commune: '44143' });
    // Assess
    expect([first.citizen.status, second.citizen.status]).toEqual(['verified', 'held']);
    expect(second.citizen.territory).toBe('sud');
    expect([...identities.reviews.values()][0]).toMatchObject({
      heldCitizenId: second.citizen.id,
      otherCitizenIds: [first.citizen.id],
    });
  });

  it('gives one person the same keys whatever the writing of the names, and two people different ones', () => {
    const hash = keyedHash('k', 'e');
    const person = { firstName: 'Jean-Pierre', lastName: "N'Diaye", birthDate: '1975-02-01' };
    const shares = (other: typeof person) =>
      hash.personKeys(other).some((key) => hash.personKeys(person).includes(key));
    // Compound first name written whole, split, or in part; accents, case, hyphens, apostrophes; swapped.
    for (const same of [
      { firstName: 'JEAN PIERRE', lastName: 'ndiaye' },
      { firstName: 'Jéan', lastName: 'N Diaye' },
      { firstName: 'pierre', lastName: "N'DIAYE" },
      { firstName: "N'Diaye", lastName: 'Jean-Pierre' },
    ])
      expect(shares({ ...person, ...same }), JSON.stringify(same)).toBe(true);
    // Another first name, last name or birth date: another person.
    for (const other of [
      { firstName: 'Jeanne' },
      { lastName: 'Diallo' },
      { birthDate: '1975-02-02' },
      { firstName: 'Jo' },
    ])
      expect(shares({ ...person, ...other }), JSON.stringify(other)).toBe(false);
  });

  it('keys one mailbox whatever its +tag, case or Gmail dots, and keeps the address as typed for sending', async () => {
    const hash = keyedHash('k', 'e');
    expect(hash.mailboxKey('Lea.Martin+1@Exemple.fr')).toBe(hash.mailboxKey('lea.martin@exemple.fr'));
    expect(hash.mailboxKey('l.e.a+x@googlemail.com')).toBe(hash.mailboxKey('lea@gmail.com'));
    expect(hash.mailboxKey('lea.martin@exemple.fr')).not.toBe(hash.mailboxKey('leamartin@exemple.fr'));
    const { deps, sent } = await world();
    await requestCode(deps, config, { email: 'lea+vote@exemple.fr', clientAddress: '192.0.2.1' });
    expect(sent[0]?.to).toBe('lea+vote@exemple.fr');
  });
});

describe('nobody can lock someone else out', () => {
  it('makes a lock-out cost more requests, from more addresses, than the victim needs', async () => {
    // Prepare
    const { deps, advance } = await world(new Date('2027-01-10T10:00:00Z'));
    const victim = 'victime@exemple.fr';
    const ask = (clientAddress: string) => requestCode(deps, config, { email: victim, clientAddress });
    const sentBy = async (clientAddress: string) => {
      let sent = 0;
      for (;;) {
        try {
          await ask(clientAddress);
          sent += 1;
        } catch (error) {
          // Refusals inside the cooldown are free: wait it out; past the quota, stop.
          if ((error as DomainError).code !== 'code_cooldown') return { sent, refusal: error as DomainError };
        }
        advance(61_000);
      }
    };

    // Act 1: one attacker address asks as often as it can.
    const first = await sentBy('203.0.113.1');
    // Assess 1: five codes, then refused; the victim, from their own address, still gets one.
    expect(first).toMatchObject({ sent: 5, refusal: { code: 'rate_limited_email', status: 429 } });
    await expect(ask('192.0.2.50')).resolves.toBeDefined();
    advance(61_000);

    // Act 2: more attacker addresses, until the address's ceiling.
    const second = await sentBy('203.0.113.2');
    const third = await sentBy('203.0.113.3');
    // Assess 2: the ceiling (12 codes an hour) took three attacker addresses and more than ten minutes.
    expect(first.sent + second.sent + third.sent + 1).toBe(DEFAULT_CODE_POLICY.perAddressPerHour);
    expect(third.refusal.code).toBe('rate_limited_email');
    expect(deps.now().getTime() - Date.parse('2027-01-10T10:00:00Z')).toBeGreaterThan(10 * 60_000);
  });

  it('limits the codes typed from one client address, not those of other addresses', async () => {
    // Prepare: codes sent to many addresses (an attacker spreading guesses over many people).
    const { deps } = await world();
    const emails = Array.from({ length: 61 }, (_, i) => `p${i}@exemple.fr`);
    for (const [i, email] of emails.entries())
      await requestCode(deps, config, { email, clientAddress: `192.0.2.${i}` });
    const guess = (email: string, clientAddress: string) =>
      openSession(deps, config, { email, code: '000000', profile: adult, clientAddress });

    // Act
    for (const email of emails.slice(0, 60))
      expect(await refusal(guess(email, '203.0.113.9'))).toMatchObject({ code: 'code_incorrect' });
    const over = await refusal(guess(emails[60] ?? '', '203.0.113.9'));

    // Assess
    expect(over).toMatchObject({ status: 429, code: 'rate_limited_client', retryAfter: 3600 });
    expect(await refusal(guess(emails[60] ?? '', '192.0.2.99'))).toMatchObject({ code: 'code_incorrect' });
  });

  it('gives back the attempt of the right code typed without the profile, so the person never burns it', async () => {
    const { deps } = await world();
    await requestCode(deps, config, { email: 'a@exemple.fr', clientAddress: '192.0.2.1' });
    const bare = { email: 'a@exemple.fr', code: '123456', clientAddress: '192.0.2.1' };
    for (let i = 0; i < DEFAULT_CODE_POLICY.maxAttempts + 1; i++)
      expect(await refusal(openSession(deps, config, bare))).toMatchObject({ code: 'profile_required' });
    await expect(openSession(deps, config, { ...bare, profile: adult })).resolves.toMatchObject({
      citizen: { created: true },
    });
  });
});

describe('the client address behind CloudFront', () => {
  const event = (
    route: 'code' | 'session',
    headers: Record<string, string>,
    body: unknown,
  ): APIGatewayProxyEventV2 => {
    const path = `/api/editions/${config.id}/identity/${route}`;
    const routeKey = `POST /api/editions/{edition}/identity/${route}`;
    return {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...headers },
      pathParameters: { edition: config.id },
      requestContext: {
        accountId: '1',
        apiId: 'a',
        domainName: 'd',
        domainPrefix: 'd',
        http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '130.176.1.1', userAgent: 'test' },
        requestId: 'r',
        routeKey,
        stage: '$default',
        time: '',
        timeEpoch: 0,
      },
      body: JSON.stringify(body),
      isBase64Encoded: false,
    };
  };

  it('trusts CloudFront-Viewer-Address only with the origin secret; anyone else is counted under the source IP', async () => {
    // Prepare
    const { deps } = await world();
    const buckets: string[] = [];
    const logger = createLogger('test');
    logger.setLogLevel('SILENT');
    const handler = makeHandler({
      ...deps,
      records: {
        drafts: async () => [],
        ideas: async () => [],
        supports: async () => [],
        follows: async () => [],
        resultsNews: async () => ({ subscribed: false }),
        emails: async () => [],
        vote: async () => ({ voted: false }),
      },
      editions: { get: async () => config },
      limiter: {
        hit: (limit, now) => {
          buckets.push(limit.bucket);
          return deps.limiter.hit(limit, now);
        },
      },
      keys: async () => ({ hash: deps.hash, signer: deps.signer, originSecret: 'edge-secret' }),
      logger,
      verifyToken: async () => {
        throw new Error('no token in these requests');
      },
    });
    const viewer = { 'cloudfront-viewer-address': '198.51.100.9:50432' };
    const call = async (route: 'code' | 'session', headers: Record<string, string>, email: string) =>
      handler(event(route, headers, { email, code: '000000' }) as never, {} as Context);

    // Act: forged without the proof, with a wrong one, then through CloudFront.
    await call('code', viewer, 'a@exemple.fr');
    await call('code', { ...viewer, 'x-bp-origin-verify': 'edge-secreT' }, 'b@exemple.fr');
    await call('code', { ...viewer, 'x-bp-origin-verify': 'edge-secret' }, 'c@exemple.fr');
    await call('session', viewer, 'a@exemple.fr');
    await call('session', { ...viewer, 'x-bp-origin-verify': 'edge-secret' }, 'c@exemple.fr');

    // Assess
    const edge = deps.hash.clientKey('130.176.1.1');
    const visitor = deps.hash.clientKey('198.51.100.9');
    expect(buckets).toEqual([
      `client#${edge}`,
      `client#${edge}`,
      `client#${visitor}`,
      `session#${edge}`,
      `session#${visitor}`,
    ]);
  });
});
