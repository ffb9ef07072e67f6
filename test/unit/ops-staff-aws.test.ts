import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { staffAdd } from '../../bin/commands/staff.ts';

const cfn = mockClient(CloudFormationClient);
const cognito = mockClient(CognitoIdentityProviderClient);
afterEach(() => {
  cfn.reset();
  cognito.reset();
});

describe('bp staff --deploy (requests sent in AWS)', () => {
  it('finds the pool through the Auth stack, in the deploy file’s region, and sends the invitation by email', async () => {
    // Prepare
    cfn.on(ListStackResourcesCommand, { StackName: 'Bp-loire-atlantique-demo-Auth' }).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'StaffPoolABC',
          PhysicalResourceId: 'eu-west-3_Prod123',
          ResourceType: 'AWS::Cognito::UserPool',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: 'agent@departement.fr' } });
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const out: string[] = [];

    // Act
    const code = await staffAdd.run(
      ['agent@departement.fr', '--role', 'coordinator', '--deploy', 'loire-atlantique-demo.production'],
      { out: (line) => out.push(line), err: (line) => out.push(line) },
    );

    // Assess
    expect(code, out.join('\n')).toBe(0);
    expect(await (cfn.call(0).thisValue as CloudFormationClient).config.region()).toBe('eu-west-3');
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: 'eu-west-3_Prod123',
      Username: 'agent@departement.fr',
      UserAttributes: [
        { Name: 'email', Value: 'agent@departement.fr' },
        { Name: 'email_verified', Value: 'true' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: 'eu-west-3_Prod123', Username: 'agent@departement.fr', GroupName: 'coordinator' },
    ]);
  });
});
