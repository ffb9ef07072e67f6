import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { STAFF_ROLES } from '../../shared/auth/roles.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { BpFunction } from '../constructs/bp-function.ts';
import { EditionMonitoring } from '../constructs/edition-monitoring.ts';
import { FUNCTIONS, type FunctionSpec, type RouteSpec, routeKey } from '../manifest.ts';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

/**
 * Who checks a route's caller:
 * - `none`: public by design;
 * - `gateway-jwt`: staff only, API Gateway verifies the Cognito token (the handler still checks the role
 *   against the manifest, since a JWT authorizer checks scopes, not groups);
 * - `handler`: the route admits citizens, whose sessions come from the identity context, not Cognito, so
 *   only the handler can verify them.
 */
export type RouteAuthorization = 'none' | 'gateway-jwt' | 'handler';

export function routeAuthorization(route: Pick<RouteSpec, 'access'>): RouteAuthorization {
  if (route.access === 'public') return 'none';
  const staff: readonly string[] = STAFF_ROLES;
  return route.access.every((role) => staff.includes(role)) ? 'gateway-jwt' : 'handler';
}

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
  readonly userPool: IUserPool;
  readonly webClient: IUserPoolClient;
  readonly siteUrl: string;
  /** @default no subscription to the alarm topic */
  readonly alarmEmail?: string;
  /** @default every function of lib/manifest.ts */
  readonly functions?: readonly FunctionSpec[];
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
    const specs = props.functions ?? FUNCTIONS;

    this.scheduleGroup = new ScheduleGroup(this, 'Schedules');
    const staffJwt = new HttpJwtAuthorizer(
      'StaffJwt',
      `https://cognito-idp.${this.region}.amazonaws.com/${props.userPool.userPoolId}`,
      { jwtAudience: [props.webClient.userPoolClientId], identitySource: ['$request.header.Authorization'] },
    );

    const seenRoutes = new Set<string>();
    this.functions = specs.map((spec) => {
      const bp = new BpFunction(this, spec.name, {
        spec,
        projectRoot: props.projectRoot,
        editionId: config.id,
        mailFrom: config.mailFrom,
        siteUrl: props.siteUrl,
        table: props.table,
        bus: props.bus,
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
          authorizer: routeAuthorization(route) === 'gateway-jwt' ? staffJwt : undefined,
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
