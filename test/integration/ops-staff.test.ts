import {
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import type { Command } from '../../bin/commands/command.ts';
import { staffAdd, staffDisable, staffList, staffResetMfa } from '../../bin/commands/staff.ts';
import { signIn } from '../../local/cognito.ts';
import { api } from '../support/api.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const pool = { ...stack.cognito, jwksUrl: `${stack.cognito.issuer}/.well-known/jwks.json` };
/** The file's own cognito-local pool, as `--deploy` would find the Auth stack's pool in AWS. */
const target = ['--edition', stack.edition, '--user-pool-id', stack.cognito.userPoolId];

async function bp(command: Command, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run([...argv, ...target], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err };
}

/** Gives an invited account a known password (the invitation's temporary one is emailed) and signs in. */
async function signInAs(username: string) {
  const client = new CognitoIdentityProviderClient({ region: stack.cognito.region });
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: stack.cognito.userPoolId,
      Username: username,
      Password: 'Ops-test-2026!x',
      Permanent: true,
    }),
  );
  client.destroy();
  return signIn(pool, stack.cognitoUrl, username, 'Ops-test-2026!x');
}

describe('bp staff (against the local stack’s cognito-local pool)', () => {
  it('lists the demo accounts with their roles and the instructor’s service', async () => {
    // Act
    const { code, out } = await bp(staffList);

    // Assess
    expect(code).toBe(0);
    const admin = stack.staff.find((user) => user.role === 'admin');
    expect(out).toContain(`${admin?.username}\tactif\tadmin`);
    const instructor = stack.staff.find((user) => user.role === 'instructor');
    expect(out).toContain(`${instructor?.username}\tactif\tinstructor\tservice=agriculture-mer-littoral`);
  });

  it('adds an instructor whose token carries the role and the service, and who reaches staff routes', async () => {
    // Act
    const added = await bp(
      staffAdd,
      'agent.ops@demo.loire-atlantique.example',
      '--role',
      'instructor',
      '--role',
      'moderator',
      '--service',
      'agriculture-mer-littoral',
      '--name',
      'Agent Ops',
    );

    // Assess
    expect(added).toMatchObject({ code: 0, err: [] });
    const listed = await bp(staffList);
    expect(listed.out).toContain(
      'agent.ops@demo.loire-atlantique.example\tactif\tmoderator,instructor\tservice=agriculture-mer-littoral',
    );
    const { idToken } = await signInAs('agent.ops@demo.loire-atlantique.example');
    const claims = decodeJwt(idToken);
    expect(claims['cognito:groups']).toEqual(expect.arrayContaining(['instructor', 'moderator']));
    expect(claims['custom:service']).toBe('agriculture-mer-littoral');
    // The moderation queue is a moderator's route: the new account is let in.
    const queue = await api(stack, 'GET', `/api/editions/${stack.edition}/staff/moderation`, {
      token: idToken,
    });
    expect([401, 403]).not.toContain(queue.status);
  });

  it('refuses an unknown role, an unknown service and an instructor without a service, creating nothing', async () => {
    // Act
    const unknownRole = await bp(staffAdd, 'x1@demo.loire-atlantique.example', '--role', 'superadmin');
    const unknownService = await bp(
      staffAdd,
      'x2@demo.loire-atlantique.example',
      '--role',
      'instructor',
      '--service',
      'direction-inconnue',
    );
    const noService = await bp(staffAdd, 'x3@demo.loire-atlantique.example', '--role', 'instructor');
    const twice = await bp(staffAdd, 'agent.ops@demo.loire-atlantique.example', '--role', 'admin');

    // Assess
    expect(unknownRole.code).toBe(2);
    expect(unknownRole.err.join('\n')).toMatch(/Rôle inconnu « superadmin »/);
    expect(unknownService.code).toBe(2);
    expect(unknownService.err.join('\n')).toMatch(/Service inconnu .*« direction-inconnue »/);
    expect(noService.code).toBe(2);
    expect(noService.err.join('\n')).toMatch(/Un agent instructeur a un service/);
    expect(twice.code).toBe(1);
    const listed = (await bp(staffList)).out.join('\n');
    expect(listed).not.toMatch(/x[123]@/);
    expect(listed).not.toMatch(/agent\.ops@[^\n]*admin/);
  });

  it('disables an account: kept, marked disabled in the pool and listed as such', async () => {
    // Prepare
    await bp(staffAdd, 'partant@demo.loire-atlantique.example', '--role', 'committee');
    const { totpSecret } = await signInAs('partant@demo.loire-atlantique.example');

    // Act
    const disabled = await bp(staffDisable, 'partant@demo.loire-atlantique.example');
    const unknown = await bp(staffDisable, 'personne@demo.loire-atlantique.example');

    // Assess
    expect(disabled).toMatchObject({ code: 0, out: ['désactivé partant@demo.loire-atlantique.example'] });
    expect(unknown.code).toBe(1);
    // Refused at sign-in, as AWS does (the local front checks `Enabled`; AWS also revokes the tokens it holds).
    await expect(
      signIn(pool, stack.cognitoUrl, 'partant@demo.loire-atlantique.example', 'Ops-test-2026!x', {
        totpSecret,
      }),
    ).rejects.toMatchObject({ code: 'NotAuthorizedException', message: 'User is disabled.' });
    const client = new CognitoIdentityProviderClient({ region: stack.cognito.region });
    const user = await client.send(
      new AdminGetUserCommand({
        UserPoolId: stack.cognito.userPoolId,
        Username: 'partant@demo.loire-atlantique.example',
      }),
    );
    client.destroy();
    expect(user.Enabled).toBe(false);
    expect((await bp(staffList)).out).toContain(
      'partant@demo.loire-atlantique.example\tdésactivé\tcommittee',
    );
  });

  it('resets a lost authenticator: the next sign-in enrols a new TOTP secret', async () => {
    // Prepare: an agent enrolled at first sign-in.
    await bp(staffAdd, 'telephone.perdu@demo.loire-atlantique.example', '--role', 'moderator');
    const first = await signInAs('telephone.perdu@demo.loire-atlantique.example');

    // Act
    const reset = await bp(staffResetMfa, 'telephone.perdu@demo.loire-atlantique.example');
    const unknown = await bp(staffResetMfa, 'personne@demo.loire-atlantique.example');
    const again = await signIn(
      pool,
      stack.cognitoUrl,
      'telephone.perdu@demo.loire-atlantique.example',
      'Ops-test-2026!x',
    );

    // Assess
    expect(reset.code).toBe(0);
    expect(unknown.code).toBe(1);
    expect(again.totpSecret).not.toBe(first.totpSecret);
    expect(decodeJwt(again.idToken)['cognito:groups']).toEqual(['moderator']);
  });
});
