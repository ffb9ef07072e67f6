import type { Mailer } from './mailer.ts';

/**
 * Test hook of the local runtime, off unless `MAIL_FAULT_DOMAIN` is set (local/stack.ts sets it; deployed
 * stacks never do): a message to `<anything>+fail<N>@<domain>` fails its first N attempts in this process,
 * one to `<anything>+failalways@<domain>` always fails, as a throttled or refusing SES would. Every other
 * address goes to the wrapped mailer untouched, so it changes nothing for real recipients.
 */
export function faultInjectingMailer(inner: Mailer, domain: string | undefined): Mailer {
  if (!domain) return inner;
  const attempts = new Map<string, number>();
  const suffix = `@${domain.toLowerCase()}`;
  return {
    async send(email) {
      const address = email.to.toLowerCase();
      const tag = address.endsWith(suffix) ? /\+fail(\d+|always)@/.exec(address)?.[1] : undefined;
      if (tag) {
        const key = `${address}\n${email.subject}`;
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        if (tag === 'always' || attempt <= Number(tag)) {
          const error = new Error(`Injected SES failure (attempt ${attempt}) for a ${domain} address`);
          error.name = 'InjectedSendFailure';
          throw error;
        }
      }
      return inner.send(email);
    },
  };
}
