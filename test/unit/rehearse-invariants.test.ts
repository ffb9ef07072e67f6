import { describe, expect, it } from 'vitest';
import { arrivalCurve, parisInstant } from '../../bin/rehearse/driver.ts';
import { loopbackAddress } from '../../bin/rehearse/http.ts';
import {
  ballotsMatchFiles,
  ballotsOfPabulib,
  emailsOnce,
  invariantsField,
  receiptsCheck,
  recountMatches,
  turnoutMatches,
} from '../../bin/rehearse/invariants.ts';
import { codeOf, type Mail, Mailbox } from '../../bin/rehearse/mailbox.ts';
import { quantile } from '../../bin/rehearse/metrics.ts';
import { pabulibLines } from '../../packages/counting/src/index.ts';
import { createInstance } from '../../packages/counting/src/instance.ts';

const pb = (ballots: string[][]) =>
  [
    ...pabulibLines(
      createInstance({
        budget: 100,
        projects: ['p1', 'p2', 'p3', 'p4'].map((id) => ({ id, cost: 10 })),
        ballots,
      }),
    ),
  ].join('\n');

const mail = (to: string, subject: string, text: string, id: string): Mail => ({
  messageId: id,
  destination: { to: [to] },
  subject,
  body: { text },
  at: 0,
});

describe('the rehearsal invariants', () => {
  it('holds when the published files hold exactly the accepted ballots, in any order', () => {
    const accepted = new Map([
      [
        'nantes',
        [
          ['p1', 'p2', 'p3'],
          ['p3', 'p2', 'p4'],
          ['p1', 'p2', 'p3'],
        ],
      ],
    ]);
    const files = new Map([
      [
        'nantes',
        ballotsOfPabulib(
          pb([
            ['p2', 'p3', 'p4'],
            ['p1', 'p2', 'p3'],
            ['p3', 'p1', 'p2'],
          ]),
        ),
      ],
    ]);

    const invariant = ballotsMatchFiles(accepted, files);

    expect(invariant.ok).toBe(true);
    expect(invariantsField([invariant])).toBe('invariants=ok');
  });

  it('reports a ballot missing from the files, and one the files hold that nobody cast', () => {
    const accepted = new Map([
      [
        'nantes',
        [
          ['p1', 'p2', 'p3'],
          ['p2', 'p3', 'p4'],
        ],
      ],
    ]);
    const missing = new Map([['nantes', ballotsOfPabulib(pb([['p1', 'p2', 'p3']]))]]);
    const forged = new Map([
      [
        'nantes',
        ballotsOfPabulib(
          pb([
            ['p1', 'p2', 'p3'],
            ['p2', 'p3', 'p4'],
            ['p1', 'p2', 'p4'],
          ]),
        ),
      ],
    ]);

    const lost = ballotsMatchFiles(accepted, missing);
    const added = ballotsMatchFiles(accepted, forged);

    expect(lost).toMatchObject({ ok: false, detail: 'nantes: 1 missing from the file, 0 not cast' });
    expect(added).toMatchObject({ ok: false, detail: 'nantes: 0 missing from the file, 1 not cast' });
    expect(invariantsField([receiptsCheck([{ code: 'A', counted: true }]), lost])).toBe(
      'invariants=failed:ballots-in-files',
    );
  });

  it('reports an envelope whose file is missing altogether', () => {
    const invariant = ballotsMatchFiles(new Map([['vignoble', [['p1', 'p2', 'p3']]]]), new Map());

    expect(invariant).toMatchObject({ ok: false, detail: 'vignoble: 1 missing from the file, 0 not cast' });
  });

  it('reports an email sent twice, and an expected email that did not come once', () => {
    const mails = [
      mail('a@x.fr', 'Votre code de reçu', 'ABCD', '1'),
      mail('a@x.fr', 'Votre code de reçu', 'ABCD', '2'),
      mail('b@x.fr', 'Votre code de vérification : 123456', 'code', '3'),
    ];
    const expected = new Map([
      ['a@x.fr', new Map([['code de reçu', { min: 1, max: 1 }]])],
      ['b@x.fr', new Map([['code de vérification', { min: 2, max: 2 }]])],
    ]);

    const invariant = emailsOnce(mails, expected);

    expect(invariant.ok).toBe(false);
    expect(invariant.detail).toContain('2× « Votre code de reçu » to a@x.fr');
    expect(invariant.detail).toContain('a@x.fr: 2 × « code de reçu », expected 1');
    expect(invariant.detail).toContain('b@x.fr: 1 × « code de vérification », expected 2');
  });

  it('reports a receipt that does not check, a recount that differs and a turnout counter that is off', () => {
    expect(
      receiptsCheck([
        { code: 'A', counted: true },
        { code: 'B', counted: false },
      ]).ok,
    ).toBe(false);
    expect(receiptsCheck([]).ok).toBe(false);
    expect(recountMatches([{ id: 'nantes', published: ['p1', 'p2'], recounted: ['p2', 'p1'] }]).ok).toBe(
      true,
    );
    expect(recountMatches([{ id: 'nantes', published: ['p1', 'p2'], recounted: ['p1'] }]).ok).toBe(false);
    expect(
      turnoutMatches(
        new Map([
          ['total', 3],
          ['nantes', 3],
        ]),
        new Map([
          ['total', 3],
          ['nantes', 2],
          ['vignoble', 1],
        ]),
      ),
    ).toMatchObject({ ok: false, detail: 'nantes: counter 3, ballots 2; vignoble: counter 0, ballots 1' });
  });
});

