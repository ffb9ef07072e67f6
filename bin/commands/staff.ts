/**
 * `bp staff add|disable|list|reset-mfa`: the staff accounts of an edition's Cognito pool. Roles are the pool's groups
 * (shared/auth/roles.ts), an instructor's service is `custom:service` (one of the edition's services). The pool
 * is the Auth stack's (`--deploy`), or one given by id (`--edition <id> --user-pool-id <id>`: the local stack).
 */
import { parseArgs } from 'node:util';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  type AttributeType,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UserNotFoundException,
  UsernameExistsException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { STAFF_ROLES, type StaffRole } from '../../shared/auth/roles.ts';
import { STAFF_ADD, STAFF_DISABLE, STAFF_LIST, STAFF_RESET_MFA } from './catalog.ts';
import type { Command, CommandIo } from './command.ts';
import { resolveTarget, stackResource, TARGET_OPTIONS, type Target } from './deploy-target.ts';

const SERVICE_ATTRIBUTE = 'custom:service';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const OPTIONS = {
  ...TARGET_OPTIONS,
  'user-pool-id': { type: 'string' },
  role: { type: 'string', multiple: true },
  service: { type: 'string' },
  name: { type: 'string' },
} as const;

interface Pool {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly target: Target;
}

/** Parses the target options and finds the pool; `undefined` after printing why not. */
async function openPool(argv: string[], io: CommandIo) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const resolved = await resolveTarget(values);
  if (!resolved.ok) {
    for (const line of resolved.errors) io.err(line);
    return undefined;
  }
  const { target } = resolved;
  const userPoolId =
    values['user-pool-id'] ??
    (target.deploy
      ? await stackResource(target.region, target.config.id, 'Auth', 'AWS::Cognito::UserPool')
      : undefined);
  if (!userPoolId) {
    io.err('Sans --deploy, indiquer le groupe d’utilisateurs : --user-pool-id <id>');
    return undefined;
  }
  const pool: Pool = {
    client: new CognitoIdentityProviderClient({ region: target.region }),
    userPoolId,
    target,
  };
  return { pool, values, positionals };
}

const attribute = (user: UserType, name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;

export interface StaffMember {
  readonly username: string;
  readonly email?: string;
  readonly enabled: boolean;
  readonly status?: string;
  readonly roles: StaffRole[];
  readonly service?: string;
}

/** Every user of the pool with its roles (one ListUsersInGroup per role rather than one call per user). */
export async function listStaff(pool: Pool): Promise<StaffMember[]> {
  const { client, userPoolId } = pool;
  const users: UserType[] = [];
  let PaginationToken: string | undefined;
  do {
    const page = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, PaginationToken }));
    users.push(...(page.Users ?? []));
    PaginationToken = page.PaginationToken;
  } while (PaginationToken);
  const roles = new Map<string, StaffRole[]>();
  for (const role of STAFF_ROLES) {
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new ListUsersInGroupCommand({ UserPoolId: userPoolId, GroupName: role, NextToken }),
      );
      for (const user of page.Users ?? []) {
        if (user.Username) roles.set(user.Username, [...(roles.get(user.Username) ?? []), role]);
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return users
    .map((user) => ({
      username: user.Username ?? '',
      email: attribute(user, 'email'),
      enabled: user.Enabled !== false,
      status: user.UserStatus,
      roles: roles.get(user.Username ?? '') ?? [],
      service: attribute(user, SERVICE_ATTRIBUTE),
    }))
    .sort((a, b) => (a.username < b.username ? -1 : 1));
}

export const staffList: Command = {
  ...STAFF_LIST,
  async run(argv, io) {
    const opened = await openPool(argv, io);
    if (!opened) return 2;
    try {
      const staff = await listStaff(opened.pool);
      for (const member of staff) {
        io.out(
          [
            member.username,
            member.enabled ? 'actif' : 'désactivé',
            member.roles.join(',') || '(aucun rôle)',
            member.service ? `service=${member.service}` : '',
          ]
            .filter(Boolean)
            .join('\t'),
        );
      }
      io.err(`${staff.length} compte(s), ${staff.filter((m) => !m.enabled).length} désactivé(s)`);
      return 0;
    } finally {
      opened.pool.client.destroy();
    }
  },
};

