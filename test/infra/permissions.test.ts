import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BpFunction } from '../../lib/constructs/bp-function.ts';
import { isAllowed, type KeyTouch, matchesPattern } from '../../shared/dynamo/key-access.ts';
import { MAIL_CONFIGURATION_SET_ENV } from '../../shared/email/ses-feedback.ts';
import { FUNCTIONS, type TableAccess, tableAccessOf } from '../../shared/manifest.ts';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const actionsOf = (statement: Statement) => [statement.Action].flat();
const text = (value: unknown) => JSON.stringify(value);

/** Every statement of the policies attached to a role, as synthesized. */
function statementsOfRole(edition: BuiltEdition, bp: BpFunction, role: CfnRole): Statement[] {
  const stack = Stack.of(bp);
  const roleId = stack.getLogicalId(role);
  const policies = edition.templates.functions.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument.Statement as Statement[]) ?? [],
  );
}
const statementsOf = (edition: BuiltEdition, bp: BpFunction) =>
  statementsOfRole(edition, bp, bp.role.node.defaultChild as CfnRole);

/** `undefined` for the table, the index name for `<table>/index/<name>`. */
function targetOf(statement: Statement): { index?: string } {
  const index = /\/index\/([\w-]+)/.exec(text(statement.Resource))?.[1];
  return index ? { index } : {};
}

/**
 * A small IAM evaluator for the synthesized DynamoDB statements: allowed when one Allow statement has the action,
 * the resource (table or the named index) and, when conditioned, a present partition key matching one of its
 * `ForAllValues:StringLike` `dynamodb:LeadingKeys` patterns.
 */
function iamAllows(statements: Statement[], touch: KeyTouch): boolean {
  return statements.some((statement) => {
    if (statement.Effect !== 'Allow' || !actionsOf(statement).includes(touch.action)) return false;
    if (targetOf(statement).index !== touch.index) return false;
    const patterns = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as
      | string[]
      | undefined;
    if (!patterns) return true;
    if (statement.Condition?.Null?.['dynamodb:LeadingKeys'] !== 'false') return true;
    return (
      touch.partition !== undefined &&
      patterns.some((pattern) => matchesPattern(touch.partition ?? '', pattern))
    );
  });
}

/** A partition key each pattern matches (`*` → `x1`), and a few that no declaration names. */
const samplesOf = (patterns: readonly string[]) => patterns.map((pattern) => pattern.replaceAll('*', 'x1'));
const ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