describe('the rehearsal timing', () => {
  it('spreads the voters over the window with a peak at the opening and on the last evening', () => {
    const opens = parisInstant('2023-10-02T09:00', 'Europe/Paris');
    const closes = parisInstant('2023-10-22T23:59', 'Europe/Paris');

    const curve = arrivalCurve(opens, closes);

    expect(opens.toISOString()).toBe('2023-10-02T07:00:00.000Z');
    expect(closes.toISOString()).toBe('2023-10-22T21:59:00.000Z');
    expect(curve.reduce((sum, slice) => sum + slice.share, 0)).toBeCloseTo(1, 10);
    expect(curve.every((slice) => slice.at > opens && slice.at < closes)).toBe(true);
    const shares = curve.map((slice) => slice.share);
    expect(shares[0]).toBe(Math.max(...shares));
    expect(shares.at(-1)).toBe(Math.max(...shares));
    expect(curve.at(-1)?.label).toBe('last evening');
  });

  it('reads latency quantiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([quantile(sorted, 0.5), quantile(sorted, 0.99), quantile([], 0.5)]).toEqual([50, 99, 0]);
  });
});

describe('the rehearsal mailbox and clients', () => {
  it('hands each waiter the email it waits for, reading only the emails since the last second seen', async () => {
    const store: Mail[] = [];
    const asked: number[] = [];
    const mailbox = new Mailbox(
      {
        read: async (since) => {
          asked.push(since);
          return store.filter((m) => m.at >= since);
        },
      },
      5,
    );
    store.push({ ...mail('a@x.fr', 'Votre code de vérification : 111111', 'x', '1'), at: 100 });
    await mailbox.refresh();
    const waiting = mailbox.waitFor('A@x.fr', (m) => m.subject.includes('vérification'), { after: 1 });
    store.push({ ...mail('b@x.fr', 'Votre code de vérification : 222222', 'x', '2'), at: 101 });
    store.push({ ...mail('a@x.fr', 'Votre code de vérification : 333333', 'x', '3'), at: 101 });

    const received = await waiting;
    mailbox.stop();

    expect(codeOf(received)).toBe('333333');
    expect(mailbox.mails.map((m) => m.messageId)).toEqual(['1', '2', '3']);
    expect(asked[0]).toBe(0);
    expect(asked.slice(1).every((since) => since >= 100)).toBe(true);
  });

  it('gives each household of four its own loopback address', () => {
    const addresses = Array.from({ length: 40_000 }, (_, n) => loopbackAddress(n));

    expect(new Set(addresses).size).toBe(10_000);
    expect(addresses.every((address) => /^127\.\d+\.\d+\.\d+$/.test(address))).toBe(true);
    expect(addresses.slice(0, 5)).toEqual(['127.1.0.1', '127.1.0.1', '127.1.0.1', '127.1.0.1', '127.1.0.2']);
  });
});
