import { describe, expect, it } from 'vitest';
import type { EmailLog } from '../../functions/notifications/email-log-repository.ts';
import { notifyRealisationUpdated } from '../../functions/notifications/notify-realisation-updated.ts';
import {
  notifyResultsPublished,
  type PublishedResults,
} from '../../functions/notifications/notify-results-published.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { OutgoingEmail } from '../../shared/email/mailer.ts';

const config = { name: 'Budget participatif essai' } as EditionConfig;

/** In-memory twins of the email log and the mailer: the test is about who gets what, once. */
function twins() {
  const sent: OutgoingEmail[] = [];
  const claimed = new Set<string>();
  const log: EmailLog = {
    async claim(entry) {
      if (claimed.has(entry.key)) return 'already-sent';
      claimed.add(entry.key);
      return 'claimed';
    },
    async markSent() {},
    async release(entry) {
      claimed.delete(entry.key);
    },
    async markSuppressed() {},
    async search() {
      return { items: [] };
    },
    async forgetRecipient() {
      return 0;
    },
  };
  return {
    sent,
    log,
    mailer: {
      async send(email: OutgoingEmail) {
        sent.push(email);
        return `m-${sent.length}`;
      },
    },
  };
}

const results: PublishedResults = {
  envelopes: [
    {
      id: 'nord',
      name: 'Nord',
      projects: [
        { id: 'p1', title: 'Jardin partagé', selected: true, explanation: 'Retenu : rang 1 (12 voix).' },
        {
          id: 'p2',
          title: 'Piste cyclable',
          selected: false,
          explanation: 'Non retenu : rang 2 (9 voix), coût de 80 000 € supérieur aux 20 000 € restants.',
        },
      ],
    },
  ],
};

const detail = {
  version: 1 as const,
  edition: 'essai',
  resultsId: 'r1',
  publishedAt: '2026-11-01T10:00:00.000Z',
  reason: 'Vérifié',
  actor: { kind: 'staff' as const, sub: 'admin-1', role: 'admin' },
};

describe('results emails: authors of ideas turned projects and voters who asked', () => {
  const deps = (mail: ReturnType<typeof twins>) => ({
    ...mail,
    now: () => new Date('2026-11-01T10:00:00Z'),
    siteUrl: 'https://bp.exemple.fr',
    contacts: { emailOf: async (id: string) => (id === 'erased' ? undefined : `${id}@exemple.fr`) },
    audience: {
      published: async (id: string) => (id === 'r1' ? results : undefined),
      ideasByProject: async () =>
        new Map([
          ['p1', ['idea-1']],
          ['p2', ['idea-2']],
        ]),
      authorsOf: async (ideaId: string) => (ideaId === 'idea-1' ? ['alice', 'bruno'] : ['alice', 'erased']),
      newsSubscribers: async () => ['chloe'],
    },
  });

  it('tells each author whether their project was funded and why, with a link to the results', async () => {
    // Prepare
    const mail = twins();
    // Act
    await notifyResultsPublished(deps(mail), config, detail, 'event-1');
    // Assess
    const toAlice = mail.sent.filter((m) => m.to === 'alice@exemple.fr');
    expect(toAlice.map((m) => m.subject)).toEqual([
      '[Budget participatif] Votre projet « Jardin partagé » est lauréat',
      '[Budget participatif] Résultats du vote : votre projet « Piste cyclable »',
    ]);
    expect(toAlice[1]?.text).toContain(
      'Pourquoi : Non retenu : rang 2 (9 voix), coût de 80 000 € supérieur aux 20 000 € restants.',
    );
    expect(toAlice[1]?.text).toContain('https://bp.exemple.fr/resultats.html#projet-p2');
    expect(mail.sent.filter((m) => m.to === 'bruno@exemple.fr')).toHaveLength(1);
    expect(mail.sent.find((m) => m.to === 'chloe@exemple.fr')?.subject).toContain('sont publiés');
    expect(mail.sent).toHaveLength(4);
  });

  it('sends nothing twice when the event is delivered again, and nothing for results not published', async () => {
    // Prepare
    const mail = twins();
    await notifyResultsPublished(deps(mail), config, detail, 'event-1');
    // Act
    await notifyResultsPublished(deps(mail), config, detail, 'event-2');
    await notifyResultsPublished(deps(mail), config, { ...detail, resultsId: 'other' }, 'event-3');
    // Assess
    expect(mail.sent).toHaveLength(4);
  });

  it('tells each follower of a winner its new status and milestones, once per change', async () => {
    // Prepare
    const mail = twins();
    const followUp = {
      ...deps(mail),
      followers: { followersOf: async () => ['dora', 'erased'], follows: async () => true },
    };
    const change = {
      version: 1 as const,
      edition: 'essai',
      updateId: 'p1#2',
      projectId: 'p1',
      title: 'Jardin partagé',
      status: 'abandonne' as const,
      reason: 'Le terrain n’est plus disponible.',
      milestones: [{ kind: 'etudes' as const, date: '2027-01-10', done: true }],
      updatedAt: '2027-02-01T09:00:00.000Z',
      actor: { kind: 'staff' as const, sub: 'coord-1', role: 'coordinator' },
    };
    // Act
    const outcomes = await notifyRealisationUpdated(followUp, config, change, 'e1');
    await notifyRealisationUpdated(followUp, config, change, 'e2');
    // Assess
    expect(outcomes).toEqual(['sent', 'no-address']);
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]?.subject).toBe(
      '[Budget participatif] Suivi du projet « Jardin partagé » : Abandonné',
    );
    expect(mail.sent[0]?.text).toContain('Raison : Le terrain n’est plus disponible.');
    expect(mail.sent[0]?.text).toContain('Études, étape franchie le 10 janvier 2027');
  });
});
