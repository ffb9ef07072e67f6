import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

export interface ApiStackProps extends EditionStackProps {
  /**
   * Steady-state requests per second allowed on the stage.
   * @default 1000, the vote's design load (ARCHITECTURE.md: 1,000 ballots per second)
   */
  readonly rateLimit?: number;
  /**
   * Burst of requests allowed on the stage.
   * @default 2000
   */
  readonly burstLimit?: number;
}

/**
 * The HTTP API itself, without routes: its stage, throttling and access logs. Routes are added by the
 * functions stack. Keeping the API in its own stack lets the web stack put it behind CloudFront and the
 * functions learn the site URL, with no dependency cycle (see lib/edition-app.ts).
 */
export class ApiStack extends EditionStack {
  readonly httpApi: HttpApi;
  /** Host name of the API, as a CloudFront origin. */
  readonly originDomainName: string;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `Budget participatif ${props.editionId}`,
      createDefaultStage: false,
      // No `corsPreflight`, on purpose: the site calls the API on its own origin (CloudFront `/api/*`), so
      // no other origin gets CORS headers and a browser on another site cannot read an answer.
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 1000, burstLimit: props.burstLimit ?? 2000 },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No source IP: behind CloudFront it is an edge address anyway, and the access log must not
        // become a list of who called which route.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    this.originDomainName = `${this.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
  }
}
