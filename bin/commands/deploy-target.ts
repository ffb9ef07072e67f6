/**
 * What the ops commands (`staff`, `dlq`, `export`, `preflight`) act on: one edition in one environment, named by
 * its deploy file (`--deploy <edition>.<environment>`, which gives the region), or, for a pool or a table given by
 * hand (the local stack, a test), `--edition <id>` with `--region`. The edition's resources are found through
 * its CloudFormation stacks (`Bp-<edition>-<Part>`), so no command needs a name typed by hand.
 *
 * AWS clients are created with the region only: credentials and endpoints come from the standard chain and the
 * SDK's `AWS_ENDPOINT_URL_<SERVICE>` variables (the local stack sets them), never from an `if (local)`.
 */
import { join } from 'node:path';
import {
  CloudFormationClient,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { type DeployConfig, readDeployConfig } from '../../lib/deploy-config.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';

export const DEFAULT_REGION = 'eu-west-3';

/** The options every ops command accepts, for `node:util` `parseArgs`. */
export const TARGET_OPTIONS = {
  deploy: { type: 'string' },
  edition: { type: 'string' },
  region: { type: 'string' },
  root: { type: 'string' },
} as const;

export interface Target {
  readonly config: EditionConfig;
  /** Absent when the command was pointed at an edition by hand (`--edition`). */
  readonly deploy?: DeployConfig;
  readonly region: string;
}

export type TargetResult = { ok: true; target: Target } | { ok: false; errors: string[] };

/** Resolves `--deploy` or `--edition` (+ `--region`); `--root` is the repository (default: the current folder). */
export async function resolveTarget(values: {
  deploy?: string | undefined;
  edition?: string | undefined;
  region?: string | undefined;
  root?: string | undefined;
}): Promise<TargetResult> {
  const root = values.root ?? process.cwd();
  if (values.deploy && values.edition) {
    return { ok: false, errors: ['--deploy nomme déjà son édition : ne pas passer --edition avec'] };
  }
  const name = values.deploy;
  const editionId = name ? name.split('.')[0] : values.edition;
  if (!editionId) {
    return {
      ok: false,
      errors: ['Indiquer --deploy <édition>.<staging|production> (fichier deploy/) ou --edition <id>'],
    };
  }
  const parsed = await readEditionFile(join(root, 'editions', `${editionId}.json`));
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  if (!name) return { ok: true, target: { config: parsed.config, region: values.region ?? DEFAULT_REGION } };
  const result = readDeployConfig(join(root, 'deploy', `${name}.json`), parsed.config);
  if (!result.ok) return { ok: false, errors: result.errors };
  if (values.region && values.region !== result.deploy.region) {
    return {
      ok: false,
      errors: [`--region ${values.region} contredit le fichier de déploiement (${result.deploy.region})`],
    };
  }
  return { ok: true, target: { config: parsed.config, deploy: result.deploy, region: result.deploy.region } };
}

export type StackPart = 'Data' | 'Auth' | 'Api' | 'Web' | 'Functions';

/** Every resource of one stack of the edition (`Bp-<edition>-<part>`). */
export async function stackResources(
  region: string,
  edition: string,
  part: StackPart,
): Promise<StackResourceSummary[]> {
  const client = new CloudFormationClient({ region });
  const resources: StackResourceSummary[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new ListStackResourcesCommand({ StackName: `Bp-${edition}-${part}`, NextToken }),
      );
      resources.push(...(page.StackResourceSummaries ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return resources;
  } finally {
    client.destroy();
  }
}

/** The physical id of the one resource of `type` in a stack whose logical id starts with `logicalPrefix`. */
export async function stackResource(
  region: string,
  edition: string,
  part: StackPart,
  type: string,
  logicalPrefix = '',
): Promise<string> {
  const found = (await stackResources(region, edition, part)).filter(
    (r) => r.ResourceType === type && (r.LogicalResourceId ?? '').startsWith(logicalPrefix),
  );
  const [only] = found;
  if (found.length !== 1 || !only?.PhysicalResourceId) {
    throw new Error(
      `Bp-${edition}-${part} : ${found.length} ressource(s) ${type}${logicalPrefix ? ` ${logicalPrefix}*` : ''} au lieu d’une (pile déployée ?)`,
    );
  }
  return only.PhysicalResourceId;
}