export const staffAdd: Command = {
  ...STAFF_ADD,
  async run(argv, io) {
    const opened = await openPool(argv, io);
    if (!opened) return 2;
    const { pool, values, positionals } = opened;
    try {
      const [email, ...extra] = positionals;
      const roles = values.role ?? [];
      const problems: string[] = [];
      if (!email || !EMAIL.test(email) || extra.length > 0) {
        problems.push('Indiquer une seule adresse électronique : bp staff add <courriel> --role <rôle>');
      }
      if (roles.length === 0) problems.push(`Indiquer au moins un rôle : --role (${STAFF_ROLES.join(', ')})`);
      for (const role of roles.filter((r) => !(STAFF_ROLES as readonly string[]).includes(r))) {
        problems.push(`Rôle inconnu « ${role} » (rôles : ${STAFF_ROLES.join(', ')})`);
      }
      const services = pool.target.config.services.map((s) => s.id);
      if (roles.includes('instructor') && !values.service) {
        problems.push(`Un agent instructeur a un service : --service (${services.join(', ')})`);
      }
      if (values.service && !services.includes(values.service)) {
        problems.push(
          `Service inconnu de l’édition ${pool.target.config.id} : « ${values.service} » (services : ${services.join(', ')})`,
        );
      }
      if (problems.length > 0 || !email) {
        for (const line of problems) io.err(line);
        return 2;
      }
      const attributes: AttributeType[] = [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        ...(values.name ? [{ Name: 'name', Value: values.name }] : []),
        ...(values.service ? [{ Name: SERVICE_ATTRIBUTE, Value: values.service }] : []),
      ];
      try {
        // Cognito emails the invitation with a temporary password (through SES, from the edition's sender).
        await pool.client.send(
          new AdminCreateUserCommand({
            UserPoolId: pool.userPoolId,
            Username: email,
            UserAttributes: attributes,
            DesiredDeliveryMediums: ['EMAIL'],
          }),
        );
      } catch (error) {
        if (error instanceof UsernameExistsException) {
          io.err(
            `${email} a déjà un compte : voir bp staff list (un compte désactivé se réactive dans la console)`,
          );
          return 1;
        }
        throw error;
      }
      for (const role of roles) {
        await pool.client.send(
          new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: email, GroupName: role }),
        );
      }
      io.out(`ajouté ${email}\t${roles.join(',')}${values.service ? `\tservice=${values.service}` : ''}`);
      return 0;
    } finally {
      pool.client.destroy();
    }
  },
};

/**
 * Runs `action` on the one account the command names (`bp staff <verb> <courriel>`): 2 without exactly one
 * address, 1 when the pool has no such account.
 */
async function onOneAccount(
  argv: string[],
  io: CommandIo,
  verb: string,
  action: (pool: Pool, username: string) => Promise<string>,
): Promise<number> {
  const opened = await openPool(argv, io);
  if (!opened) return 2;
  const { pool, positionals } = opened;
  try {
    const [username] = positionals;
    if (!username || positionals.length > 1) {
      io.err(`Indiquer une seule adresse : bp staff ${verb} <courriel>`);
      return 2;
    }
    try {
      io.out(await action(pool, username));
      return 0;
    } catch (error) {
      if (error instanceof UserNotFoundException) {
        io.err(`Aucun compte ${username} dans ce groupe d’utilisateurs`);
        return 1;
      }
      throw error;
    }
  } finally {
    pool.client.destroy();
  }
}

export const staffDisable: Command = {
  ...STAFF_DISABLE,
  run: (argv, io) =>
    onOneAccount(argv, io, 'disable', async (pool, username) => {
      await pool.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
      // Kept, not deleted: the audit trail names who did what. A disabled user cannot sign in, and Cognito
      // revokes the access tokens it holds.
      await pool.client.send(
        new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: username }),
      );
      return `désactivé ${username}`;
    }),
};

export const staffResetMfa: Command = {
  ...STAFF_RESET_MFA,
  run: (argv, io) =>
    onOneAccount(argv, io, 'reset-mfa', async (pool, username) => {
      // A lost or replaced phone: the TOTP is turned off; the pool requires one, so the next sign-in (password
      // first) goes through the enrolment step (MFA_SETUP) again. Check who asks before running it.
      await pool.client.send(
        new AdminSetUserMFAPreferenceCommand({
          UserPoolId: pool.userPoolId,
          Username: username,
          SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
        }),
      );
      return `double authentification retirée ${username} (à configurer à la prochaine connexion)`;
    }),
};
