import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Mail, readMailbox } from '../../local/ses.ts';
import { verifyActionLink } from '../../shared/auth/action-links.ts';
import { addressHash } from '../../shared/auth/unsubscribe-links.ts';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import {
  DeadlineApproaching,
  DecisionRecorded,
  IdeaAssigned,
  InstructionDigestReady,
} from '../../shared/events/catalogue.ts';
import type { EventContract } from '../../shared/events/define-event.ts';
import { api, eventually, staffToken, waitForBus } from '../support/api.ts';
import { eventBridgeClient } from '../support/local-bus.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const edition = (await import('../../editions/loire-atlantique-demo.json', { with: { type: 'json' } }))
  .default;
const service = edition.services[0] as { id: string; contacts: { email: string }[] };
const contacts = service.contacts.map((contact) => contact.email);
const coordinators = edition.staff.coordinators.map((contact: { email: string }) => contact.email);
const editionPath = `/api/editions/${stack.edition}`;
const staffActor = { kind: 'staff', sub: 'coordinator-sub', role: 'coordinator' };
const AUTHOR_NAME = 'Association Les Amis du Square Témoin';

const bus = eventBridgeClient(stack);
const documents = createDocumentClient(
  new DynamoDBClient({
    endpoint: stack.dynamodbUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
  }),
);
let linkKey = '';
let coordinatorToken = '';

const busIdle = () => waitForBus(stack);

async function publish(contract: EventContract, detail: Record<string, unknown>) {
  await bus.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: 'bp-local',
          Source: contract.source,
          DetailType: contract.detailType,
          Detail: JSON.stringify({ version: contract.version, edition: stack.edition, ...detail }),
        },
      ],
    }),
  );
}

async function mailsAbout(fragment: string): Promise<Mail[]> {
  return (await readMailbox(stack.mailboxUrl)).filter(
    (mail) => mail.subject.includes(fragment) || (mail.body.text ?? '').includes(fragment),
  );
}

/** An idea as functions/ideas stores it, with an author whose name and address must never reach staff. */
async function seedIdea(title: string, authorId: string) {
  const ideaId = `idee-${randomUUID()}`;
  await documents.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: {
        pk: `IDEA#${ideaId}`,
        sk: 'IDEA',
        entity: 'Idea',
        version: 1,
        ideaId,
        authorId,
        authorIds: [authorId],
        status: 'published',
        title,
        description: 'Planter des arbres fruitiers le long du chemin de halage, avec des bancs.',
        theme: edition.themes[0]?.id,
        territory: edition.territories[0]?.id,
        estimatedCost: 20000,
        proposer: { kind: 'association', name: AUTHOR_NAME },
      },
    }),
  );
  return ideaId;
}

/** A citizen's identity item, as identity stores it (notifications reads `email` at send time). */
async function seedCitizen(email: string) {
  const citizenId = randomUUID();
  await documents.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: {
        pk: `CITIZEN#${citizenId}`,
        sk: 'IDENTITY',
        entity: 'Identity',
        version: 1,
        email,
        channel: 'email',
      },
    }),
  );
  return citizenId;
}

function verdict(ideaId: string, authorId: string, overrides: Record<string, unknown> = {}) {
  return {
    decisionId: `decision-${randomUUID()}`,
    ideaId,
    scope: 'verdict',
    outcome: 'not-admissible',
    reasonCode: 'competence',
    reasonText: 'Les chemins de halage relèvent de l’État, pas du Département.',
    authorIds: [authorId],
    recordedAt: new Date().toISOString(),
    actor: staffActor,
    ...overrides,
  };
}

async function emailLog(query: Record<string, string>) {
  const response = await api(stack, 'GET', `${editionPath}/staff/email-log?${new URLSearchParams(query)}`, {
    token: coordinatorToken,
  });
  expect(response.status).toBe(200);
  return response.body as { items: Record<string, unknown>[]; cursor?: string };
}

