import { existsSync } from 'node:fs';
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
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
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

/** A custom domain for the site: the ACM certificate must be in us-east-1 (a CloudFront rule). */
export interface SiteDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

export interface WebStackProps extends EditionStackProps {
  /** Host name of the HTTP API, forwarded under `/api/*`. */
  readonly apiOriginDomainName: string;
  readonly userPool: IUserPool;
  readonly webClient: IUserPoolClient;
  /**
   * Folder of the built site.
   * @default no site content: only `config.json` is deployed
   */
  readonly webDist?: string;
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
            `connect-src 'self' ${cognitoEndpoint}`,
            "img-src 'self' data:",
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
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Budget participatif ${props.editionId}`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.siteBucket),
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
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Visitors are in France: edge locations of Europe and North America are enough.
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });

    this.siteUrl = `https://${props.siteDomain?.domainName ?? this.distribution.distributionDomainName}`;

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
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
  }
}
