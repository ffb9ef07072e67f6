import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { ROLE_LABELS, STAFF_ROLES } from '../../shared/auth/roles.ts';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

export interface AuthStackProps extends EditionStackProps {
  readonly editionName: string;
  /**
   * The edition's sender: Cognito's own emails (invitations, password resets) go through SES from this address,
   * under the Département's domain, not from Cognito's shared no-reply address with its daily quota.
   */
  readonly mailFrom: string;
}

/** Claim carrying an instructor's service; only an administrator may set it. */
export const SERVICE_ATTRIBUTE = 'service';

/**
 * Staff sign-in: a Cognito user pool whose groups are the staff roles. Citizens never get an account here:
 * the identity context issues their sessions. Accounts are created by an administrator (no self sign-up).
 */
export class AuthStack extends EditionStack {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  /** `iss` of the pool's tokens: what the API authorizer and the handlers check. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: AuthStackProps) {
    super(scope, id, props);

    this.userPool = new UserPool(this, 'StaffPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      customAttributes: {
        [SERVICE_ATTRIBUTE]: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      // Every staff account has a TOTP second factor: the sign-in page enrols it at first sign-in (MFA_SETUP).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      email: UserPoolEmail.withSES({
        fromEmail: props.mailFrom,
        fromName: props.editionName,
        sesVerifiedDomain: props.mailFrom.slice(props.mailFrom.lastIndexOf('@') + 1),
      }),
      // Staff can change a phase or see committee work: compromised-credential and adaptive
      // authentication checks are worth the Plus plan for a pool of a few dozen users.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: `Votre accès à l’espace agents – ${props.editionName}`,
        emailBody:
          'Bonjour,<br/>un compte vous a été créé pour le budget participatif.<br/>' +
          'Identifiant : {username}<br/>Mot de passe provisoire : {####}<br/>' +
          'À la première connexion, vous choisirez votre mot de passe, puis ajouterez l’espace agents à une ' +
          'application d’authentification sur votre téléphone (un code à 6 chiffres vous sera demandé à chaque connexion).',
      },
      deletionProtection: true,
      // Staff accounts and group memberships outlive a redeploy of the edition.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const role of STAFF_ROLES) {
      // The group name is the role name: it is what `cognito:groups` carries and the manifest checks.
      // Group names are scoped to this pool, so two editions never clash.
      this.userPool.addGroup(`Group-${role}`, { groupName: role, description: ROLE_LABELS[role] });
    }

    this.webClient = this.userPool.addClient('WebClient', {
      // A browser cannot keep a secret.
      generateSecret: false,
      // SRP only: the password never leaves the browser, not even to Cognito (refresh stays on by default).
      authFlows: { userSrp: true },
      // The site signs in with the API flow above; no hosted UI, so no OAuth callback to leave open.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      // Staff may edit their display name only: `custom:service` scopes an instructor's rights and must
      // not be writable with the user's own access token.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.issuer = `https://cognito-idp.${this.region}.amazonaws.com/${this.userPool.userPoolId}`;
  }
}
