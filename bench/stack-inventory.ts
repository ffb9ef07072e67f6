/**
 * What an edition's stacks really create, read from the synthesized CloudFormation templates, for bench:cost:
 * the fixed monthly items of the bill (alarms, dashboards, WAF web ACLs and their rules, secrets, Cognito's
 * plan, canaries, KMS keys) follow the stacks as they change instead of constants in the bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildEditionApp, projectContext } from '../lib/edition-app.ts';
import type { EditionConfig } from '../shared/edition/edition-config.ts';

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface StackInventory {
  alarms: number;
  dashboards: number;
  webAcls: number;
  /** Rules of all web ACLs (a managed rule group counts as one rule, as WAF bills it). */
  wafRules: number;
  secrets: number;
  queues: number;
  kmsKeys: number;
  /** Runs per month of every canary started at creation, from its schedule (`rate(N minutes|hours)`). */
  canaryRunsPerMonth: number;
  /**
   * Runs of every canary created stopped and run by one-time start and stop schedules (the vote canary: from the
   * vote's opening to a day after it closes), once per edition.
   */
  canaryRunsPerEdition: number;
  /** Log metric filters: each publishes a custom metric (the API's 429s). */
  metricFilters: number;
  /** Feature plan of each user pool (`LITE`, `ESSENTIALS` or `PLUS`; CloudFormation's default is ESSENTIALS). */
  userPoolTiers: string[];
}

const MINUTES_PER_MONTH = 30 * 24 * 60;

function runsPerMonth(expression: unknown): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(String(expression));
  if (!match) return 0;
  const every = Number(match[1]) * (match[2]?.startsWith('hour') ? 60 : 1);
  return MINUTES_PER_MONTH / every;
}

/**
 * Minutes between the one-time schedules that start and stop a canary in the template (Scheduler universal targets
 * `aws-sdk:synthetics:startCanary` / `stopCanary` with `at(...)`), or `undefined` without both.
 */
function scheduledWindow(template: { Resources?: Record<string, Resource> }): number | undefined {
  const at = (action: string) => {
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Scheduler::Schedule') continue;
      const properties = resource.Properties ?? {};
      if (!JSON.stringify(properties.Target ?? {}).includes(`synthetics:${action}`)) continue;
      const match = /^at\((.+)\)$/.exec(String(properties.ScheduleExpression));
      if (match) return Date.parse(`${match[1]}Z`);
    }
    return undefined;
  };
  const start = at('startCanary');
  const stop = at('stopCanary');
  return start === undefined || stop === undefined ? undefined : Math.max(0, (stop - start) / 60_000);
}

/** Counts the billed resources of CloudFormation templates (pure: tested on hand-made templates). */
export function inventoryOf(templates: readonly { Resources?: Record<string, Resource> }[]): StackInventory {
  const inventory: StackInventory = {
    alarms: 0,
    dashboards: 0,
    webAcls: 0,
    wafRules: 0,
    secrets: 0,
    queues: 0,
    kmsKeys: 0,
    canaryRunsPerMonth: 0,
    canaryRunsPerEdition: 0,
    metricFilters: 0,
    userPoolTiers: [],
  };
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      const properties = resource.Properties ?? {};
      switch (resource.Type) {
        case 'AWS::CloudWatch::Alarm':
        case 'AWS::CloudWatch::CompositeAlarm':
          inventory.alarms += 1;
          break;
        case 'AWS::CloudWatch::Dashboard':
          inventory.dashboards += 1;
          break;
        case 'AWS::WAFv2::WebACL':
          inventory.webAcls += 1;
          inventory.wafRules += Array.isArray(properties.Rules) ? properties.Rules.length : 0;
          break;
        case 'AWS::SecretsManager::Secret':
          inventory.secrets += 1;
          break;
        case 'AWS::SQS::Queue':
          inventory.queues += 1;
          break;
        case 'AWS::KMS::Key':
          inventory.kmsKeys += 1;
          break;
        case 'AWS::Synthetics::Canary': {
          const perMonth = runsPerMonth(
            (properties.Schedule as { Expression?: unknown } | undefined)?.Expression,
          );
          const window =
            properties.StartCanaryAfterCreation === false ? scheduledWindow(template) : undefined;
          if (window === undefined) inventory.canaryRunsPerMonth += perMonth;
          else inventory.canaryRunsPerEdition += (perMonth * window) / MINUTES_PER_MONTH;
          break;
        }
        case 'AWS::Logs::MetricFilter':
          inventory.metricFilters += 1;
          break;
        case 'AWS::Cognito::UserPool':
          inventory.userPoolTiers.push(String(properties.UserPoolTier ?? 'ESSENTIALS'));
          break;
      }
    }
  }
  return inventory;
}

/** Synthesizes one edition (no bundling: templates do not depend on bundle content) and counts its resources. */
export function synthInventory(config: EditionConfig, webDist: string): StackInventory {
  const outdir = mkdtempSync(join(tmpdir(), 'bp-cost-synth-'));
  try {
    const app = new App({ outdir, context: { ...projectContext(), 'aws:cdk:bundling-stacks': [] } });
    buildEditionApp(app, config, { webDist, nag: false, deployedAt: new Date(0) });
    const assembly = app.synth();
    return inventoryOf(
      assembly.stacks.map((stack) => stack.template as { Resources?: Record<string, Resource> }),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
