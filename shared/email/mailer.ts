import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { type ClientSource, resolveClient } from '../lambda/lazy-client.ts';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (`List-Unsubscribe`, `List-Unsubscribe-Post` on non-essential mail). */
  headers?: readonly { name: string; value: string }[];
}

/** Port: send one email, resolve to the provider's message id. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<string>;
}

/**
 * SESv2 `SendEmail` from `from`. With `configurationSet`, bounces and complaints of the messages are
 * published by SES (to EventBridge in the deployed stacks: see lib/stacks/functions-stack.ts).
 */
export function sesMailer(
  client: ClientSource<SESv2Client>,
  from: string,
  options: { configurationSet?: string } = {},
): Mailer {
  return {
    async send(email) {
      // The package is loaded at the first email, not at the function's load (lazy-client.ts).
      const [{ SendEmailCommand }, ses] = await Promise.all([
        import('@aws-sdk/client-sesv2'),
        resolveClient(client),
      ]);
      const result = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [email.to] },
          ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
              ...(email.headers?.length
                ? { Headers: email.headers.map(({ name, value }) => ({ Name: name, Value: value })) }
                : {}),
            },
          },
        }),
      );
      return result.MessageId ?? 'unknown';
    },
  };
}
