/**
 * Deploy parameters of one edition in one environment: `deploy/<edition>.<environment>.json`, validated here
 * like the edition file, and selected with `cdk deploy -c deploy=<edition>.<environment>` (bin/app.ts). Every
 * parameter that used to be a `-c` flag lives in the file, so a forgotten flag can no longer silently drop the
 * alarm subscription or the custom domain of a production deploy.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as z from 'zod';
import type { EditionAppOptions } from './edition-app.ts';

/** SES receives mail in a few regions only (eu-west-1 but not eu-west-3): the rehearsal's mailbox lives there. */
export const REHEARSAL_MAILBOX_REGION = 'eu-west-1';

export const DEPLOY_ENVIRONMENTS = ['staging', 'production'] as const;
export type DeployEnvironment = (typeof DEPLOY_ENVIRONMENTS)[number];

/** Context keys bin/app.ts took before deploy files; refused now, with the field that replaces each. */
export const RETIRED_CONTEXT_KEYS: Readonly<Record<string, string>> = {
  account: 'account',
  region: 'region',
  siteDomain: 'site.domain',
  siteCertificateArn: 'site.certificateArn',
  alarmEmail: 'alarmEmail',
};

const Hostname = z.string().regex(/^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  message: 'Nom de domaine attendu en minuscules, par exemple budget.loire-atlantique.fr',
});

