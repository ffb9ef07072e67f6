/**
 * `bp preflight --deploy <edition>.<env>`: what an account needs before `cdk deploy` can succeed and the edition
 * can send mail, checked with the credentials of the deploy. Each failing check says how to fix it; the exit code
 * is 1 while one fails. Read-only: it changes nothing.
 */

import { resolveTxt } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type DeployConfig, REHEARSAL_MAILBOX_REGION } from '../../lib/deploy-config.ts';
import { FUNCTIONS } from '../../shared/manifest.ts';
import { PREFLIGHT } from './catalog.ts';
import type { Command } from './command.ts';
import { resolveTarget, TARGET_OPTIONS } from './deploy-target.ts';
import { validateEditionFile, WARNING_PREFIX } from './edition-validate.ts';

/** The oldest bootstrap stack the CDK of this repository deploys with (modern synthesizer, assets). */
export const MIN_BOOTSTRAP_VERSION = 6;
/** Lambda keeps this much of the account's concurrency unreserved; reservations come on top. */
const UNRESERVED_MINIMUM = 100;

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** What is wrong, and how to fix it (French, for the operator). */
  readonly problem?: string;
  readonly fix?: string;
}

export interface PreflightDeps {
  readonly resolveTxt: (name: string) => Promise<string[][]>;
}

const ok = (name: string): CheckResult => ({ name, ok: true });
const failed = (name: string, problem: string, fix: string): CheckResult => ({
  name,
  ok: false,
  problem,
  fix,
});

async function guarded(name: string, check: () => Promise<CheckResult>, fix: string): Promise<CheckResult> {
  try {
    return await check();
  } catch (error) {
    return failed(name, `${(error as Error).name}: ${(error as Error).message}`, fix);
  }
}

