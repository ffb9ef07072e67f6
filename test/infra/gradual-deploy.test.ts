import { Stack } from 'aws-cdk-lib';
import type { CfnAlias, CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/manifest.ts';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

let edition: BuiltEdition;

beforeAll(() => {
  edition = buildApp([fixtureConfig()]).editions[0] as BuiltEdition;
});

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resources = () => edition.templates.functions.toJSON().Resources as Resources;
const ofType = (type: string) => Object.values(resources()).filter((resource) => resource.Type === type);

/** Logical ids of every function and of every `live` alias, by function name. */
function ids() {
  const stack = Stack.of(edition.stacks.functions);
  return edition.stacks.functions.functions.map((bp) => ({
    name: bp.spec.name,
    fn: stack.getLogicalId(bp.fn.node.defaultChild as CfnFunction),
    alias: stack.getLogicalId(bp.live.node.defaultChild as CfnAlias),
  }));
}

describe('functions deploy as versions behind a `live` alias, gradually, with rollback on alarm', () => {
  it('gives each function a `live` alias and a CodeDeploy group: canary 10% for 5 minutes, rollback on its errors alarm', () => {
    // Prepare
    const functions = ids();
    const groups = ofType('AWS::CodeDeploy::DeploymentGroup');
    const aliases = ofType('AWS::Lambda::Alias');

    // Assess
    expect(functions.length).toBe(FUNCTIONS.length);
    expect(aliases).toHaveLength(FUNCTIONS.length);
    for (const alias of aliases) expect(alias.Properties.Name).toBe('live');
    expect(groups).toHaveLength(FUNCTIONS.length);
    for (const group of groups) {
      expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      expect(group.Properties.AutoRollbackConfiguration).toMatchObject({
        Enabled: true,
        Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      });
      const alarms = (group.Properties.AlarmConfiguration as { Alarms: unknown[]; Enabled: boolean }) ?? {};
      expect(alarms.Enabled).toBe(true);
      expect(alarms.Alarms).toHaveLength(1);
    }
  });

  it('invokes the alias, never the bare function, from routes, event rules and schedules', () => {
    // Prepare
    const functions = ids();
    const integrations = ofType('AWS::ApiGatewayV2::Integration');
    const rules = ofType('AWS::Events::Rule');
    const schedules = ofType('AWS::Scheduler::Schedule');

    // Assess: every target references an alias; no target is a function's own ARN.
    expect(integrations.length).toBeGreaterThan(0);
    expect(rules.length).toBeGreaterThan(0);
    expect(schedules.length).toBeGreaterThan(0);
    const aliasIds = new Set(functions.map((fn) => fn.alias));
    const functionIds = new Set(functions.map((fn) => fn.fn));
    const targets = [
      ...integrations.map((integration) => integration.Properties.IntegrationUri),
      ...rules.flatMap((rule) => (rule.Properties.Targets as { Arn: unknown }[]).map((target) => target.Arn)),
      ...schedules.map((schedule) => (schedule.Properties.Target as { Arn: unknown }).Arn),
      // The vote canary's start and stop call the Synthetics API, not a function.
    ].filter((target) => !JSON.stringify(target).includes(':aws-sdk:synthetics:'));
    for (const target of targets) {
      const referenced = JSON.stringify(target);
      expect(
        [...aliasIds].some((id) => referenced.includes(`"${id}"`)),
        referenced,
      ).toBe(true);
      expect(
        [...functionIds].some((id) => referenced.includes(`"${id}"`)),
        referenced,
      ).toBe(false);
    }
    // The asynchronous retries and failure destination are configured on the alias that is invoked.
    const invokeConfigs = ofType('AWS::Lambda::EventInvokeConfig');
    expect(invokeConfigs.length).toBeGreaterThan(0);
    for (const config of invokeConfigs) {
      const qualifier = JSON.stringify(config.Properties.Qualifier);
      expect(
        [...aliasIds].some((id) => qualifier.includes(`"${id}"`)),
        qualifier,
      ).toBe(true);
    }
  });

  it('reserves concurrency for the paths citizens wait on (identity, voting), as the manifest says', () => {
    // Prepare
    const byName = new Map(
      edition.stacks.functions.functions.map((bp) => [
        bp.spec.name,
        (bp.fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions,
      ]),
    );

    // Assess
    expect(byName.get('voting')).toBe(100);
    expect(byName.get('identity')).toBe(50);
    expect(byName.get('notifications')).toBeUndefined();
  });
});
