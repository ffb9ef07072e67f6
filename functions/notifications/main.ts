import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { dynamoEditionStore } from '../../shared/edition/edition-store.ts';
import { sesMailer } from '../../shared/email/mailer.ts';
import { parseFunctionEnv } from '../../shared/lambda/function-env.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { dynamoCitizenContacts } from './citizen-contacts.ts';
import { dynamoEmailLog } from './email-log-repository.ts';
import { makeHandler } from './handler.ts';
import { dynamoIdeaTitles } from './idea-titles.ts';

const env = parseFunctionEnv(process.env);

const documents = createDocumentClient();

export const handler = makeHandler({
  editions: dynamoEditionStore({ client: documents, tableName: env.TABLE_NAME, edition: env.EDITION_ID }),
  log: dynamoEmailLog(documents, env.TABLE_NAME, env.EDITION_ID),
  mailer: sesMailer(new SESv2Client({}), env.MAIL_FROM),
  logger: createLogger('notifications'),
  now: () => new Date(),
  siteUrl: env.SITE_URL.replace(/\/$/, ''),
  contacts: dynamoCitizenContacts(documents, env.TABLE_NAME),
  titles: dynamoIdeaTitles(documents, env.TABLE_NAME),
});
