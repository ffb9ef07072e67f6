import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpStage,
  type IHttpApi,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { FilterPattern, type ILogGroup, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
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

/** Requests per second (steady, burst) one route may take, whoever sends them. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Routes with their own, lower limit than the stage's: what each request costs elsewhere, not what a client may
 * send (the WAF limits each address). Keys are manifest route keys (test/infra/run-safely.test.ts checks they exist).
 */
export const ROUTE_THROTTLES: Readonly<Record<string, RouteThrottle>> = {
  // One email per request: kept under the SES sending rate of a new production account (≈ 14 to 50 per second),
  // so a flood of code requests is refused here (429) instead of SES refusing every edition's mail. 20 per second
  // is 72,000 codes an hour, far above a vote's opening hour.
  'POST /api/editions/{edition}/identity/code': { rateLimit: 20, burstLimit: 40 },
  // A hash check and a few writes per request, on the identity function's 50 reserved executions: the limit keeps
  // room in them for `/me` and the staff's identity routes during a sign-in rush.
  'POST /api/editions/{edition}/identity/session': { rateLimit: 50, burstLimit: 100 },
};

/** Namespace of the edition's custom metrics taken from logs (the API's 429s): one per edition by dimension. */
export const API_LOG_METRICS_NAMESPACE = 'BudgetParticipatif/Api';
export const API_THROTTLED_METRIC = 'Throttled429';

/**
 * The HTTP API itself, without routes nor stage: its access log group (and the metric of its 429s). Routes are
 * added by the functions stack, which then creates the stage (`ApiStage`): per-route throttles name routes, and
 * API Gateway refuses a stage whose route settings name a route that does not exist yet. Keeping the API in its
 * own stack lets the web stack put it behind CloudFront and the functions learn the site URL, with no dependency
 * cycle (see lib/edition-app.ts).
 */
export class ApiStack extends EditionStack {
  readonly httpApi: HttpApi;
  /** Host name of the API, as a CloudFront origin. */
  readonly originDomainName: string;
  /** What the stage is built with, once the routes exist. */
  readonly stageSettings: ApiStageSettings;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `Budget participatif ${props.editionId}`,
      createDefaultStage: false,
      // No `corsPreflight`, on purpose: the site calls the API on its own origin (CloudFront `/api/*`), so
      // no other origin gets CORS headers and a browser on another site cannot read an answer.
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    // HTTP APIs publish 4xx, never 429 apart: the access log's status is counted instead, for the throttling alarm.
    new MetricFilter(this, 'Throttled', {
      logGroup: accessLogs,
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: API_LOG_METRICS_NAMESPACE,
      metricName: API_THROTTLED_METRIC,
      metricValue: '1',
      dimensions: { edition: '$.edition' },
    });
    this.stageSettings = {
      accessLogs,
      editionId: props.editionId,
      rateLimit: props.rateLimit ?? 1000,
      burstLimit: props.burstLimit ?? 2000,
    };

    this.originDomainName = `${this.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
  }
}

export interface ApiStageSettings {
  readonly accessLogs: ILogGroup;
  readonly editionId: string;
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface ApiStageProps extends ApiStageSettings {
  readonly httpApi: IHttpApi;
  /** The routes the stage must come after (the per-route throttles name them). */
  readonly routes: readonly IDependable[];
}

/**
 * The API's `$default` stage: the stage throttle, `ROUTE_THROTTLES` per route, detailed metrics and access logs.
 * Created with the routes (functions stack), after them.
 */
export class ApiStage extends Construct {
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: ApiStageProps) {
    super(scope, id);
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: props.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(props.accessLogs),
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
            // The dimension of the 429 metric (ApiStack): constant, but a log field is what a filter reads.
            edition: props.editionId,
          }),
        ),
      },
    });
    // Route settings replace the default ones for their route: detailed metrics are restated.
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      Object.entries(ROUTE_THROTTLES).map(([key, limit]) => [
        key,
        // A JSON property of the L1: written as CloudFormation spells it.
        {
          ThrottlingRateLimit: limit.rateLimit,
          ThrottlingBurstLimit: limit.burstLimit,
          DetailedMetricsEnabled: true,
        },
      ]),
    );
    for (const route of props.routes) this.stage.node.addDependency(route);
  }
}