describe('permissions: each function holds only its own keys', () => {
  let edition: BuiltEdition;
  let accessByName: Map<string, TableAccess>;

  beforeAll(() => {
    const { editions } = buildApp([fixtureConfig()]);
    edition = editions[0] as BuiltEdition;
    accessByName = new Map(FUNCTIONS.map((fn) => [fn.name, tableAccessOf(fn, edition.config.id)]));
  });

  describe('DynamoDB', () => {
    it('conditions every table and index statement on dynamodb:LeadingKeys (present, and matching the declared prefixes)', () => {
      for (const bp of edition.stacks.functions.functions) {
        const access = accessByName.get(bp.spec.name) as TableAccess;
        const dynamo = statementsOf(edition, bp).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('dynamodb:')),
        );
        expect(dynamo.length, bp.spec.name).toBeGreaterThan(0);
        const declared = new Set([
          ...access.owns,
          ...access.reads,
          ...(access.updates ?? []),
          ...Object.values(access.indexes ?? {}).flat(),
        ]);
        const granted = new Set<string>();
        for (const statement of dynamo) {
          const patterns = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
          expect(patterns, `${bp.spec.name} ${text(statement.Action)}`).toBeDefined();
          expect(statement.Condition?.Null?.['dynamodb:LeadingKeys'], bp.spec.name).toBe('false');
          for (const pattern of [patterns].flat() as string[]) {
            // Resolved for the edition, never a bare wildcard that would match every partition.
            expect(pattern, bp.spec.name).not.toContain('{edition}');
            expect(pattern, bp.spec.name).toMatch(/^[A-Z]+[A-Za-z#]/);
            granted.add(pattern);
          }
        }
        expect(granted, bp.spec.name).toEqual(declared);
        // The edition's own partitions carry its id.
        expect(
          [...granted].filter((p) => p.startsWith('EDITION#')).every((p) => p.includes(edition.config.id)),
        ).toBe(true);
      }
    });

    it('grants no Scan, no DescribeTable, no wildcard action, and Query only on the declared indexes', () => {
      for (const bp of edition.stacks.functions.functions) {
        const access = accessByName.get(bp.spec.name) as TableAccess;
        const dynamo = statementsOf(edition, bp).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('dynamodb:')),
        );
        const actions = dynamo.flatMap(actionsOf);
        expect(access.scans, bp.spec.name).toBe(false);
        expect(actions, bp.spec.name).not.toContain('dynamodb:Scan');
        expect(actions, bp.spec.name).not.toContain('dynamodb:DescribeTable');
        for (const action of actions) expect(action, bp.spec.name).not.toMatch(/\*/);
        for (const statement of dynamo.filter((s) => targetOf(s).index)) {
          expect(actionsOf(statement), bp.spec.name).toEqual(['dynamodb:Query']);
          expect(Object.keys(access.indexes ?? {}), bp.spec.name).toContain(targetOf(statement).index);
        }
      }
    });

    it('agrees with the local check (shared/dynamo/key-access.ts) on every action for every declared and undeclared partition', () => {
      const everyPattern = [...accessByName.values()].flatMap((access) => [
        ...access.owns,
        ...access.reads,
        ...(access.updates ?? []),
        ...Object.values(access.indexes ?? {}).flat(),
      ]);
      const partitions = [
        ...new Set([...samplesOf(everyPattern), 'OTHER#x1', 'EDITION#another-edition', '']),
      ];
      let compared = 0;
      for (const bp of edition.stacks.functions.functions) {
        const access = accessByName.get(bp.spec.name) as TableAccess;
        const statements = statementsOf(edition, bp);
        for (const partition of partitions) {
          for (const action of ACTIONS) {
            for (const index of [undefined, 'gsi1']) {
              const touch: KeyTouch = { action, partition, ...(index ? { index } : {}) };
              expect(
                iamAllows(statements, touch),
                `${bp.spec.name} ${action} ${index ?? 'table'} ${partition}`,
              ).toBe(isAllowed(access, touch));
              compared++;
            }
          }
        }
      }
      expect(compared).toBeGreaterThan(1000);
    });

    it('refuses what the issue names: results erasing identities, notifications deleting ballots, voting removing the closed marker', () => {
      const iam = (name: string, touch: KeyTouch) => {
        const bp = edition.stacks.functions.functions.find((f) => f.spec.name === name) as BpFunction;
        return iamAllows(statementsOf(edition, bp), touch);
      };
      const id = edition.config.id;
      expect(iam('results', { action: 'dynamodb:GetItem', partition: 'CITIZEN#c1' })).toBe(true);
      expect(iam('results', { action: 'dynamodb:DeleteItem', partition: 'CITIZEN#c1' })).toBe(false);
      expect(iam('results', { action: 'dynamodb:UpdateItem', partition: 'CITIZEN#c1' })).toBe(false);
      expect(iam('results', { action: 'dynamodb:Query', partition: 'BALLOT#e1#3' })).toBe(true);
      expect(iam('results', { action: 'dynamodb:PutItem', partition: 'BALLOT#e1#3' })).toBe(false);
      expect(iam('notifications', { action: 'dynamodb:GetItem', partition: 'CITIZEN#c1' })).toBe(true);
      expect(iam('notifications', { action: 'dynamodb:DeleteItem', partition: 'BALLOT#e1#3' })).toBe(false);
      expect(iam('notifications', { action: 'dynamodb:GetItem', partition: 'BALLOT#e1#3' })).toBe(false);
      expect(iam('voting', { action: 'dynamodb:ConditionCheckItem', partition: `EDITION#${id}` })).toBe(true);
      expect(iam('voting', { action: 'dynamodb:DeleteItem', partition: `EDITION#${id}` })).toBe(false);
      expect(iam('voting', { action: 'dynamodb:UpdateItem', partition: 'VOTECODE#h' })).toBe(true);
      expect(iam('voting', { action: 'dynamodb:DeleteItem', partition: 'VOTECODE#h' })).toBe(false);
      expect(iam('ideas', { action: 'dynamodb:PutItem', partition: 'VOTER#c1' })).toBe(false);
      expect(iam('identity', { action: 'dynamodb:Query', index: 'gsi1', partition: 'PERSONALDATA#3' })).toBe(
        true,
      );
      expect(iam('identity', { action: 'dynamodb:Query', index: 'gsi1', partition: 'RECEIPT#abc' })).toBe(
        false,
      );
      expect(iam('editions', { action: 'dynamodb:PutItem', partition: `EDITION#${id}#VOTING` })).toBe(false);
    });

    it('gives each partition one owner context: no two bounded contexts write the same prefix', () => {
      // A context is a folder of functions/ (the notifications folder may hold more than one function).
      const contextOf = (entry: string) => entry.split('/')[1];
      const owners = FUNCTIONS.map((fn) => ({
        context: contextOf(fn.entry),
        access: tableAccessOf(fn, edition.config.id),
      }));
      for (const a of owners) {
        for (const sample of samplesOf(a.access.owns)) {
          const writers = owners.filter(({ access }) =>
            access.owns.some((pattern) => matchesPattern(sample, pattern)),
          );
          expect([...new Set(writers.map((w) => w.context))], sample).toEqual([a.context]);
        }
      }
    });
  });

  describe('S3, SES, Secrets Manager, EventBridge and Scheduler', () => {
    it('lets only the site-data writer and the picture presigner touch S3, object-level, under their own prefix', () => {
      for (const bp of edition.stacks.functions.functions) {
        const s3 = statementsOf(edition, bp).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
        const { writesSiteData, presignsUploads } = bp.spec.permissions;
        if (!writesSiteData && !presignsUploads) {
          expect(s3, bp.spec.name).toEqual([]);
          continue;
        }
        expect(s3.length, bp.spec.name).toBeGreaterThan(0);
        for (const statement of s3) {
          for (const action of actionsOf(statement))
            expect(['s3:PutObject', 's3:GetObject', 's3:PutObjectTagging'], bp.spec.name).toContain(action);
          const resource = text(statement.Resource);
          const prefixes = [...resource.matchAll(/\/(data|uploads)\/\*/g)].map((m) => m[1]);
          expect(prefixes.length, `${bp.spec.name} ${resource}`).toBeGreaterThan(0);
          if (prefixes.includes('data')) {
            expect(writesSiteData, bp.spec.name).toBe(true);
            expect(actionsOf(statement), bp.spec.name).toEqual(['s3:PutObject']);
          }
          if (prefixes.includes('uploads')) expect(presignsUploads, bp.spec.name).toBe(true);
        }
      }
    });

    it('makes every sender send through the edition configuration set, which suppresses bounces and complaints', () => {
      const sets = edition.templates.functions.findResources('AWS::SES::ConfigurationSet');
      expect(Object.keys(sets)).toHaveLength(1);
      const [setId, set] = Object.entries(sets)[0] as [string, { Properties: Record<string, unknown> }];
      expect(set.Properties.SuppressionOptions).toEqual({ SuppressedReasons: ['BOUNCE', 'COMPLAINT'] });
      edition.templates.functions.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: { Ref: setId },
        EventDestination: Match.objectLike({ MatchingEventTypes: ['BOUNCE', 'COMPLAINT'] }),
      });
      const senders = edition.stacks.functions.functions.filter((bp) => bp.spec.permissions.sendsEmail);
      // Codes, receipts, notifications (and whoever else the manifest says sends).
      expect(senders.map((bp) => bp.spec.name)).toEqual(
        expect.arrayContaining(['identity', 'notifications', 'voting']),
      );
      for (const bp of edition.stacks.functions.functions) {
        const fn =
          edition.templates.functions.toJSON().Resources[
            Stack.of(bp).getLogicalId(bp.fn.node.defaultChild as never)
          ];
        const env = fn.Properties.Environment.Variables as Record<string, unknown>;
        const ses = statementsOf(edition, bp).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
        if (!bp.spec.permissions.sendsEmail) {
          expect(env[MAIL_CONFIGURATION_SET_ENV], bp.spec.name).toBeUndefined();
          expect(ses, bp.spec.name).toEqual([]);
          continue;
        }
        expect(env[MAIL_CONFIGURATION_SET_ENV], bp.spec.name).toEqual({ Ref: setId });
        const onSet = ses.filter((s) => text(s.Resource).includes('configuration-set'));
        const onIdentity = ses.filter((s) => text(s.Resource).includes(':identity/'));
        expect(onSet.length + onIdentity.length, bp.spec.name).toBe(ses.length);
        expect(text(onSet), bp.spec.name).toContain(setId);
        for (const statement of onIdentity)
          expect(statement.Condition?.StringEquals?.['ses:FromAddress'], bp.spec.name).toBe(
            edition.config.mailFrom,
          );
        for (const action of ses.flatMap(actionsOf))
          expect(['ses:SendEmail', 'ses:SendRawEmail']).toContain(action);
      }
    });

    it('lets each function read its own secrets only, put events on the edition bus only, and call no Scheduler API', () => {
      for (const bp of edition.stacks.functions.functions) {
        const statements = statementsOf(edition, bp);
        const secrets = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
        const declared = (bp.spec.secrets ?? []).map((secret) => `Secret${secret.id.replace(/-/g, '')}`);
        const named = secrets.flatMap((s) =>
          [...text(s.Resource).matchAll(/ExportsOutputRef(Secret[a-z]+)/g)].map((m) => m[1]),
        );
        expect(new Set(named), bp.spec.name).toEqual(new Set(declared));
        for (const action of secrets.flatMap(actionsOf))
          expect(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']).toContain(action);

        const events = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('events:')));
        expect(
          events.flatMap(actionsOf).every((a) => a === 'events:PutEvents'),
          bp.spec.name,
        ).toBe(true);
        expect(events.length > 0, bp.spec.name).toBe(bp.spec.permissions.publishes.length > 0);
        for (const statement of events)
          expect(text(statement.Resource)).toMatch(/^"?\{"Fn::ImportValue":"[^"]*Bus\w*Arn/);

        expect(
          statements.flatMap(actionsOf).filter((a) => a.startsWith('scheduler:')),
          bp.spec.name,
        ).toEqual([]);
      }
    });

    it('gives each schedule role the invocation of its own function and its own dead-letter queue, nothing else', () => {
      const withSchedules = edition.stacks.functions.functions.filter(
        (bp) => bp.spec.schedules(edition.config).length > 0,
      );
      expect(withSchedules.length).toBeGreaterThan(0);
      for (const bp of withSchedules) {
        const role = bp.node.tryFindChild('SchedulerRole');
        expect(role, bp.spec.name).toBeDefined();
        const statements = statementsOfRole(edition, bp, role?.node.defaultChild as CfnRole);
        const aliasId = Stack.of(bp).getLogicalId(bp.live.node.defaultChild as never);
        const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
        expect(invoke.length, bp.spec.name).toBe(1);
        expect(text(invoke[0]?.Resource), bp.spec.name).toBe(text({ Ref: aliasId }));
        for (const statement of statements)
          expect(['lambda:InvokeFunction', 'sqs:SendMessage'], bp.spec.name).toEqual(
            expect.arrayContaining(actionsOf(statement)),
          );
      }
    });
  });
});
