import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { BpFunction } from '../constructs/bp-function.ts';
import { EditionMonitoring } from '../constructs/edition-monitoring.ts';
import { FUNCTIONS, type RouteSpec, routeKey } from '../manifest.ts';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

/** A readable, stable construct id for a route: `GET-api-editions-edition-staff-phase`. */
export function routeConstructId(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method}-${route.path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

export interface FunctionsStackProps extends EditionStackProps {
  readonly config: EditionConfig;
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly bus: IEventBus;
  readonly httpApi: IHttpApi;
  /** Issuer of staff tokens (lib/stacks/auth-stack.ts). */
  readonly staffIssuer: string;
  readonly webClient: IUserPoolClient;
  readonly siteUrl: string;
  /** The manifest's secrets by id (lib/stacks/data-stack.ts). */
  readonly secrets: Readonly<Record<string, ISecret>>;
  /** @default no subscription to the alarm topic */
  readonly alarmEmail?: string;
}

/**
 * The edition's compute, generated from the manifest: one function per entry, its routes on the HTTP API,
 * its event rules on the edition bus, its schedules, and the alarms and dashboard that watch them.
 */
export class FunctionsStack extends EditionStack {
  readonly functions: BpFunction[];
  readonly scheduleGroup: ScheduleGroup;
  readonly routes: { route: RouteSpec; construct: HttpRoute }[] = [];
  readonly monitoring: EditionMonitoring;

  constructor(scope: Construct, id: string, props: FunctionsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.scheduleGroup = new ScheduleGroup(this, 'Schedules');
    // No API Gateway authorizer: every function verifies the bearer token itself and enforces the
    // manifest's roles (shared/http/http-handler.ts), so a refusal is problem+json like any other,
    // staff and citizen tokens share one path, and the local runtime behaves exactly as deployed.
    const staffTokens = { issuer: props.staffIssuer, audience: props.webClient.userPoolClientId };

    const seenRoutes = new Set<string>();
    this.functions = FUNCTIONS.map((spec) => {
      const bp = new BpFunction(this, spec.name, {
        spec,
        projectRoot: props.projectRoot,
        editionId: config.id,
        mailFrom: config.mailFrom,
        siteUrl: props.siteUrl,
        staffTokens,
        table: props.table,
        bus: props.bus,
        secrets: props.secrets,
      });

      const integration = new HttpLambdaIntegration(`${spec.name}-Integration`, bp.fn);
      for (const route of spec.routes) {
        const key = routeKey(route);
        if (seenRoutes.has(key)) throw new Error(`Route declared twice in the manifest: ${key}`);
        seenRoutes.add(key);
        const construct = new HttpRoute(bp, `Route-${routeConstructId(route)}`, {
          httpApi: props.httpApi,
          routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
          integration,
        });
        this.routes.push({ route, construct });
      }

      for (const subscription of spec.subscriptions) bp.subscribe(props.bus, subscription);
      for (const schedule of spec.schedules(config)) bp.schedule(this.scheduleGroup, schedule);
      return bp;
    });

    this.monitoring = new EditionMonitoring(this, 'Monitoring', {
      editionId: config.id,
      httpApi: props.httpApi,
      functions: this.functions,
      alarmEmail: props.alarmEmail,
    });
  }
}
