/**
 * The mailbox the rehearsal reads its codes and links from. Locally, the SES emulator's `GET /store?since=`
 * (epoch seconds, inclusive; every email the platform sent); against a deployed staging edition, the bucket SES
 * receives the test subdomain's mail into (`s3-mailbox.ts`). One poller for everyone: each poll asks only for
 * the emails since the last second seen, and hands each new email to whoever waits for it. The emulator keeps only
 * its newest emails (local/ses.ts), so that mailbox is read even while nobody waits: every email is seen before it
 * is forgotten there.
 */

export interface Mail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export interface MailSource {
  /** Emails received since `since` (epoch seconds, inclusive), oldest first. */
  read(since: number): Promise<Mail[]>;
  /** The source forgets its oldest emails: read it all along, not only when someone waits for an email. */
  readonly keepsRecentOnly?: boolean;
  /** Lets go of what the source holds (an SDK client's connections). */
  close?(): void;
}

/** The SES emulator's store (`aws-ses-v2-local`, `npm start`'s mailbox). */
export function sesEmulatorSource(mailboxUrl: string): MailSource {
  return {
    keepsRecentOnly: true,
    async read(since) {
      const url = new URL('/store', mailboxUrl);
      url.searchParams.set('since', String(Math.floor(since)));
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
      return ((await response.json()) as { emails: Mail[] }).emails;
    },
  };
}

interface Waiter {
  to: string;
  match: (mail: Mail) => boolean;
  resolve: (mail: Mail) => void;
  reject: (error: Error) => void;
  deadline: number;
}

export class Mailbox {
  private readonly seen = new Set<string>();
  private readonly byRecipient = new Map<string, Mail[]>();
  private readonly all: Mail[] = [];
  private since = 0;
  private waiters: Waiter[] = [];
  private polling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly source: MailSource,
    private readonly intervalMs = 150,
  ) {
    this.schedule();
  }

  /** Every email seen so far (call `refresh` first for the latest). */
  get mails(): readonly Mail[] {
    return this.all;
  }

  mailsTo(address: string): readonly Mail[] {
    return this.byRecipient.get(address.toLowerCase()) ?? [];
  }

  /** Reads the new emails once (a poll shared with the waiters when one is under way). */
  refresh(): Promise<void> {
    this.polling ??= this.poll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Reads the new emails in a poll that starts now (not one already under way): sees every email sent before. */
  async refreshFromNow(): Promise<void> {
    if (this.polling) await this.polling.catch(() => undefined);
    await this.refresh();
  }

  /**
   * The first email to `to` accepted by `match` that arrives after `after` of that recipient's emails
   * (default: any, already seen ones included), within `timeoutMs`.
   */
  waitFor(
    to: string,
    match: (mail: Mail) => boolean,
    options: { after?: number; timeoutMs?: number } = {},
  ): Promise<Mail> {
    const address = to.toLowerCase();
    const known = this.mailsTo(address)
      .slice(options.after ?? 0)
      .find(match);
    if (known) return Promise.resolve(known);
    const skip = new Set(this.mailsTo(address).slice(0, options.after ?? 0));
    return new Promise((resolve, reject) => {
      this.waiters.push({
        to: address,
        match: (mail) => !skip.has(mail) && match(mail),
        resolve,
        reject,
        deadline: Date.now() + (options.timeoutMs ?? 60_000),
      });
      this.schedule();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters) waiter.reject(new Error('mailbox stopped'));
    this.waiters = [];
    this.source.close?.();
  }

  private schedule() {
    const waiting = this.waiters.length > 0;
    if (this.stopped || !(waiting || this.source.keepsRecentOnly)) return;
    if (this.timer) {
      if (waiting) this.timer.ref();
      return;
    }
    this.timer = setTimeout(async () => {
      this.timer = undefined;
      try {
        await this.refresh();
      } catch (error) {
        for (const waiter of this.waiters) waiter.reject(error as Error);
        this.waiters = [];
      }
      this.schedule();
    }, this.intervalMs);
    // Reading only to keep up must not keep the process alive; a waiter's poll must.
    if (!waiting) this.timer.unref();
  }

  private async poll(): Promise<void> {
    const fresh = await this.source.read(this.since);
    for (let mail of fresh) {
      const key = sameEmailKey(mail);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      mail = slim(mail);
      this.all.push(mail);
      this.since = Math.max(this.since, mail.at);
      for (const to of mail.destination.to) {
        const address = to.toLowerCase();
        const list = this.byRecipient.get(address);
        if (list) list.push(mail);
        else this.byRecipient.set(address, [mail]);
      }
    }
    const now = Date.now();
    this.waiters = this.waiters.filter((waiter) => {
      const mail = this.mailsTo(waiter.to).find(waiter.match);
      if (mail) {
        waiter.resolve(mail);
        return false;
      }
      if (now > waiter.deadline) {
        waiter.reject(new Error(`no email to ${waiter.to} in time`));
        return false;
      }
      return true;
    });
  }
}

/**
 * What tells a re-read email (each poll reads its first second again) from another one. Not the message id alone:
 * the emulator's are `ses-` and 9 random digits, and ~9 pairs of them collide among the ~127,000 emails of a
 * 100,000-voter run (n²/2 over 9×10⁸), which dropped a voter's code email as already seen.
 */
function sameEmailKey(mail: Mail): string {
  return [mail.messageId, mail.at, mail.destination.to.join(','), mail.subject].join('\n');
}

/**
 * What the rehearsal keeps of an email: its text alternative when it has one (the same links as the HTML), not
 * the branded HTML, ~20 times larger, held here for the whole run (~150,000 emails for 100,000 voters).
 */
function slim(mail: Mail): Mail {
  const { messageId, destination, subject, body, at } = mail;
  return {
    messageId,
    destination: { to: destination.to },
    subject,
    body: body.text !== undefined ? { text: body.text } : { html: body.html },
    at,
  };
}

/** The six-digit code of a « code de vérification » email. */
export function codeOf(mail: Mail): string | undefined {
  return mail.subject.match(/(\d{6})$/)?.[1];
}

/** The links of an email to `origin` (text and HTML bodies), in order, without duplicates. */
export function linksOf(mail: Mail, origin: string): string[] {
  const body = `${mail.body.text ?? ''}\n${mail.body.html ?? ''}`;
  const found = body.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
  return [...new Set(found.map((link) => link.replaceAll('&amp;', '&')))].filter((link) => {
    try {
      return new URL(link).origin === origin;
    } catch {
      return false;
    }
  });
}
