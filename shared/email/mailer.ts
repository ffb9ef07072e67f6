import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Port: send one email, resolve to the provider's message id. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<string>;
}

export function sesMailer(client: SESv2Client, from: string): Mailer {
  return {
    async send(email) {
      const result = await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
            },
          },
        }),
      );
      return result.MessageId ?? 'unknown';
    },
  };
}
