/** Builds editions in process for the infra tests, with the project's cdk.json context. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  buildEditionApp,
  type EditionAppOptions,
  type EditionStacks,
  PROJECT_ROOT,
  projectContext,
} from '../../lib/edition-app.ts';
import { EditionConfig } from '../../shared/edition/edition-config.ts';

/** Each App synthesizes into its own folder under one root, removed when the test process ends. */
const OUT_ROOT = mkdtempSync(join(tmpdir(), 'bp-infra-'));
process.on('exit', () => rmSync(OUT_ROOT, { recursive: true, force: true }));

export const FIXTURE_FILE = join(PROJECT_ROOT, 'test', 'fixtures', 'edition-minimal.json');
/** Fixed so that two synths of the same config give the same templates. */
export const DEPLOYED_AT = new Date('2027-01-04T10:00:00.000Z');

/** The minimal fixture edition, optionally under another id (a second edition of the same app). */
export function fixtureConfig(id?: string): EditionConfig {
  const raw = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as Record<string, unknown>;
  return EditionConfig.parse(id ? { ...raw, id } : raw);
}

export interface BuiltEdition {
  readonly config: EditionConfig;
  readonly stacks: EditionStacks;
  /** Every part's template; the rehearsal's mailbox only when the options ask for it. */
  readonly templates: { readonly [Part in Exclude<keyof EditionStacks, 'rehearsalMailbox'>]: Template } & {
    readonly rehearsalMailbox?: Template;
  };
}

/**
 * One app holding the given editions. Bundling is skipped unless `bundle` names the stacks to bundle
 * (`['*']` for all): templates do not depend on bundle content, and bundling is the slow part.
 */
export function buildApp(
  configs: readonly EditionConfig[],
  options: EditionAppOptions & { bundle?: string[] } = {},
): { app: App; editions: BuiltEdition[] } {
  const { bundle = [], ...appOptions } = options;
  const app = new App({
    outdir: mkdtempSync(join(OUT_ROOT, 'cdk.out-')),
    context: { ...projectContext(), 'aws:cdk:bundling-stacks': bundle },
  });
  const built = configs.map((config) => ({
    config,
    stacks: buildEditionApp(app, config, { deployedAt: DEPLOYED_AT, ...appOptions }),
  }));
  const editions = built.map(({ config, stacks }) => ({
    config,
    stacks,
    templates: {
      data: Template.fromStack(stacks.data),
      auth: Template.fromStack(stacks.auth),
      api: Template.fromStack(stacks.api),
      web: Template.fromStack(stacks.web),
      functions: Template.fromStack(stacks.functions),
      ...(stacks.rehearsalMailbox ? { rehearsalMailbox: Template.fromStack(stacks.rehearsalMailbox) } : {}),
    },
  }));
  return { app, editions };
}

/** Every template of an edition, with its part name. */
export function allTemplates(edition: BuiltEdition): [string, Template][] {
  return Object.entries(edition.templates);
}