/** Every check, in the order an operator fixes them. */
export async function runPreflight(
  deploy: DeployConfig,
  root: string,
  deps: PreflightDeps = { resolveTxt },
): Promise<CheckResult[]> {
  const { account, region } = deploy;
  const domain = deploy.ses.senderDomain;
  const results: CheckResult[] = [];

  results.push(
    await guarded(
      'identifiants AWS',
      async () => {
        const sts = new STSClient({ region });
        try {
          const { Account } = await sts.send(new GetCallerIdentityCommand({}));
          return Account === account
            ? ok('identifiants AWS')
            : failed(
                'identifiants AWS',
                `les identifiants sont ceux du compte ${Account}, le fichier de déploiement dit ${account}`,
                `Prendre un profil du compte ${account} (AWS_PROFILE=… ou aws sso login)`,
              );
        } finally {
          sts.destroy();
        }
      },
      `Se connecter au compte ${account} (aws sso login, ou AWS_PROFILE=…)`,
    ),
  );

  // The edge stacks live in us-east-1, the rehearsal's mailbox (staging) where SES receives mail.
  const regions = [
    ...new Set([region, 'us-east-1', ...(deploy.rehearsalMailbox ? [REHEARSAL_MAILBOX_REGION] : [])]),
  ];
  for (const where of regions) {
    const name = `bootstrap CDK ${where}`;
    const fix = `npx cdk bootstrap ${regions.map((r) => `aws://${account}/${r}`).join(' ')} (le WAF de CloudFront vit dans us-east-1${deploy.rehearsalMailbox ? `, la boîte de répétition dans ${REHEARSAL_MAILBOX_REGION}` : ''})`;
    results.push(
      await guarded(
        name,
        async () => {
          const cfn = new CloudFormationClient({ region: where });
          try {
            const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }));
            const stack = Stacks?.[0];
            const version = Number(
              stack?.Outputs?.find((o) => o.OutputKey === 'BootstrapVersion')?.OutputValue,
            );
            if (!stack?.StackStatus?.endsWith('_COMPLETE') || stack.StackStatus.startsWith('DELETE')) {
              return failed(name, `pile CDKToolkit dans l’état ${stack?.StackStatus ?? 'inconnu'}`, fix);
            }
            if (!(version >= MIN_BOOTSTRAP_VERSION)) {
              return failed(name, `bootstrap version ${version || '?'} < ${MIN_BOOTSTRAP_VERSION}`, fix);
            }
            return ok(name);
          } finally {
            cfn.destroy();
          }
        },
        fix,
      ),
    );
  }

  const ses = new SESv2Client({ region });
  try {
    results.push(
      await guarded(
        'SES hors bac à sable',
        async () => {
          const account = await ses.send(new GetAccountCommand({}));
          if (!account.ProductionAccessEnabled) {
            return failed(
              'SES hors bac à sable',
              `le compte est dans le bac à sable SES de ${region} : il n’écrit qu’aux adresses vérifiées, 200 par jour`,
              `Console SES (${region}) > Account dashboard > Request production access (cas d’usage : courriels transactionnels d’un service public, codes et reçus). Compter 24 h.`,
            );
          }
          if (account.SendingEnabled === false) {
            return failed(
              'SES hors bac à sable',
              'l’envoi est suspendu sur ce compte',
              'Voir Console SES > Reputation metrics, et le support AWS',
            );
          }
          return ok('SES hors bac à sable');
        },
        'Vérifier les droits ses:GetAccount du rôle de déploiement',
      ),
    );

    const identityFix = `aws sesv2 create-email-identity --email-identity ${domain} --region ${region}, puis publier les 3 CNAME DKIM qu’elle donne`;
    const identity = await ses
      .send(new GetEmailIdentityCommand({ EmailIdentity: domain }))
      .catch((error: Error) => error);
    if (identity instanceof Error) {
      results.push(
        failed(`domaine SES ${domain} (DKIM)`, `${identity.name}: ${identity.message}`, identityFix),
      );
      results.push(
        failed(`MAIL FROM ${deploy.ses.mailFromDomain}`, 'pas d’identité SES pour le domaine', identityFix),
      );
    } else {
      const dkim = identity.DkimAttributes;
      const tokens = (dkim?.Tokens ?? []).map(
        (t) => `${t}._domainkey.${domain} CNAME ${t}.dkim.amazonses.com`,
      );
      results.push(
        identity.VerifiedForSendingStatus && dkim?.Status === 'SUCCESS'
          ? ok(`domaine SES ${domain} (DKIM)`)
          : failed(
              `domaine SES ${domain} (DKIM)`,
              `DKIM ${dkim?.Status ?? 'absent'}, envoi ${identity.VerifiedForSendingStatus ? 'vérifié' : 'non vérifié'}`,
              tokens.length > 0 ? `Publier dans le DNS : ${tokens.join(' ; ')}` : identityFix,
            ),
      );
      const mailFrom = identity.MailFromAttributes;
      const wanted = deploy.ses.mailFromDomain;
      results.push(
        mailFrom?.MailFromDomain === wanted && mailFrom.MailFromDomainStatus === 'SUCCESS'
          ? ok(`MAIL FROM ${wanted}`)
          : failed(
              `MAIL FROM ${wanted}`,
              mailFrom?.MailFromDomain
                ? `MAIL FROM ${mailFrom.MailFromDomain} (${mailFrom.MailFromDomainStatus})`
                : 'pas de domaine MAIL FROM personnalisé (SPF non aligné : DMARC échoue)',
              `aws sesv2 put-email-identity-mail-from-attributes --email-identity ${domain} --mail-from-domain ${wanted} --behavior-on-mx-failure REJECT_MESSAGE --region ${region} ; DNS : ${wanted} MX 10 feedback-smtp.${region}.amazonses.com et ${wanted} TXT "v=spf1 include:amazonses.com ~all"`,
            ),
      );
    }
  } finally {
    ses.destroy();
  }

  const dmarcFix = `Publier ${`_dmarc.${domain}`} TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}"`;
  results.push(
    await guarded(
      `DMARC _dmarc.${domain}`,
      async () => {
        const records = (await deps.resolveTxt(`_dmarc.${domain}`)).map((parts) => parts.join(''));
        const dmarc = records.filter((record) => /^v=DMARC1\b/i.test(record));
        if (dmarc.length !== 1) {
          return failed(`DMARC _dmarc.${domain}`, `${dmarc.length} enregistrement(s) DMARC`, dmarcFix);
        }
        const policy = /\bp=(\w+)/i.exec(dmarc[0] ?? '')?.[1]?.toLowerCase();
        return policy === 'quarantine' || policy === 'reject'
          ? ok(`DMARC _dmarc.${domain}`)
          : failed(
              `DMARC _dmarc.${domain}`,
              `politique p=${policy ?? '?'} : les usurpations passent`,
              dmarcFix,
            );
      },
      dmarcFix,
    ),
  );

  const reserved = FUNCTIONS.reduce((sum, fn) => sum + (fn.reservedConcurrency ?? 0), 0);
  const needed = reserved + UNRESERVED_MINIMUM;
  const quotaFix = `aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000 --region ${region}`;
  results.push(
    await guarded(
      'quota de concurrence Lambda',
      async () => {
        const lambda = new LambdaClient({ region });
        try {
          const { AccountLimit } = await lambda.send(new GetAccountSettingsCommand({}));
          const limit = AccountLimit?.ConcurrentExecutions ?? 0;
          return limit >= needed
            ? ok('quota de concurrence Lambda')
            : failed(
                'quota de concurrence Lambda',
                `${limit} exécutions simultanées ; il en faut ${needed} (${reserved} réservées + ${UNRESERVED_MINIMUM} que Lambda garde libres)`,
                quotaFix,
              );
        } finally {
          lambda.destroy();
        }
      },
      quotaFix,
    ),
  );

  results.push(
    existsSync(join(root, 'web', 'dist', 'index.html'))
      ? ok('site construit (web/dist)')
      : failed(
          'site construit (web/dist)',
          'web/dist/index.html absent : seul config.json serait publié',
          'npm run build:web',
        ),
  );
  return results;
}

