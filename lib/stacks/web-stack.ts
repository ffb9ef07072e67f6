import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, ArnFormat, CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { EDITION_LOGO } from '../../shared/edition/edition-config.ts';
import { EDITION_LOGO_PNG, logoPng } from '../../shared/email/logo-png.ts';
import { ORIGIN_VERIFY_HEADER } from '../../shared/http/origin.ts';
import { FUNCTIONS } from '../../shared/manifest.ts';
import { PICTURE_TAG, PICTURE_TAG_HEADER } from '../../shared/site/picture-tag.ts';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

/** A custom domain for the site: the ACM certificate must be in us-east-1 (a CloudFront rule). */
export interface SiteDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

export interface WebStackProps extends EditionStackProps {
  /** Host name of the HTTP API, forwarded under `/api/*`. */
  readonly apiOriginDomainName: string;
  /**
   * The manifest's `origin-verify` secret (Data stack): its value goes to the API as the origin header
   * `x-bp-origin-verify`, which the functions require before trusting `CloudFront-Viewer-Address`.
   */
  readonly originSecret: ISecret;
  readonly userPool: IUserPool;
  readonly webClient: IUserPoolClient;
  /**
   * Folder of the built site.
   * @default no site content: only `config.json` is deployed
   */
  readonly webDist?: string;
  /**
   * The edition's logo (an SVG file, `identity.logo` of the edition file), served as /edition-logo.svg.
   * @default none: a warning, and the pages show a broken image
   */
  readonly logoFile?: string;
  /**
   * The Département's domain for this edition.
   * @default the distribution's `*.cloudfront.net` name
   */
  readonly siteDomain?: SiteDomain;
  /**
   * How long CloudFront and S3 access logs are kept.
   * @default Duration.days(365)
   */
  readonly logRetention?: Duration;
  /**
   * ARN of a CLOUDFRONT-scope WAF web ACL (`WebAclStack`, deployed in us-east-1) attached to the
   * distribution, so its rate-based rules cover the site and the API behind `/api/*`.
   * @default no web ACL: stage throttling and the functions' own limits only (see WebAclStack)
   */
  readonly webAclArn?: string;
}

/** What the static site reads at start-up to find its API and its sign-in endpoint. */
export interface SiteRuntimeConfig {
  readonly edition: string;
  readonly apiBase: '/api';
  readonly cognito: { region: string; userPoolId: string; clientId: string; endpoint: string };
}

/**
 * The public entry point: a private bucket behind CloudFront (origin access control), with `/api/*`
 * forwarded uncached to the HTTP API so the site and its API share one origin (no CORS, no token in a
 * cross-site request).
 */