export const DeployConfig = z
  .strictObject({
    /** The edition's id: `editions/<edition>.json`. */
    edition: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
      message: 'Identifiant d’édition attendu (le nom du fichier editions/<id>.json)',
    }),
    environment: z.enum(DEPLOY_ENVIRONMENTS, { message: 'Environnement attendu : staging ou production' }),
    /** The AWS account of every stack of the edition. */
    account: z.string().regex(/^\d{12}$/, { message: 'Numéro de compte AWS attendu (12 chiffres)' }),
    /** Where the edition's data lives; the WAF of CloudFront is always in us-east-1 besides. */
    region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, { message: 'Région AWS attendue, ex. eu-west-3' }),
    /**
     * Who the alarms page (an email subscription to the alarm topic). Required in production.
     */
    alarmEmail: z.email({ message: 'Adresse électronique invalide' }).optional(),
    /** The site's own domain and its CloudFront certificate; without it the site is on `*.cloudfront.net`. */
    site: z
      .strictObject({
        domain: Hostname,
        certificateArn: z.string().regex(/^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/, {
          message:
            'ARN d’un certificat ACM de us-east-1 attendu (CloudFront ne prend ses certificats que dans us-east-1)',
        }),
      })
      .optional(),
    /** The SES domain identity the edition sends from: `mailFrom` of the edition file must be on it. */
    ses: z.strictObject({
      senderDomain: Hostname,
      /** Custom MAIL FROM domain (SPF alignment for DMARC), a subdomain of the sender domain. */
      mailFromDomain: Hostname,
    }),
    /**
     * The rehearsal's mailbox (docs/rehearsal.md): SES receives the mail of this test subdomain in
     * `REHEARSAL_MAILBOX_REGION` and stores each message in a bucket of the staging stack, where `bp rehearse
     * --mailbox s3://…` reads the codes and links. Staging only: a production edition never keeps mail in a bucket.
     */
    rehearsalMailbox: z.strictObject({ domain: Hostname }).optional(),
  })
  .superRefine((deploy, ctx) => {
    if (deploy.environment === 'production' && !deploy.alarmEmail) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarmEmail'],
        message:
          'Obligatoire en production : une alarme sans abonnement ne prévient personne (adresse de l’astreinte)',
      });
    }
    if (!deploy.ses.mailFromDomain.endsWith(`.${deploy.ses.senderDomain}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ses', 'mailFromDomain'],
        message: `Le domaine MAIL FROM doit être un sous-domaine de ${deploy.ses.senderDomain} (ex. bounce.${deploy.ses.senderDomain})`,
      });
    }
    if (deploy.rehearsalMailbox) {
      const { domain } = deploy.rehearsalMailbox;
      if (deploy.environment === 'production') {
        ctx.addIssue({
          code: 'custom',
          path: ['rehearsalMailbox'],
          message:
            'Interdit en production : la boîte de répétition garde dans un compartiment S3 tout le courrier de son ' +
            'domaine ; elle ne s’active que dans un fichier de staging',
        });
      } else {
        // Its MX record sends all of its mail to SES: on the sender's, MAIL FROM's or site's domain, or on a
        // domain above them, it would take real mail away from the people it is addressed to.
        const sender = deploy.ses.senderDomain;
        const taken = [deploy.ses.mailFromDomain, deploy.site?.domain].filter(
          (d): d is string => d !== undefined,
        );
        const underOrIs = (name: string, parent: string) => name === parent || name.endsWith(`.${parent}`);
        if (!domain.endsWith(`.${sender}`) || taken.some((name) => underOrIs(name, domain))) {
          ctx.addIssue({
            code: 'custom',
            path: ['rehearsalMailbox', 'domain'],
            message: `Un sous-domaine de test de ${sender}, à lui seul, attendu (ex. repetition.staging.${sender}) : son enregistrement MX enverra à SES tout le courrier de ${domain}`,
          });
        }
      }
    }
    if (deploy.site && !deploy.site.certificateArn.includes(`:${deploy.account}:`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['site', 'certificateArn'],
        message: `Le certificat doit appartenir au compte ${deploy.account} du déploiement`,
      });
    }
  });
export type DeployConfig = z.infer<typeof DeployConfig>;

/** `deploy/<edition>.<environment>.json`, relative to the repository root. */
export const deployFilePath = (name: string) => join('deploy', `${name}.json`);

export type DeployFileResult = { ok: true; deploy: DeployConfig } | { ok: false; errors: string[] };

/** What the edition file must agree on with its deploy file. */
export interface EditionFacts {
  readonly id: string;
  readonly mailFrom: string;
}

/**
 * Reads and validates a deploy file: its schema, its name (`<edition>.<environment>.json`, so that the name an
 * operator types is what is deployed) and, given the edition, that the edition's sender is on the SES domain.
 * Errors are one line per problem, `file: field: message`, ready to print.
 */
export function readDeployConfig(file: string, edition?: EditionFacts): DeployFileResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      ok: false,
      errors: [`${file}: ${missing ? 'fichier introuvable' : (error as Error).message}`],
    };
  }
  const parsed = DeployConfig.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map(
        (issue) => `${file}: ${issue.path.join('.') || '(racine)'}: ${issue.message}`,
      ),
    };
  }
  const deploy = parsed.data;
  const errors = [...checkFileName(file, deploy), ...(edition ? checkEdition(deploy, edition) : [])];
  return errors.length > 0
    ? { ok: false, errors: errors.map((line) => `${file}: ${line}`) }
    : { ok: true, deploy };
}

function checkFileName(file: string, deploy: DeployConfig): string[] {
  const expected = `${deploy.edition}.${deploy.environment}.json`;
  return basename(file) === expected
    ? []
    : [`(nom du fichier): le fichier de ${deploy.edition} en ${deploy.environment} s’appelle ${expected}`];
}

/** The edition the deploy file names, and its sender on the SES domain the preflight checks. */
export function checkEdition(deploy: DeployConfig, edition: EditionFacts): string[] {
  const errors: string[] = [];
  if (edition.id !== deploy.edition) {
    errors.push(`edition: "${deploy.edition}" ne correspond pas à l’édition "${edition.id}"`);
  }
  const domain = edition.mailFrom.slice(edition.mailFrom.lastIndexOf('@') + 1).toLowerCase();
  const sender = deploy.ses.senderDomain;
  if (domain !== sender && !domain.endsWith(`.${sender}`)) {
    errors.push(
      `ses.senderDomain: l’expéditeur de l’édition (${edition.mailFrom}) n’est pas sur le domaine ${sender} : SES refuserait ses envois`,
    );
  }
  return errors;
}

/**
 * Checks across the deploy files of one edition: staging and production in the same account and region would
 * share stack names (`Bp-<edition>-*`), so a staging deploy would overwrite production.
 */
export function checkDeploySet(deploys: readonly DeployConfig[]): string[] {
  const errors: string[] = [];
  const seen = new Map<string, DeployConfig>();
  for (const deploy of deploys) {
    const key = `${deploy.edition}/${deploy.account}/${deploy.region}`;
    const other = seen.get(key);
    if (other && other.environment !== deploy.environment) {
      errors.push(
        `${deploy.edition}: ${other.environment} et ${deploy.environment} sont dans le même compte et la même région (${deploy.account}, ${deploy.region}) : leurs piles porteraient les mêmes noms. Un compte par environnement.`,
      );
    }
    seen.set(key, deploy);
  }
  // SES has one active receipt rule set per account and region: a second mailbox would switch off the first.
  const mailboxes = new Map<string, DeployConfig>();
  for (const deploy of deploys.filter((d) => d.rehearsalMailbox)) {
    const other = mailboxes.get(deploy.account);
    if (other && other.edition !== deploy.edition) {
      errors.push(
        `${deploy.edition}: rehearsalMailbox: ${other.edition} a déjà une boîte de répétition dans le compte ${deploy.account} ; SES n’y active qu’un jeu de règles de réception par région (${REHEARSAL_MAILBOX_REGION}), la seconde éteindrait la première`,
      );
    }
    mailboxes.set(deploy.account, deploy);
  }
  return errors;
}

/**
 * What a deploy file sets on the edition's stacks (bin/app.ts): account and region, alarm subscription, domain,
 * and the rehearsal's mailbox of a staging deploy.
 */
export function deployAppOptions(
  deploy: DeployConfig,
): Pick<EditionAppOptions, 'env' | 'alarmEmail' | 'siteDomain' | 'rehearsalMailbox'> {
  // The schema refuses it already; a DeployConfig built around the schema must not get further.
  if (deploy.rehearsalMailbox && deploy.environment !== 'staging') {
    throw new Error(`rehearsalMailbox: refused for a ${deploy.environment} deploy`);
  }
  return {
    rehearsalMailbox: deploy.rehearsalMailbox && { domain: deploy.rehearsalMailbox.domain },
    env: { account: deploy.account, region: deploy.region },
    alarmEmail: deploy.alarmEmail,
    siteDomain: deploy.site && { domainName: deploy.site.domain, certificateArn: deploy.site.certificateArn },
  };
}