export const preflight: Command = {
  ...PREFLIGHT,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, allowPositionals: false, options: TARGET_OPTIONS });
    const root = values.root ?? process.cwd();
    const resolved = await resolveTarget(values);
    if (!resolved.ok) {
      for (const line of resolved.errors) io.err(line);
      io.err(
        'ÉCHEC   fichiers d’édition et de déploiement : corriger les lignes ci-dessus (bp deploy validate)',
      );
      return 1;
    }
    if (!resolved.target.deploy) {
      io.err('bp preflight a besoin d’un fichier de déploiement : --deploy <édition>.<environnement>');
      return 2;
    }
    const editionProblems = (
      await validateEditionFile(join(root, 'editions', `${resolved.target.config.id}.json`))
    ).filter((line) => !line.startsWith(WARNING_PREFIX));
    const results = [
      editionProblems.length === 0
        ? ok('fichiers d’édition et de déploiement')
        : failed(
            'fichiers d’édition et de déploiement',
            editionProblems.join(' ; '),
            `bp edition validate editions/${resolved.target.config.id}.json`,
          ),
      ...(await runPreflight(resolved.target.deploy, root)),
    ];
    for (const result of results) {
      if (result.ok) io.out(`ok      ${result.name}`);
      else {
        io.out(`ÉCHEC   ${result.name} : ${result.problem}`);
        io.out(`        → ${result.fix}`);
      }
    }
    const failures = results.filter((r) => !r.ok).length;
    io.err(failures === 0 ? 'Prêt à déployer.' : `${failures} point(s) à corriger avant de déployer.`);
    return failures === 0 ? 0 : 1;
  },
};
