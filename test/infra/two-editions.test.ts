import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, readEditionConfig } from '../../lib/edition-app.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

/** Names that must be unique in an account and region, which CDK generates from the construct path. */
const ACCOUNT_UNIQUE_NAMES: Record<string, (properties: Record<string, unknown>) => unknown> = {
  'AWS::Events::EventBus': (properties) => properties.Name,
  'AWS::Scheduler::ScheduleGroup': (properties) => properties.Name,
  'AWS::CloudFront::ResponseHeadersPolicy': (properties) =>
    (properties.ResponseHeadersPolicyConfig as { Name?: unknown }).Name,
  'AWS::CloudFront::OriginAccessControl': (properties) =>
    (properties.OriginAccessControlConfig as { Name?: unknown }).Name,
};

function generatedNames(edition: BuiltEdition): string[] {
  return Object.values(edition.templates).flatMap((template) =>
    Object.values(
      template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>,
    )
      .map((resource) => ACCOUNT_UNIQUE_NAMES[resource.Type]?.(resource.Properties ?? {}))
      .filter((name): name is string => typeof name === 'string'),
  );
}

/** The demo editions when their files exist (another task writes them), else two copies of the fixture. */
function twoEditions(): EditionConfig[] {
  const files = ['loire-atlantique-demo', 'gironde-demo'].map((id) =>
    join(PROJECT_ROOT, 'editions', `${id}.json`),
  );
  if (files.every((file) => existsSync(file))) {
    return files.map((file) => {
      const result = readEditionConfig(file);
      if (!result.ok) throw new Error(result.errors.join('\n'));
      return result.config;
    });
  }
  return [fixtureConfig(), fixtureConfig('test-second')];
}

describe('two editions in one app', () => {
  it('synthesize side by side with distinct stacks, exports and generated names', () => {
    // Prepare
    const configs = twoEditions();

    // Act
    const { app, editions } = buildApp(configs);
    const assembly = app.synth();

    // Assess
    const stackNames = assembly.stacks.map((stack) => stack.stackName);
    // Five stacks per edition in its region, plus its WAF web ACL's stack (`-Edge`) and the alarms of the
    // distribution and the WAF (`-EdgeAlarms`) in us-east-1.
    expect(stackNames).toHaveLength(14);
    expect(new Set(stackNames).size).toBe(14);
    for (const config of configs) {
      expect(stackNames.filter((name) => name.startsWith(`Bp-${config.id}-`))).toHaveLength(7);
    }
    const [first, second] = editions as [BuiltEdition, BuiltEdition];
    const firstNames = generatedNames(first);
    expect(firstNames).toHaveLength(Object.keys(ACCOUNT_UNIQUE_NAMES).length);
    expect(generatedNames(second).filter((name) => firstNames.includes(name))).toEqual([]);
    const exports = assembly.stacks.flatMap((stack) =>
      Object.values(
        (stack.template as { Outputs?: Record<string, { Export?: { Name: string } }> }).Outputs ?? {},
      )
        .map((output) => output.Export?.Name)
        .filter(Boolean),
    );
    expect(new Set(exports).size).toBe(exports.length);
  });

  it('seed each edition config into its own table only', () => {
    // Prepare
    const configs = [fixtureConfig(), fixtureConfig('test-second')];

    // Act
    const { editions } = buildApp(configs);

    // Assess
    for (const edition of editions) {
      const seed = JSON.stringify(edition.templates.data.findResources('Custom::AWS'));
      expect(seed).toContain(`EDITION#${edition.config.id}`);
      const other = configs.find((config) => config.id !== edition.config.id);
      expect(seed).not.toContain(`EDITION#${other?.id}\\`);
    }
  });
});
