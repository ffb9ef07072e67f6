import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { EmailIdentity, Identity, ReceiptRule, ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

/** Where SES stores each message in the mailbox bucket; `bp rehearse --mailbox s3://<bucket>/mailbox/` reads it. */
export const REHEARSAL_MAILBOX_PREFIX = 'mailbox/';

/** The rehearsal's mailbox of a staging edition (the `rehearsalMailbox` field of its deploy file). */
export interface RehearsalMailbox {
  /** The test subdomain whose mail SES receives, e.g. `repetition.staging.demo.loire-atlantique.example`. */
  readonly domain: string;
}

export interface RehearsalMailboxStackProps extends EditionStackProps, RehearsalMailbox {
  /**
   * How long a received message is kept.
   * @default Duration.days(7)
   */
  readonly retention?: Duration;
}

/**
 * The staging mailbox `bp rehearse` reads codes and links from (docs/rehearsal.md), so that a rehearsal against
 * a deployed edition needs no door in the product: SES receives the mail of one test subdomain and stores each
 * message, as it came, in a private bucket under `mailbox/`. In a region where SES receives mail (eu-west-1: not
 * eu-west-3), like the edge stacks are in us-east-1. Only a staging deploy file can ask for it
 * (lib/deploy-config.ts).
 *
 * SES receives for a domain verified in its own region: the stack creates the subdomain's identity there, whose
 * DKIM records, with the MX record, are the stack's outputs for the DNS. A receipt rule set does nothing until it
 * is the account's active one, which CloudFormation cannot say: a custom resource calls `SetActiveReceiptRuleSet`
 * on deploy and switches it off before the rule set is deleted.
 */
export class RehearsalMailboxStack extends EditionStack {
  readonly bucket: Bucket;
  readonly ruleSet: ReceiptRuleSet;
  readonly rule: ReceiptRule;
  readonly identity: EmailIdentity;

  constructor(scope: Construct, id: string, props: RehearsalMailboxStackProps) {
    super(scope, id, props);

    this.bucket = new Bucket(this, 'Mailbox', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      lifecycleRules: [
        {
          id: 'mailbox-expiry',
          prefix: REHEARSAL_MAILBOX_PREFIX,
          expiration: props.retention ?? Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Test messages of a rehearsal: nothing to keep once the mailbox is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    this.identity = new EmailIdentity(this, 'Domain', { identity: Identity.domain(props.domain) });

    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet');
    // SES may write under mailbox/ only, for a rule of this rule set in this account (the confused deputy: no
    // other account's rule can fill this bucket).
    const sourceArn = this.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${this.ruleSet.receiptRuleSetName}:receipt-rule/*`,
    });
    const policy = this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SesStoresRehearsalMail',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${REHEARSAL_MAILBOX_PREFIX}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': sourceArn },
        },
      }),
    );
    this.rule = new ReceiptRule(this, 'Rule', {
      ruleSet: this.ruleSet,
      // The domain itself, not its subdomains: every address @<domain>, nothing else.
      recipients: [props.domain],
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      // The S3 action of aws-ses-actions writes its own bucket policy with `aws:SourceAccount` only; this one is
      // the same action with the policy above, which also names the rule set.
      actions: [
        {
          bind: () => ({
            s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: REHEARSAL_MAILBOX_PREFIX },
          }),
        },
      ],
    });
    // SES checks it may write (it stores a setup notification) when the rule is created.
    if (policy.policyDependable) this.rule.node.addDependency(policy.policyDependable);

    const activate = {
      service: 'SES',
      action: 'SetActiveReceiptRuleSet',
      parameters: { RuleSetName: this.ruleSet.receiptRuleSetName },
      physicalResourceId: PhysicalResourceId.of(`${this.stackName}-active-rule-set`),
    };
    const active = new AwsCustomResource(this, 'ActiveRuleSet', {
      onCreate: activate,
      onUpdate: activate,
      // No name: no active rule set. A rule set cannot be deleted while it is the active one.
      onDelete: { service: 'SES', action: 'SetActiveReceiptRuleSet', parameters: {} },
      policy: AwsCustomResourcePolicy.fromStatements([
        // SetActiveReceiptRuleSet has no resource-level permission.
        new PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new LogGroup(this, 'ActiveRuleSetLogs', { retention: RetentionDays.ONE_MONTH }),
    });
    active.node.addDependency(this.rule);

    new CfnOutput(this, 'MailboxUri', {
      value: `s3://${this.bucket.bucketName}/${REHEARSAL_MAILBOX_PREFIX}`,
      description: 'bp rehearse --mailbox <this> --mailbox-region <region of this stack>',
    });
    new CfnOutput(this, 'MxRecord', {
      value: `${props.domain}. MX 10 inbound-smtp.${this.region}.amazonaws.com.`,
      description: 'DNS: the record that sends the test subdomain’s mail to SES',
    });
    this.identity.dkimRecords.forEach((record, i) => {
      new CfnOutput(this, `DkimRecord${i + 1}`, {
        value: `${record.name}. CNAME ${record.value}.`,
        description: 'DNS: verifies the test subdomain in SES (receiving needs a verified domain)',
      });
    });
  }
}
