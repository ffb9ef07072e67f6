import { describe, expect, it } from 'vitest';
import { type EmailReceiptDeps, emailReceipt } from '../../functions/voting/email-receipt.ts';
import type { OutgoingEmail } from '../../shared/email/mailer.ts';
import type { Logger } from '../../shared/logging/logger.ts';

/** In-memory twins: this test is about the once-only rule and the failure path, not DynamoDB or SES. */
function receiptDeps(options: { address?: string; mailFails?: boolean } = {}) {
  const flags = new Set<string>();
  const sent: OutgoingEmail[] = [];
  const logs: string[] = [];
  const deps: EmailReceiptDeps = {
    votes: {
      async claimReceiptEmail(voterId) {
        if (flags.has(voterId)) return false;
        flags.add(voterId);
        return true;
      },
      async releaseReceiptEmail(voterId) {
        flags.delete(voterId);
      },
    },
    contacts: { emailOf: async () => ('address' in options ? options.address : 'camille@exemple.fr') },
    mailer: {
      async send(email) {
        if (options.mailFails)
          throw Object.assign(new Error('camille@exemple.fr rejected'), { name: 'MessageRejected' });
        sent.push(email);
        return 'message-1';
      },
    },
    logger: {
      warn: (...args: unknown[]) => logs.push(JSON.stringify(args)),
      info: (...args: unknown[]) => logs.push(JSON.stringify(args)),
    } as unknown as Logger,
    editionName: async () => 'Budget participatif 2023',
    siteUrl: 'https://budget.exemple.fr',
  };
  return { deps, flags, sent, logs };
}

describe('the receipt email', () => {
  it('sends the receipt code in French to the voter’s address, once per voter', async () => {
    // Prepare
    const { deps, sent } = receiptDeps();
    // Act
    const first = await emailReceipt(deps, { voterId: 'v-1', receipt: 'K7QM-4XTR-9BHE' });
    const again = await emailReceipt(deps, { voterId: 'v-1', receipt: 'K7QM-4XTR-9BHE' });
    // Assess
    expect([first, again]).toEqual(['sent', 'already-sent']);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe('camille@exemple.fr');
    expect(sent[0]?.text).toContain('K7QM-4XTR-9BHE');
    expect(sent[0]?.html).toContain('K7QM-4XTR-9BHE');
    expect(sent[0]?.subject).not.toContain('K7QM');
    expect(sent[0]?.text).toContain('ne peut plus être modifié');
    expect(sent[0]?.text).toContain('https://budget.exemple.fr/recu.html');
    // The link never carries the code (it would end in access logs)
    expect(sent[0]?.text).not.toMatch(/recu\.html\S*K7QM/);
  });

  it('does not fail when sending fails, logs no personal data, and lets a retry send', async () => {
    // Prepare
    const failing = receiptDeps({ mailFails: true });
    // Act
    const outcome = await emailReceipt(failing.deps, { voterId: 'v-2', receipt: 'K7QM-4XTR-9BHE' });
    // Assess
    expect(outcome).toBe('failed');
    expect(failing.flags.has('v-2')).toBe(false);
    const logged = failing.logs.join('\n');
    expect(logged).toContain('MessageRejected');
    for (const secret of ['camille', 'K7QM', 'v-2']) expect(logged).not.toContain(secret);
  });

  it('sends nothing and says so when the voter has no address to write to', async () => {
    const { deps, sent, flags } = receiptDeps({ address: undefined });
    expect(await emailReceipt(deps, { voterId: 'v-3', receipt: 'K7QM-4XTR-9BHE' })).toBe('failed');
    expect(sent).toHaveLength(0);
    expect(flags.size).toBe(0);
  });
});