export class WebStack extends EditionStack {
  readonly distribution: Distribution;
  readonly siteBucket: Bucket;
  /** Export name of the site bucket's ARN: functions that publish under `data/` import it (functions-stack.ts). */
  readonly siteBucketArnExport: string;
  /**
   * Citizens' idea pictures, apart from the site: retained, versioned, private (presigned URLs only), CORS for
   * the site's origin only, and a lifecycle that removes uploads no idea ever referred to.
   */
  readonly picturesBucket: Bucket;
  /** Export name of the pictures bucket's ARN: functions that presign uploads import it (functions-stack.ts). */
  readonly picturesBucketArnExport: string;
  readonly logBucket: Bucket;
  /** The URL citizens use, for links in emails. */
  readonly siteUrl: string;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);

    this.logBucket = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      // CloudFront standard logs are delivered with an ACL grant, which needs ACLs enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: props.logRetention ?? Duration.days(365) }],
      // Access logs are evidence (who reached the site, when): they outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.siteBucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3-site/',
      // The content is rebuilt from the repository at every deploy.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    this.siteBucketArnExport = `${this.stackName}-SiteBucketArn`;
    new CfnOutput(this, 'SiteBucketArn', {
      value: this.siteBucket.bucketArn,
      exportName: this.siteBucketArnExport,
      description: 'Site bucket: the ideas function writes the static list of ideas under data/',
    });

    const uploads = FUNCTIONS.some((fn) => fn.permissions.presignsUploads);

    const cognitoEndpoint = `https://cognito-idp.${this.region}.amazonaws.com/`;
    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `Budget participatif ${props.editionId}: security headers`,
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            // Idea pictures are PUT to the pictures bucket with presigned URLs, and read with presigned URLs (never
            // through CloudFront). Its name would make this policy depend on the bucket whose CORS names the
            // distribution (a cycle): the region's S3 virtual hosts are allowed, a script would still need a signed URL.
            `connect-src 'self' ${cognitoEndpoint}${uploads ? ` https://*.s3.${this.region}.amazonaws.com` : ''}`,
            `img-src 'self' data:${uploads ? ` https://*.s3.${this.region}.amazonaws.com` : ''}`,
            "style-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
          ].join('; '),
          override: true,
        },
      },
    });

    const certificate = props.siteDomain
      ? Certificate.fromCertificateArn(this, 'Certificate', props.siteDomain.certificateArn)
      : undefined;
    const siteOrigin = S3BucketOrigin.withOriginAccessControl(this.siteBucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Budget participatif ${props.editionId}`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new HttpOrigin(props.apiOriginDomainName, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
            // A dynamic reference, resolved by CloudFormation at deploy: the value is in no template.
            // CloudFront replaces a viewer-sent header of this name.
            customHeaders: { [ORIGIN_VERIFY_HEADER]: props.originSecret.secretValue.unsafeUnwrap() },
          }),
          // A redirect would turn a POST into a GET: plain HTTP is refused instead.
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // Every viewer header (Authorization, Idempotency-Key...) except Host, which must name the API.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: securityHeaders,
        },
      },
      domainNames: props.siteDomain ? [props.siteDomain.domainName] : undefined,
      certificate,
      // Only settable with a custom certificate: the default *.cloudfront.net one has a policy fixed by AWS.
      minimumProtocolVersion: certificate ? SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      webAclId: props.webAclArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Visitors are in France: edge locations of Europe and North America are enough.
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });

    this.siteUrl = `https://${props.siteDomain?.domainName ?? this.distribution.distributionDomainName}`;

    this.picturesBucket = new Bucket(this, 'Pictures', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3-pictures/',
      // Citizens' work: it outlives the stack, and an overwritten or deleted picture can be brought back.
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Browsers PUT pictures straight here with presigned URLs (functions with `presignsUploads`): the URL is the
      // credential, CORS only lets the site's own pages send it (with the tag the URL signs) and read the answer.
      cors: uploads
        ? [
            {
              allowedMethods: [HttpMethods.PUT],
              allowedOrigins: [this.siteUrl],
              allowedHeaders: ['content-type', PICTURE_TAG_HEADER],
              maxAge: 3000,
            },
          ]
        : [],
      lifecycleRules: [
        {
          // Uploaded (tagged `pending` by the presigned PUT) but never referred to by an idea: gone after a day.
          // The ideas function tags a picture `attached` before an idea refers to it (shared/site/upload-presigner.ts).
          id: 'orphan-uploads',
          prefix: 'uploads/',
          tagFilters: { [PICTURE_TAG.key]: PICTURE_TAG.pending },
          expiration: Duration.days(1),
        },
        {
          // What a deletion or an overwrite left behind stays recoverable for a month, then goes.
          id: 'old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
    this.picturesBucketArnExport = `${this.stackName}-PicturesBucketArn`;
    new CfnOutput(this, 'PicturesBucketArn', {
      value: this.picturesBucket.bucketArn,
      exportName: this.picturesBucketArnExport,
      description: 'Pictures bucket: the ideas function presigns uploads and reads under uploads/',
    });

    const runtimeConfig: SiteRuntimeConfig = {
      edition: props.editionId,
      apiBase: '/api',
      cognito: {
        region: this.region,
        userPoolId: props.userPool.userPoolId,
        clientId: props.webClient.userPoolClientId,
        endpoint: cognitoEndpoint,
      },
    };
    const sources: ISource[] = [Source.jsonData('config.json', runtimeConfig)];
    if (props.logoFile && existsSync(props.logoFile)) {
      // Before config.json, which stays the last source.
      const svg = readFileSync(props.logoFile, 'utf8');
      // The same logo as a PNG, for the emails' header (mail clients show no SVG).
      const pngDir = mkdtempSync(join(tmpdir(), 'bp-logo-'));
      writeFileSync(join(pngDir, EDITION_LOGO_PNG), logoPng(svg));
      sources.unshift(Source.asset(pngDir));
      sources.unshift(Source.data(EDITION_LOGO, svg));
    } else {
      Annotations.of(this).addWarningV2(
        'bp:edition-logo-missing',
        `No logo at ${props.logoFile ?? '(none given)'}: the pages will show no Département logo.`,
      );
    }
    if (props.webDist && existsSync(props.webDist)) {
      sources.unshift(Source.asset(props.webDist));
    } else {
      Annotations.of(this).addWarningV2(
        'bp:web-dist-missing',
        `No built site at ${props.webDist ?? '(none given)'}: only config.json is deployed. ` +
          'Run `npm run build:web` before `cdk deploy` to publish the site.',
      );
    }
    new BucketDeployment(this, 'DeploySite', {
      sources,
      destinationBucket: this.siteBucket,
      // `data/` is written by the functions (the static list of ideas): a deploy neither prunes nor replaces it.
      exclude: ['data/*'],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
      // Its own log group with a retention, instead of one CloudWatch creates on first run and keeps forever.
      logGroup: new LogGroup(this, 'DeploySiteLogs', { retention: RetentionDays.THREE_MONTHS }),
    });
  }
}

export interface WebAclStackProps extends EditionStackProps {
  /**
   * Requests one client address may make in any 5 minutes, all paths together, before it is blocked.
   * @default 3000 (10 per second sustained: far above a person, below a flood)
   */
  readonly requestsPerAddress?: number;
  /**
   * Requests one client address may make to `/identity/` (email codes, sign-in) in any 5 minutes.
   * @default 300 (a town hall kiosk registering people all day stays under it; a code-guessing script does not)
   */
  readonly identityRequestsPerAddress?: number;
  /**
   * Receipt checks (`/receipts/`) one client address may make in any 5 minutes. Codes are ≈ 57 random bits,
   * so guessing is hopeless anyway; this keeps a script from even trying at scale.
   * @default 60 (a voter checks once or twice; a town hall desk helping people stays under it)
   */
  readonly receiptChecksPerAddress?: number;
}

/**
 * The WAF web ACL of an edition's distribution. A CLOUDFRONT-scope web ACL must be created in us-east-1,
 * and WAF cannot be attached to an HTTP API at all (only REST APIs, ALBs, AppSync, Cognito and
 * CloudFront), so it lives in its own us-east-1 stack and protects the API through the distribution's
 * `/api/*` behaviour; the Web stack takes its ARN (`webAclArn`) through a cross-region reference. The
 * API's `execute-api` URL is still published by API Gateway, but every HTTP function refuses a request without
 * the origin secret header CloudFront adds (`originSecret` of the Web stack; 403 `edge_required`,
 * shared/http/http-handler.ts), so nothing is served around the WAF; the functions also trust
 * `CloudFront-Viewer-Address` only with that header.
 */
export class WebAclStack extends EditionStack {
  readonly webAcl: CfnWebACL;
  readonly webAclArn: string;
  /** The `WebACL` dimension of the web ACL's CloudWatch metrics. */
  readonly webAclMetricName: string;
  /** Blocked and counted requests (WAF logs only go to a log group named `aws-waf-logs-*`). */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WebAclStackProps) {
    super(scope, id, props);
    const metric = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `bp-${props.editionId}-${name}`.slice(0, 128),
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: `Budget participatif ${props.editionId}: rate limits per client address`,
      defaultAction: { allow: {} },
      visibilityConfig: metric('web-acl'),
      rules: [
        {
          name: 'identity-rate-per-address',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.identityRequestsPerAddress ?? 300,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'CONTAINS',
                  searchString: '/identity/',
                  textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
                },
              },
            },
          },
          visibilityConfig: metric('identity-rate'),
        },
        {
          name: 'receipt-check-rate-per-address',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.receiptChecksPerAddress ?? 60,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'CONTAINS',
                  searchString: '/receipts/',
                  textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
                },
              },
            },
          },
          visibilityConfig: metric('receipt-rate'),
        },
        {
          name: 'rate-per-address',
          priority: 2,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.requestsPerAddress ?? 3000,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: metric('rate'),
        },
        {
          // Known botnets and scanners (AWS threat intelligence); no body-size rules, which would refuse
          // the 64 KiB bodies this API accepts.
          name: 'aws-ip-reputation',
          priority: 3,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' },
          },
          visibilityConfig: metric('ip-reputation'),
        },
      ],
    });
    this.webAclArn = this.webAcl.attrArn;
    this.webAclMetricName = metric('web-acl').metricName;

    // What the rules blocked (or counted), kept 90 days: who was refused, by which rule. Allowed requests are
    // dropped (the CloudFront logs have them), and so are the credentials a request carries.
    this.logGroup = new LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-bp-${props.editionId}`,
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      // The log group's ARN without the `:*` CloudFormation's `Arn` attribute ends with.
      logDestinationConfigs: [
        this.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
  }
}

export interface EdgeMonitoringStackProps extends EditionStackProps {
  /** The distribution (Web stack), through a cross-region reference. */
  readonly distributionId: string;
  /** `WebAclStack.webAclMetricName`. */
  readonly webAclMetricName: string;
  /** @default no subscription: operators subscribe to the topic themselves */
  readonly alarmEmail?: string;
}

/**
 * The edge's alarms, in us-east-1 where CloudFront and CLOUDFRONT-scope WAF publish their metrics (an alarm
 * watches metrics of its own region only), with their own topic: CloudFront 5xx and WAF blocks. After the Web
 * stack, whose distribution it watches (lib/edition-app.ts).
 */
export class EdgeMonitoringStack extends EditionStack {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: EdgeMonitoringStackProps) {
    super(scope, id, props);
    // No KMS key: CloudWatch cannot publish to a topic encrypted with the AWS managed key (see EditionMonitoring).
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Budget participatif ${props.editionId} : alertes (CDN et WAF)`,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const period = Duration.minutes(5);
    const alarm = (alarmId: string, metric: Metric, threshold: number, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        alarmDescription: description,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      created.addOkAction(new SnsAction(this.topic));
      this.alarms.push(created);
    };
    alarm(
      'CloudFront5xx',
      new Metric({
        namespace: 'AWS/CloudFront',
        metricName: '5xxErrorRate',
        dimensionsMap: { DistributionId: props.distributionId, Region: 'Global' },
        period,
        statistic: 'Average',
      }),
      5,
      `${props.editionId}: CloudFront answered 5xx to 5% of requests or more, 2 of 3 five-minute periods`,
    );
    alarm(
      'WafBlocked',
      new Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.webAclMetricName, Rule: 'ALL' },
        period,
        statistic: 'Sum',
      }),
      500,
      `${props.editionId}: the WAF blocked 500 requests or more in 2 of 3 five-minute periods: a flood held off, ` +
        'or citizens behind one address (a town hall) refused: read the aws-waf-logs-bp-* log group',
    );
  }
}