beforeAll(async () => {
  const secrets = new SecretsManagerClient({
    endpoint: stack.secretsUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  linkKey =
    (await secrets.send(new GetSecretValueCommand({ SecretId: `bp-${stack.edition}-action-link-key` })))
      .SecretString ?? '';
  secrets.destroy();
  coordinatorToken = await staffToken(stack, 'coordinator');
});

afterAll(() => {
  bus.destroy();
});

describe('instruction emails on the local stack', () => {
  it('sends each contact of the assigned service the dossier with three signed links bound to them, once', async () => {
    // Prepare
    const title = `Vergers du halage ${randomUUID().slice(0, 8)}`;
    const authorEmail = `autrice-${randomUUID().slice(0, 8)}@exemple.fr`;
    const ideaId = await seedIdea(title, await seedCitizen(authorEmail));
    const assignmentId = `asg-${randomUUID()}`;
    const detail = {
      assignmentId,
      ideaId,
      serviceId: service.id,
      dueDate: '2099-01-15',
      assignedAt: new Date().toISOString(),
      actor: staffActor,
    };

    // Act: the same assignment published twice (a publisher's retry: two event ids).
    await publish(IdeaAssigned, detail);
    await publish(IdeaAssigned, detail);
    await busIdle();

    // Assess
    const mails = await mailsAbout(title);
    expect(mails.map((mail) => mail.destination.to[0]).sort()).toEqual([...contacts].sort());
    for (const mail of mails) {
      const to = mail.destination.to[0] ?? '';
      const tokens = [...(mail.body.text ?? '').matchAll(/staff\/lien\.html\?t=([\w.-]+)/g)].map(
        (m) => m[1] ?? '',
      );
      expect(tokens).toHaveLength(3);
      const checks = await Promise.all(
        tokens.map((token) =>
          verifyActionLink(linkKey, token, { edition: stack.edition, callerEmail: to, now: new Date() }),
        ),
      );
      expect(checks.map((check) => check.ok && check.claims.action)).toEqual(['open', 'accept', 'reassign']);
      expect(checks.every((check) => check.ok && check.claims.assignmentId === assignmentId)).toBe(true);
      const other = contacts.find((contact) => contact !== to) ?? 'x@example.org';
      expect(
        await verifyActionLink(linkKey, tokens[1] ?? '', {
          edition: stack.edition,
          callerEmail: other,
          now: new Date(),
        }),
      ).toEqual({ ok: false, reason: 'other-recipient' });
      // The dossier, never its author.
      const whole = `${mail.subject}${mail.body.text}${mail.body.html}`;
      expect(whole).toContain('Planter des arbres fruitiers');
      expect(whole).not.toContain(AUTHOR_NAME);
      expect(whole).not.toContain(authorEmail);
    }
  });

  it('reminds the service once per assignment and due date, even if the daily check runs twice', async () => {
    // Prepare
    const title = `Rappel halage ${randomUUID().slice(0, 8)}`;
    const ideaId = await seedIdea(title, randomUUID());
    const detail = {
      assignmentId: `asg-${randomUUID()}`,
      ideaId,
      serviceId: service.id,
      dueDate: '2099-02-03',
    };

    // Act
    await publish(DeadlineApproaching, { ...detail, checkedAt: new Date().toISOString() });
    await publish(DeadlineApproaching, { ...detail, checkedAt: new Date(Date.now() + 1000).toISOString() });
    await busIdle();

    // Assess
    const mails = await mailsAbout(title);
    expect(mails).toHaveLength(contacts.length);
    expect(mails[0]?.subject).toContain('Rappel : avis attendu le');
  });

  it('tells the author the verdict in plain French, and nothing for a service opinion', async () => {
    // Prepare
    const title = `Verdict halage ${randomUUID().slice(0, 8)}`;
    const authorEmail = `auteur-${randomUUID().slice(0, 8)}@exemple.fr`;
    const authorId = await seedCitizen(authorEmail);
    const ideaId = await seedIdea(title, authorId);

    // Act
    await publish(DecisionRecorded, verdict(ideaId, authorId, { scope: 'service', serviceId: service.id }));
    await publish(DecisionRecorded, verdict(ideaId, authorId));
    await busIdle();

    // Assess
    const mails = await mailsAbout(title);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.destination.to).toEqual([authorEmail]);
    expect(mails[0]?.subject).toBe('[Budget participatif] Votre idée n’est pas recevable');
    expect(mails[0]?.body.text).toContain('Pourquoi : Les chemins de halage relèvent de l’État');
    expect(mails[0]?.body.text).toContain('ne sera donc pas soumise au vote');
    expect(mails[0]?.headers ?? []).not.toContainEqual(expect.objectContaining({ name: 'List-Unsubscribe' }));
  });

  it('retries a failed send with the bus and delivers it once SES accepts', async () => {
    // Prepare: SES refuses the first two attempts for this address (local fault hook).
    const title = `Retente halage ${randomUUID().slice(0, 8)}`;
    const authorId = await seedCitizen(`auteur-${randomUUID().slice(0, 8)}+fail2@faults.invalid`);
    const ideaId = await seedIdea(title, authorId);
    const decision = verdict(ideaId, authorId);

    // Act
    await publish(DecisionRecorded, decision);
    await busIdle();

    // Assess
    expect(await mailsAbout(title)).toHaveLength(1);
    const log = await emailLog({ event: decision.decisionId });
    expect(log.items).toEqual([
      expect.objectContaining({
        status: 'sent',
        attempts: 3,
        recipient: `citizen:${authorId}`,
        template: 'decision-verdict',
      }),
    ]);
  });

  it('parks a permanently failing email in the DLQ and shows it as failed in the email log', async () => {
    // Prepare
    const title = `Échec halage ${randomUUID().slice(0, 8)}`;
    const authorId = await seedCitizen(`auteur-${randomUUID().slice(0, 8)}+failalways@faults.invalid`);
    const ideaId = await seedIdea(title, authorId);
    const decision = verdict(ideaId, authorId);

    // Act
    await publish(DecisionRecorded, decision);
    await busIdle();

    // Assess
    expect(await mailsAbout(title)).toHaveLength(0);
    const dlq = (await (await fetch(`${stack.busUrl}/__local/dlq`)).json()) as { deadLetters: unknown[] };
    expect(JSON.stringify(dlq.deadLetters)).toContain(decision.decisionId);
    const log = await emailLog({ recipient: `citizen:${authorId}`, status: 'failed' });
    expect(log.items).toEqual([
      expect.objectContaining({
        status: 'failed',
        statusLabel: 'Échec',
        lastError: 'InjectedSendFailure',
        attempts: 3,
        key: `DecisionRecorded#${decision.decisionId}#citizen:${authorId}`,
      }),
    ]);
  });

  it('suppresses an address after a permanent SES bounce, and logs the skipped email', async () => {
    // Prepare
    const authorEmail = `rebond-${randomUUID().slice(0, 8)}@exemple.fr`;
    const authorId = await seedCitizen(authorEmail);
    const title = `Rebond halage ${randomUUID().slice(0, 8)}`;
    const ideaId = await seedIdea(title, authorId);

    // Act: SES's bounce event, as its EventBridge destination puts it on the default bus.
    await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.ses',
            DetailType: 'Email Bounced',
            Detail: JSON.stringify({
              eventType: 'Bounce',
              bounce: {
                bounceType: 'Permanent',
                bounceSubType: 'General',
                bouncedRecipients: [{ emailAddress: authorEmail.toUpperCase() }],
                timestamp: new Date().toISOString(),
              },
              mail: { messageId: 'ses-message-1', destination: [authorEmail], tags: {} },
            }),
          },
        ],
      }),
    );
    await busIdle();
    const decision = verdict(ideaId, authorId);
    await publish(DecisionRecorded, decision);
    await busIdle();

    // Assess
    expect(await mailsAbout(title)).toHaveLength(0);
    const log = await emailLog({ event: decision.decisionId });
    expect(log.items).toEqual([
      expect.objectContaining({ status: 'suppressed', suppressedReason: 'bounce' }),
    ]);
    const events = (await (await fetch(`${stack.busUrl}/__local/events`)).json()) as {
      events: { event: { source: string }; matchedRules: string[] }[];
    };
    expect(events.events.filter((e) => e.event.source === 'aws.ses').at(-1)?.matchedRules).toEqual([
      'notifications-ses-feedback',
    ]);
  });

  it('lets a coordinator unsubscribe from the digest with its signed link, and refuses a tampered one', async () => {
    // Prepare
    const coordinator = coordinators[0] ?? '';
    const day = (offset: number) => new Date(Date.UTC(2098, 0, 1 + offset)).toISOString().slice(0, 10);
    const first = day(Math.floor(Math.random() * 10_000));
    const overdueTitle = `Retard halage ${randomUUID().slice(0, 8)}`;
    const overdueIdea = await seedIdea(overdueTitle, randomUUID());
    await publish(InstructionDigestReady, {
      digestDate: first,
      counts: [{ serviceId: service.id, status: 'assigned', count: 4 }],
      overdue: [
        { assignmentId: 'asg-late', ideaId: overdueIdea, serviceId: service.id, dueDate: '2098-01-01' },
      ],
      checkedAt: new Date().toISOString(),
    });
    await busIdle();
    const digest = await eventually(async () =>
      (await mailsAbout(overdueTitle)).find((mail) => mail.destination.to[0] === coordinator),
    );
    const token = /desabonnement\.html\?t=([\w.-]+)/.exec(digest.body.text ?? '')?.[1] ?? '';
    const header = digest.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';

    try {
      // Act
      const tampered = await api(stack, 'POST', `${editionPath}/unsubscribe`, {
        body: { token: `${token.slice(0, -3)}abc` },
      });
      // The mail client's one-click POST (RFC 8058) to the header's URL.
      const oneClick = await api(
        stack,
        'POST',
        new URL(header.slice(1, -1)).pathname + new URL(header.slice(1, -1)).search,
        {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          rawBody: 'List-Unsubscribe=One-Click',
        },
      );
      const again = await api(stack, 'POST', `${editionPath}/unsubscribe`, { body: { token } });
      const second = day(Math.floor(Math.random() * 10_000) + 20_000);
      await publish(InstructionDigestReady, {
        digestDate: second,
        counts: [],
        overdue: [],
        checkedAt: new Date().toISOString(),
      });
      await busIdle();

      // Assess
      expect(tampered.status).toBe(400);
      expect(tampered.body).toMatchObject({ code: 'unsubscribe_link_invalid' });
      expect(oneClick.status).toBe(200);
      expect(again.body).toMatchObject({ unsubscribed: true, list: 'digests' });
      const log = await emailLog({ event: second, template: 'instruction-digest' });
      const statuses = Object.fromEntries(log.items.map((item) => [item.recipient, item.status]));
      expect(statuses[coordinator]).toBe('suppressed');
      expect(Object.values(statuses).filter((status) => status === 'sent')).toHaveLength(
        coordinators.length - 1,
      );
    } finally {
      // Other test files expect every coordinator to get the digest.
      await documents.send(
        new DeleteCommand({
          TableName: stack.tableName,
          Key: { pk: `SUPPRESSION#${addressHash(linkKey, coordinator)}`, sk: 'OPTOUT#digests' },
        }),
      );
    }
  });

  it('pages the email log newest first, for coordinators only', async () => {
    // Act
    const first = await emailLog({ limit: '2' });
    const next = await emailLog({ limit: '2', cursor: first.cursor ?? '' });
    const instructor = await api(stack, 'GET', `${editionPath}/staff/email-log`, {
      token: await staffToken(stack, 'instructor'),
    });

    // Assess
    expect(first.items).toHaveLength(2);
    expect(first.cursor).toBeDefined();
    const times = [...first.items, ...next.items].map((item) => String(item.createdAt));
    expect(times).toEqual([...times].sort().reverse());
    expect(new Set([...first.items, ...next.items].map((item) => item.key)).size).toBe(4);
    expect(instructor.status).toBe(403);
  });
});
