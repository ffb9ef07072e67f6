import { existsSync, readFileSync } from 'node:fs';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { EditionConfig } from '../edition/edition-config.ts';
import { envelopesOf } from './ballot-list-review.ts';

/**
 * A project put to the vote. Written by instruction (issue 5) once it exists; until then seeded from
 * `editions/<edition>.projects.json` by the local runtime and the Data stack, as the same items.
 */
export const Project = z.object({
  id: z
    .string()
    .check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'Identifiant attendu en minuscules' })),
  title: z.string().check(z.trim(), z.minLength(5), z.maxLength(140)),
  summary: z.string().check(z.trim(), z.minLength(10), z.maxLength(600)),
  /** Euros. */
  cost: z.number().check(z.int(), z.positive()),
  /** A territory id, or the id of the Département-wide envelope. */
  envelope: z.string().check(z.minLength(1)),
  theme: z.string().check(z.minLength(1)),
  /** Territory the project is located in, when its envelope is the Département-wide one (repêchage). */
  territory: z.optional(z.string().check(z.minLength(1))),
  /** Categories beyond its theme that a reserved amount may target (`jeunesse`, say). */
  categories: z.optional(z.array(z.string().check(z.minLength(1)))),
  /** The idea(s) it comes from: their authors (co-authors credited by merges too) hear of the results. */
  ideaIds: z.optional(z.array(z.string().check(z.minLength(1)))),
});
export type Project = z.infer<typeof Project>;

export const ProjectsFile = z.object({
  edition: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  projects: z.array(Project).check(z.minLength(1)),
});
export type ProjectsFile = z.infer<typeof ProjectsFile>;

/** The envelopes of an edition: one definition, in the pure review module (web/ runs it too). */
export { envelopesOf } from './ballot-list-review.ts';

/** French problems of a projects file against its edition (envelope, theme, cost bounds, ids); empty if fine. */
export function checkProjects(config: EditionConfig, file: ProjectsFile): string[] {
  const problems: string[] = [];
  if (file.edition !== config.id) problems.push(`edition : « ${file.edition} » au lieu de « ${config.id} »`);
  const envelopes = new Set(envelopesOf(config).map((e) => e.id));
  const themes = new Set(config.themes.map((t) => t.id));
  const ids = new Set<string>();
  file.projects.forEach((project, i) => {
    const at = `projects.${i}`;
    if (ids.has(project.id)) problems.push(`${at}.id : identifiant en double (${project.id})`);
    ids.add(project.id);
    if (!envelopes.has(project.envelope))
      problems.push(`${at}.envelope : enveloppe inconnue (${project.envelope})`);
    if (!themes.has(project.theme)) problems.push(`${at}.theme : thème inconnu (${project.theme})`);
    if (project.cost < config.ideaCost.min || project.cost > config.ideaCost.max)
      problems.push(
        `${at}.cost : ${project.cost} € hors des bornes de l’édition (${config.ideaCost.min} à ${config.ideaCost.max} €)`,
      );
  });
  return problems;
}

/** The file's path for an edition, relative to the repository root. */
export const projectsFilePath = (edition: string) => `editions/${edition}.projects.json`;

/** The validated projects file of an edition, `undefined` when it has none; throws on any problem. */
export function readProjectsFile(
  config: EditionConfig,
  path = projectsFilePath(config.id),
): ProjectsFile | undefined {
  if (!existsSync(path)) return undefined;
  const file = ProjectsFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  const problems = checkProjects(config, file);
  if (problems.length > 0) throw new Error(`${path} est invalide :\n${problems.join('\n')}`);
  return file;
}

/**
 * Key layout: one partition per edition holds its ballot list (a few hundred items at most, read in one
 * query and cached): `EDITION#<id>#PROJECTS` / `PROJECT#<envelope>#<projectId>`.
 */
export const projectKey = (edition: string, project: Pick<Project, 'envelope' | 'id'>) => ({
  pk: `EDITION#${edition}#PROJECTS`,
  sk: `PROJECT#${project.envelope}#${project.id}`,
});

/** The item written for a project: the same for the local seed, the CDK seed and, later, instruction. */
export function projectItem(edition: string, project: Project, updatedAt?: string) {
  return {
    ...projectKey(edition, project),
    entity: 'Project',
    version: 1,
    ...project,
    ...(updatedAt ? { updatedAt } : {}),
  };
}

/** Writes the projects (25 per batch, unprocessed items retried). */
export async function putProjects(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
  projects: readonly Project[],
) {
  const updatedAt = new Date().toISOString();
  for (let i = 0; i < projects.length; i += 25) {
    let requests: Record<string, unknown>[] = projects
      .slice(i, i + 25)
      .map((project) => ({ PutRequest: { Item: projectItem(edition, project, updatedAt) } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 5) throw new Error('Projects seed: unprocessed items after 5 retries');
      const { UnprocessedItems } = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }),
      );
      requests = (UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
      if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

/**
 * Partition of the instruction's ballot list (functions/instruction/instruction-repository.ts owns it):
 * `BALLOTLIST` (state, and the validated project ids) and `PROJECT#<projectId>` (projects of retained ideas).
 */
export const instructionListPk = (edition: string) => `INSTRUCTION#${edition}`;

const ValidatedList = z.object({
  state: z.enum(['open', 'validated']),
  validation: z.optional(z.object({ projectIds: z.array(z.string()) })),
});

/** The projects of the ballot list the Comité citoyen validated, `undefined` while none is validated. */
export async function readValidatedBallotList(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): Promise<Project[] | undefined> {
  const pk = instructionListPk(edition);
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: { pk, sk: 'BALLOTLIST' }, ConsistentRead: true }),
  );
  const list = Item ? ValidatedList.parse(Item) : undefined;
  if (list?.state !== 'validated' || !list.validation) return undefined;
  const ids = new Set(list.validation.projectIds);
  const projects: Project[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': 'PROJECT#' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const project = Project.parse(item);
      if (ids.has(project.id)) projects.push(project);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return projects;
}

/**
 * The projects put to the vote: the validated ballot list of the instruction when there is one, else every
 * seeded project of the edition (`editions/<id>.projects.json`), validated as read back.
 */
export async function readProjects(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): Promise<Project[]> {
  const validated = await readValidatedBallotList(client, tableName, edition);
  if (validated) return validated;
  const projects: Project[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `EDITION#${edition}#PROJECTS`, ':prefix': 'PROJECT#' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) projects.push(Project.parse(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return projects;
}
