import { describe, expect, it } from 'vitest';
import type { EmailLog } from '../../functions/notifications/email-log-repository.ts';
import { makeFanoutHandler } from '../../functions/notifications/fanout-handler.ts';
import type { PublishedResults } from '../../functions/notifications/notify-results-published.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { OutgoingEmail } from '../../shared/email/mailer.ts';
import {
  RealisationMailBatchRequested,
  RealisationUpdated,
  ResultsMailBatchRequested,
  ResultsPublished,
} from '../../shared/events/catalogue.ts';
import type { EventContract } from '../../shared/events/define-event.ts';
import { createLogger } from '../../shared/logging/logger.ts';

const EDITION = 'essai';
const results: PublishedResults = {
  envelopes: [
    {
      id: 'nord',
      name: 'Nord',
      projects: [
        { id: 'p1', title: 'Jardin partagé', selected: true, explanation: 'Retenu : rang 1 (12 voix).' },
        { id: 'p2', title: 'Piste cyclable', selected: false, explanation: 'Non retenu : rang 2 (9 voix).' },
      ],
    },
  ],
};

/** The fan-out on in-memory twins: a bus that records what is published, a mailer that records what is sent. */
function fanout(
  subscribers: string[],
  options: { batchSize?: number; failOn?: string; followers?: string[] } = {},
) {
  const published: { contract: EventContract; detail: Record<string, unknown> }[] = [];
  const sent: OutgoingEmail[] = [];
  const claimed = new Set<string>();
  const log: EmailLog = {
    async claim(entry) {
      if (claimed.has(entry.key)) return 'already-sent';
      claimed.add(entry.key);
      return 'claimed';
    },
    markSent: async () => undefined,
    release: async (entry) => {
      claimed.delete(entry.key);
    },
    markSuppressed: async () => undefined,
    search: async () => ({ items: [] }),
    forgetRecipient: async () => 0,
  };
  const handler = makeFanoutHandler({
    edition: EDITION,
    editions: { get: async () => ({ id: EDITION, name: 'Budget participatif essai' }) as EditionConfig },
    logger: createLogger('mail-fanout-test'),
    log,
    mailer: {
      async send(email) {
        if (email.to === options.failOn) throw Object.assign(new Error('SES down'), { name: 'Throttling' });
        sent.push(email);
        return `m-${sent.length}`;
      },
    },
    now: () => new Date('2026-11-01T10:00:00Z'),
    siteUrl: 'https://bp.exemple.fr',
    contacts: { emailOf: async (id) => (id === 'erased' ? undefined : `${id}@exemple.fr`) },
    audience: {
      published: async (id) => (id === 'r1' ? results : undefined),
      ideasByProject: async () => new Map([['p1', ['idea-1']]]),
      authorsOf: async () => ['alice'],
      newsSubscribers: async () => subscribers,
    },
    followers: {
      followersOf: async (projectId) => (projectId === 'p1' ? (options.followers ?? []) : []),
      follows: async (citizenId, projectId) =>
        projectId === 'p1' && (options.followers ?? []).includes(citizenId),
    },
    events: {
      async publish(contract, detail) {
        const parsed = contract.detail.parse({ ...detail, version: contract.version });
        published.push({ contract, detail: parsed as Record<string, unknown> });
      },
    },
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  const envelope = (contract: EventContract, detail: Record<string, unknown>, id: string) => ({
    version: '0',
    id,
    'detail-type': contract.detailType,
    source: contract.source,
    account: '000000000000',
    time: '2026-11-01T10:00:00Z',
    region: 'eu-west-3',
    resources: [],
    detail: { ...detail, version: contract.version },
  });
  const invoke = (event: unknown) => handler(event as Record<string, unknown>, {} as never);
  return { handler, invoke, envelope, published, sent, options };
}

const publishedDetail = {
  edition: EDITION,
  resultsId: 'r1',
  publishedAt: '2026-11-01T10:00:00.000Z',
  reason: 'Vérifié',
  actor: { kind: 'staff', sub: 'admin-1', role: 'admin' },
};

describe('results mail fan-out: planned in batches, each batch its own invocation', () => {
  it('plans every author and subscriber into batches of at most the batch size, sending nothing itself', async () => {
    // Prepare: one author, 1,201 subscribers (one without an address).
    const subscribers = [...Array.from({ length: 1200 }, (_, i) => `c${i}`), 'erased'];
    const run = fanout(subscribers);
    // Act
    await run.invoke(run.envelope(ResultsPublished, publishedDetail, 'e-published'));
    // Assess
    expect(run.sent).toHaveLength(0);
    const batches = run.published.map(
      ({ detail }) => detail as { batch: number; batches: number; recipients: unknown[] },
    );
    expect(run.published.every(({ contract }) => contract === ResultsMailBatchRequested)).toBe(true);
    expect(batches.map((b) => b.recipients.length)).toEqual([500, 500, 202]);
    expect(batches.map((b) => `${b.batch}/${b.batches}`).sort()).toEqual(['1/3', '2/3', '3/3']);
    expect(batches[0]?.recipients[0]).toEqual({ citizenId: 'alice', projectId: 'p1' });
  });

  it('sends a batch once, even delivered twice, and a failed send fails the batch for its retry', async () => {
    // Prepare
    const run = fanout(['bruno', 'chloe', 'erased'], { failOn: 'chloe@exemple.fr' });
    await run.invoke(run.envelope(ResultsPublished, publishedDetail, 'e-published'));
    const [batch] = run.published;
    if (!batch) throw new Error('no batch planned');
    const event = run.envelope(ResultsMailBatchRequested, batch.detail, 'e-batch');
    // Act: the first delivery fails on chloe (the bus retries it), the retry finds SES back.
    await expect(run.invoke(event)).rejects.toThrow('SES down');
    const firstTry = run.sent.map((mail) => mail.to).sort();
    delete run.options.failOn;
    await run.invoke(event);
    await run.invoke(event);
    // Assess: what was sent before the failure is not sent again by the retry, nor by a second delivery.
    expect(firstTry).toEqual(['alice@exemple.fr', 'bruno@exemple.fr']);
    expect(run.sent.map((mail) => mail.to).sort()).toEqual([
      'alice@exemple.fr',
      'bruno@exemple.fr',
      'chloe@exemple.fr',
    ]);
    expect(run.sent.find((mail) => mail.to === 'alice@exemple.fr')?.subject).toContain('Jardin partagé');
    expect(run.sent.find((mail) => mail.to === 'chloe@exemple.fr')?.subject).toContain('sont publiés');
  });

  it('sends nothing for results that are no longer the published ones', async () => {
    const run = fanout(['bruno']);
    await run.invoke(run.envelope(ResultsPublished, { ...publishedDetail, resultsId: 'old' }, 'e-old'));
    await run.invoke(
      run.envelope(
        ResultsMailBatchRequested,
        { edition: EDITION, resultsId: 'old', batch: 1, batches: 1, recipients: [{ citizenId: 'bruno' }] },
        'e-old-batch',
      ),
    );
    expect(run.published).toHaveLength(0);
    expect(run.sent).toHaveLength(0);
  });
});

const realisationDetail = {
  edition: EDITION,
  updateId: 'p1#3',
  projectId: 'p1',
  title: 'Jardin partagé',
  status: 'travaux',
  reason: 'Les bacs arrivent en mars.',
  milestones: [{ kind: 'travaux', date: '2027-03-01', done: false }],
  updatedAt: '2027-02-01T09:00:00.000Z',
  actor: { kind: 'staff', sub: 'coord-1', role: 'coordinator' },
};

type RealisationBatch = { batch: number; batches: number; followers: string[]; updateId: string };

describe('followers mail fan-out: a winner’s followers hear of its realisation in batches', () => {
  it('plans each follower once into batches of at most the batch size, with the change and no staff actor', async () => {
    // Prepare: 1,001 distinct followers, one of them listed twice.
    const followers = [...Array.from({ length: 1001 }, (_, i) => `f${i}`), 'f7'];
    const run = fanout([], { followers });
    // Act
    await run.invoke(run.envelope(RealisationUpdated, realisationDetail, 'e-realisation'));
    // Assess
    expect(run.sent).toHaveLength(0);
    expect(run.published.every(({ contract }) => contract === RealisationMailBatchRequested)).toBe(true);
    const batches = run.published.map(({ detail }) => detail as RealisationBatch);
    expect(batches.map((b) => b.followers.length)).toEqual([500, 500, 1]);
    expect(batches.map((b) => `${b.batch}/${b.batches}`)).toEqual(['1/3', '2/3', '3/3']);
    expect(new Set(batches.flatMap((b) => b.followers)).size).toBe(1001);
    expect(batches[0]).toMatchObject({ updateId: 'p1#3', title: 'Jardin partagé', status: 'travaux' });
    expect(batches[0]).not.toHaveProperty('actor');
  });

  it('cuts the followers by the configured batch size', async () => {
    const run = fanout([], { followers: ['a', 'b', 'c', 'd', 'e'], batchSize: 2 });
    await run.invoke(run.envelope(RealisationUpdated, realisationDetail, 'e-realisation'));
    expect(run.published.map(({ detail }) => (detail as RealisationBatch).followers)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
  });

  it('publishes no batch for a project nobody follows, nor for another edition', async () => {
    const run = fanout([], { followers: ['a'] });
    await run.invoke(run.envelope(RealisationUpdated, { ...realisationDetail, projectId: 'p2' }, 'e-nobody'));
    await run.invoke(run.envelope(RealisationUpdated, { ...realisationDetail, edition: 'autre' }, 'e-other'));
    expect(run.published).toHaveLength(0);
  });

  it('sends a batch once per follower and change, skips a follower without an address, and retries a failure', async () => {
    // Prepare
    const run = fanout([], { followers: ['dora', 'erased', 'eliott'], failOn: 'eliott@exemple.fr' });
    await run.invoke(run.envelope(RealisationUpdated, realisationDetail, 'e-realisation'));
    const [batch] = run.published;
    if (!batch) throw new Error('no batch planned');
    const event = run.envelope(RealisationMailBatchRequested, batch.detail, 'e-batch');
    // Act: the first delivery fails on eliott (the bus retries it), the retry finds SES back, then a replay of
    // the whole change plans and delivers the same batch again.
    await expect(run.invoke(event)).rejects.toThrow('SES down');
    const firstTry = run.sent.map((mail) => mail.to);
    delete run.options.failOn;
    await run.invoke(event);
    await run.invoke(run.envelope(RealisationUpdated, realisationDetail, 'e-replay'));
    const replayed = run.published[1];
    if (!replayed) throw new Error('no batch planned on the replay');
    await run.invoke(run.envelope(RealisationMailBatchRequested, replayed.detail, 'e-batch-replay'));
    // Assess
    expect(firstTry).toEqual(['dora@exemple.fr']);
    expect(run.sent.map((mail) => mail.to)).toEqual(['dora@exemple.fr', 'eliott@exemple.fr']);
    expect(run.sent[0]?.subject).toBe(
      '[Budget participatif] Suivi du projet « Jardin partagé » : Travaux en cours',
    );
    expect(run.sent[0]?.text).toContain('Précision : Les bacs arrivent en mars.');
    // A later change is news again for the same followers.
    await run.invoke(
      run.envelope(RealisationMailBatchRequested, { ...batch.detail, updateId: 'p1#4' }, 'e-next-change'),
    );
    expect(run.sent).toHaveLength(4);
  });

  it('sends nothing to an id of a batch who does not follow the project, or no longer does', async () => {
    // Prepare: a batch naming dora (a follower) and mallory (who never followed p1)
    const run = fanout([], { followers: ['dora'] });
    const { actor: _actor, ...change } = realisationDetail;
    const detail = { ...change, batch: 1, batches: 1, followers: ['dora', 'mallory'] };
    // Act
    await run.invoke(run.envelope(RealisationMailBatchRequested, detail, 'e-forged'));
    // Assess
    expect(run.sent.map((mail) => mail.to)).toEqual(['dora@exemple.fr']);
  });
});
