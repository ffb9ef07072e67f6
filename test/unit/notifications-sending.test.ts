import { describe, expect, it, vi } from 'vitest';
import type { EmailLog, EmailLogEntry } from '../../functions/notifications/email-log-repository.ts';
import { recordSesFeedback } from '../../functions/notifications/record-ses-feedback.ts';
import { sendOnce } from '../../functions/notifications/send-once.ts';
import type { SuppressionList } from '../../functions/notifications/suppression-list.ts';
import { faultInjectingMailer } from '../../shared/email/fault-injecting-mailer.ts';
import type { Mailer, OutgoingEmail } from '../../shared/email/mailer.ts';

const NOW = new Date('2023-10-02T07:00:00Z');
const entry: EmailLogEntry = {
  key: 'R#a@example.org',
  template: 't',
  recipient: 'a@example.org',
  eventId: 'e1',
};
const email: OutgoingEmail = { to: 'a@example.org', subject: 's', text: 't', html: '<p>t</p>' };

function fakeLog(): EmailLog & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    claim: vi.fn(async () => {
      calls.push('claim');
      return 'claimed' as const;
    }),
    markSent: vi.fn(async () => {
      calls.push('sent');
    }),
    release: vi.fn(async (_entry, error: string) => {
      calls.push(`release:${error}`);
    }),
    markSuppressed: vi.fn(async (_entry, reason: string) => {
      calls.push(`suppressed:${reason}`);
    }),
    search: vi.fn(async () => ({ items: [] })),
    forgetRecipient: vi.fn(async () => 0),
  };
}

function fakeSuppressions(reason?: Awaited<ReturnType<SuppressionList['check']>>): SuppressionList {
  return {
    check: vi.fn(async () => reason),
    suppress: vi.fn(async () => undefined),
    optOut: vi.fn(async () => undefined),
  };
}

describe('sending once', () => {
  it('sends nothing to a suppressed address and logs it as suppressed', async () => {
    // Prepare
    const log = fakeLog();
    const mailer: Mailer = { send: vi.fn(async () => 'm1') };

    // Act
    const outcome = await sendOnce(
      { log, mailer, now: () => NOW, suppressions: fakeSuppressions('bounce') },
      entry,
      email,
    );

    // Assess
    expect(outcome).toBe('suppressed');
    expect(mailer.send).not.toHaveBeenCalled();
    expect(log.calls).toEqual(['suppressed:bounce']);
  });

  it('checks opt-outs against the list of a non-essential email', async () => {
    // Prepare
    const suppressions = fakeSuppressions();

    // Act
    await sendOnce(
      { log: fakeLog(), mailer: { send: async () => 'm' }, now: () => NOW, suppressions },
      entry,
      email,
      { list: 'digests' },
    );

    // Assess
    expect(suppressions.check).toHaveBeenCalledWith('a@example.org', 'digests');
  });

  it('gives the claim back and rethrows when SES fails, so the bus retries', async () => {
    // Prepare
    const log = fakeLog();
    const failing = faultInjectingMailer({ send: async () => 'never' }, 'faults.invalid');

    // Act
    const attempt = sendOnce(
      { log, mailer: failing, now: () => NOW, suppressions: fakeSuppressions() },
      entry,
      { ...email, to: 'x+failalways@faults.invalid' },
    );

    // Assess
    await expect(attempt).rejects.toThrow(/Injected SES failure/);
    expect(log.calls).toEqual(['claim', 'release:InjectedSendFailure']);
  });
});

describe('the local fault hook of the mailer', () => {
  it('fails the first N attempts of a +fail<N> address, then delivers; other addresses are untouched', async () => {
    // Prepare
    const inner: Mailer = { send: vi.fn(async () => 'ok') };
    const mailer = faultInjectingMailer(inner, 'faults.invalid');
    const to = 'agent+fail2@faults.invalid';

    // Act
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await mailer.send({ ...email, to }).catch((e: Error) => e.name));
    const plain = await mailer.send({ ...email, to: 'agent+fail2@example.org' });

    // Assess
    expect(results).toEqual(['InjectedSendFailure', 'InjectedSendFailure', 'ok']);
    expect(plain).toBe('ok');
  });

  it('is the plain mailer when no fault domain is configured', () => {
    const inner: Mailer = { send: async () => 'ok' };
    expect(faultInjectingMailer(inner, undefined)).toBe(inner);
  });
});

describe('SES feedback', () => {
  const mail = { messageId: 'm1', destination: ['a@example.org'] };

  it('suppresses the recipients of a permanent bounce and of a complaint, not of a transient bounce', async () => {
    // Prepare
    const suppressions = fakeSuppressions();
    const deps = { suppressions, now: () => NOW };
    const bounce = (bounceType: string) => ({
      eventType: 'Bounce' as const,
      bounce: { bounceType, bouncedRecipients: [{ emailAddress: 'a@example.org' }] },
      mail,
    });

    // Act
    const permanent = await recordSesFeedback(deps, { kind: 'bounce', detail: bounce('Permanent') }, 'e1');
    const transient = await recordSesFeedback(deps, { kind: 'bounce', detail: bounce('Transient') }, 'e2');
    const complaint = await recordSesFeedback(
      deps,
      {
        kind: 'complaint',
        detail: {
          eventType: 'Complaint',
          complaint: { complainedRecipients: [{ emailAddress: 'b@example.org' }] },
          mail,
        },
      },
      'e3',
    );

    // Assess
    expect([permanent, transient, complaint]).toEqual([1, 0, 1]);
    expect(suppressions.suppress).toHaveBeenCalledTimes(2);
    expect(suppressions.suppress).toHaveBeenCalledWith('a@example.org', 'bounce', { eventId: 'e1', at: NOW });
    expect(suppressions.suppress).toHaveBeenCalledWith('b@example.org', 'complaint', {
      eventId: 'e3',
      at: NOW,
    });
  });
});
