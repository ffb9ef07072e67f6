import { generate } from 'lean-qr';
import { toSvgDataURL } from 'lean-qr/extras/svg';
import {
  answerTotp,
  beginTotpSetup,
  CognitoRefusal,
  type CognitoTarget,
  CognitoUnreachable,
  confirmTotpSetup,
  type SignInStep,
  setNewPassword,
  startSignIn,
  totpUri,
} from '../../../shared/auth/staff-sign-in.ts';
import { cognitoEndpoint, type SiteConfig } from './config.ts';
import { fill, h } from './dom.ts';
import { keepSession, SignInError, type StaffSession } from './session.ts';

// Only the sign-in pages import this module: the SRP client and the QR code (~130 kB) stay out of the others.

/** Same words for an unknown address and a wrong password, as Cognito: no way to probe who has an account. */
const WRONG_CREDENTIALS =
  'Adresse électronique ou mot de passe incorrect. Vérifiez-les (majuscules comprises) puis réessayez.';

const COGNITO_MESSAGES: Record<string, string> = {
  NotAuthorizedException: WRONG_CREDENTIALS,
  UserNotFoundException: WRONG_CREDENTIALS,
  UserNotConfirmedException: 'Ce compte n’est pas encore confirmé. Contactez l’équipe d’exploitation.',
  PasswordResetRequiredException:
    'Vous devez réinitialiser votre mot de passe avant de vous connecter. Contactez l’équipe d’exploitation.',
  TooManyRequestsException: 'Trop de tentatives. Patientez une minute puis réessayez.',
  LimitExceededException: 'Trop de tentatives. Patientez une minute puis réessayez.',
};

/** Once the password is proven, a refused session means the step took too long or was already used. */
const RESTART =
  'Cette étape de connexion a expiré ou n’est plus valable. Reconnectez-vous depuis le début avec votre adresse et votre mot de passe.';

/** A step Cognito asks after the password: new password, TOTP enrolment, TOTP code. */
export type PendingStep = Exclude<SignInStep, { kind: 'signed-in' }>;

function cognitoTarget(config: SiteConfig): CognitoTarget {
  return {
    endpoint: cognitoEndpoint(config),
    userPoolId: config.cognito.userPoolId,
    clientId: config.cognito.clientId,
  };
}

const POLICY_MESSAGES: [RegExp, string][] = [
  [/not long enough/i, 'Le mot de passe est trop court : 12 caractères au moins.'],
  [/lowercase/i, 'Le mot de passe doit contenir au moins une lettre minuscule.'],
  [/uppercase/i, 'Le mot de passe doit contenir au moins une lettre majuscule.'],
  [/numeric/i, 'Le mot de passe doit contenir au moins un chiffre.'],
  [/symbol/i, 'Le mot de passe doit contenir au moins un caractère spécial (par exemple ! ? - _ @).'],
  [/previously been used|history/i, 'Choisissez un mot de passe que vous n’avez pas déjà utilisé.'],
];

/** Cognito's refusal in French; `pending` when the password was already proven (a step was answered). */
function frenchError(error: unknown, pending: boolean): SignInError {
  if (error instanceof CognitoUnreachable)
    return new SignInError(
      'Le service de connexion est injoignable. Vérifiez votre connexion puis réessayez.',
    );
  if (!(error instanceof CognitoRefusal))
    return new SignInError('La connexion a échoué. Réessayez dans quelques instants.');
  switch (error.code) {
    case 'CodeMismatchException':
    case 'EnableSoftwareTokenMFAException':
      return new SignInError(
        'Code incorrect. Saisissez le code à 6 chiffres affiché en ce moment par votre application d’authentification.',
        'field',
      );
    case 'InvalidPasswordException': {
      const known = POLICY_MESSAGES.find(([pattern]) => pattern.test(error.message))?.[1];
      return new SignInError(known ?? 'Ce mot de passe ne respecte pas les règles indiquées.', 'field');
    }
    case 'NotAuthorizedException':
    case 'ExpiredCodeException':
      if (pending) return new SignInError(RESTART, 'restart');
  }
  return new SignInError(
    COGNITO_MESSAGES[error.code] ?? 'La connexion a échoué. Réessayez dans quelques instants.',
  );
}

async function step(run: () => Promise<SignInStep>, pending: boolean): Promise<SignInStep> {
  try {
    return await run();
  } catch (error) {
    throw frenchError(error, pending);
  }
}

/** Proves the password with SRP (it never leaves the browser); Cognito then asks a step or signs in. */
export function signIn(config: SiteConfig, email: string, password: string): Promise<SignInStep> {
  return step(() => startSignIn(cognitoTarget(config), email, password), false);
}

/** Answers the step in front of the person: new password, or TOTP code (enrolment or sign-in). */
export function answerStep(config: SiteConfig, pending: PendingStep, answer: string): Promise<SignInStep> {
  const target = cognitoTarget(config);
  switch (pending.kind) {
    case 'new-password':
      return step(() => setNewPassword(target, pending, answer), true);
    case 'totp-setup':
      return step(() => confirmTotpSetup(target, pending, answer), true);
    case 'totp-code':
      return step(() => answerTotp(target, pending, answer), true);
  }
}

/** MFA_SETUP: the secret to add to an authenticator app, and the step that then takes its first code. */
export async function startTotpSetup(
  config: SiteConfig,
  pending: Extract<PendingStep, { kind: 'totp-setup' }>,
): Promise<{ secret: string; step: Extract<PendingStep, { kind: 'totp-setup' }> }> {
  try {
    return await beginTotpSetup(cognitoTarget(config), pending);
  } catch (error) {
    throw frenchError(error, true);
  }
}

interface FieldSpec {
  id: string;
  label: string;
  hint?: string;
  type: 'password' | 'text';
  autocomplete: string;
  numeric?: boolean;
}

interface FormSpec {
  heading: string;
  intro: (Node | string)[];
  fields: FieldSpec[];
  submitLabel: string;
  /** A French message for the first field in error (index into `fields`), or null when the answer may go. */
  check(values: string[]): [number, string] | null;
  /** Which field a refusal of the answer belongs to. */
  answerField: number;
  send(values: string[]): Promise<SignInStep>;
}

function fieldOf(spec: FieldSpec): { block: HTMLElement; input: HTMLInputElement; error: HTMLElement } {
  const input = h('input', {
    id: spec.id,
    name: spec.id,
    type: spec.type,
    autocomplete: spec.autocomplete,
    required: true,
    spellcheck: 'false',
    inputmode: spec.numeric ? 'numeric' : null,
    maxlength: spec.numeric ? 6 : null,
    class: spec.numeric ? 'input-code' : null,
    'aria-describedby': [spec.hint ? `${spec.id}-hint` : '', `${spec.id}-error`].join(' ').trim(),
  });
  const error = h('p', { class: 'field-error', id: `${spec.id}-error` });
  const block = h(
    'div',
    { class: 'field' },
    h('label', { for: spec.id }, spec.label),
    spec.hint ? h('p', { class: 'hint', id: `${spec.id}-hint` }, spec.hint) : null,
    input,
    error,
  );
  return { block, input, error };
}

/** Shows one step's form in `container` and resolves with Cognito's next step once an answer is accepted. */
function runForm(container: HTMLElement, spec: FormSpec): Promise<SignInStep> {
  const heading = h('h2', { id: 'step-heading', tabindex: '-1' }, spec.heading);
  const alert = h('div', { id: 'step-error', role: 'alert' });
  const fields = spec.fields.map(fieldOf);
  const submit = h('button', { type: 'submit', class: 'button' }, spec.submitLabel);
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-labelledby': 'step-heading' },
    ...fields.map((field) => field.block),
    submit,
  );
  fill(container, heading, ...spec.intro, alert, form);
  heading.focus();

  const showError = (index: number, message: string) => {
    const field = fields[index];
    if (!field) return;
    field.input.setAttribute('aria-invalid', 'true');
    fill(field.error, message);
    field.input.focus();
  };
  return new Promise<SignInStep>((resolve, reject) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      fill(alert);
      for (const field of fields) {
        field.input.removeAttribute('aria-invalid');
        fill(field.error);
      }
      const values = fields.map((field, index) =>
        spec.fields[index]?.numeric ? field.input.value.replace(/\s+/g, '') : field.input.value,
      );
      const problem = spec.check(values);
      if (problem) {
        showError(...problem);
        return;
      }
      submit.disabled = true;
      try {
        resolve(await spec.send(values));
      } catch (error) {
        submit.disabled = false;
        if (error instanceof SignInError && error.kind === 'restart') {
          reject(error);
        } else if (error instanceof SignInError && error.kind === 'field') {
          for (const field of fields) if (field.input.type !== 'password') field.input.value = '';
          showError(spec.answerField, error.message);
        } else {
          const message =
            error instanceof SignInError
              ? error.message
              : 'Le service de connexion est indisponible. Réessayez dans quelques instants.';
          fill(alert, h('p', { class: 'notice notice-error' }, message));
        }
      }
    });
  });
}

const PASSWORD_RULES =
  '12 caractères au moins, dont une majuscule, une minuscule, un chiffre et un caractère spécial (! ? - _ @ …).';

function passwordProblem(password: string): string | null {
  if (!password) return 'Saisissez votre nouveau mot de passe.';
  if (password.length < 12) return 'Le mot de passe est trop court : 12 caractères au moins.';
  if (!/[a-z]/.test(password)) return 'Le mot de passe doit contenir au moins une lettre minuscule.';
  if (!/[A-Z]/.test(password)) return 'Le mot de passe doit contenir au moins une lettre majuscule.';
  if (!/[0-9]/.test(password)) return 'Le mot de passe doit contenir au moins un chiffre.';
  if (!/[^A-Za-z0-9]/.test(password))
    return 'Le mot de passe doit contenir au moins un caractère spécial (par exemple ! ? - _ @).';
  return null;
}

const CODE_FIELD: FieldSpec = {
  id: 'totp-code',
  label: 'Code à 6 chiffres',
  hint: 'Affiché par votre application d’authentification ; il change toutes les 30 secondes.',
  type: 'text',
  autocomplete: 'one-time-code',
  numeric: true,
};

function codeProblem(values: string[]): [number, string] | null {
  return /^\d{6}$/.test(values[0] ?? '') ? null : [0, 'Saisissez les 6 chiffres du code, sans espace.'];
}

function newPasswordForm(
  container: HTMLElement,
  config: SiteConfig,
  pending: PendingStep,
): Promise<SignInStep> {
  return runForm(container, {
    heading: 'Nouveau mot de passe',
    intro: [
      h(
        'p',
        {},
        'C’est votre première connexion : remplacez le mot de passe provisoire reçu par courriel par un mot de passe personnel.',
      ),
    ],
    fields: [
      {
        id: 'new-password',
        label: 'Nouveau mot de passe',
        hint: PASSWORD_RULES,
        type: 'password',
        autocomplete: 'new-password',
      },
      {
        id: 'new-password-again',
        label: 'Confirmez le nouveau mot de passe',
        type: 'password',
        autocomplete: 'new-password',
      },
    ],
    submitLabel: 'Enregistrer le mot de passe',
    check([password = '', again = '']) {
      const problem = passwordProblem(password);
      if (problem) return [0, problem];
      if (password !== again) return [1, 'Les deux mots de passe ne sont pas identiques.'];
      return null;
    },
    answerField: 0,
    send: ([password = '']) => answerStep(config, pending, password),
  });
}

/** The secret in groups of four, easier to type into an app than 32 letters in a row. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

async function totpSetupForm(
  container: HTMLElement,
  config: SiteConfig,
  pending: Extract<PendingStep, { kind: 'totp-setup' }>,
  account: string,
): Promise<SignInStep> {
  fill(container, h('p', { class: 'loading', role: 'status' }, 'Préparation de la double authentification…'));
  const { secret, step } = await startTotpSetup(config, pending);
  const qr = toSvgDataURL(generate(totpUri(secret, account, `Budget participatif (${config.edition})`)), {
    on: 'black',
    off: 'white',
    pad: 4,
  });
  return runForm(container, {
    heading: 'Configurer la double authentification',
    intro: [
      h(
        'p',
        {},
        'L’espace agents demande, en plus du mot de passe, un code à usage unique donné par une application d’authentification sur votre téléphone (par exemple FreeOTP, Google Authenticator ou Microsoft Authenticator).',
      ),
      h(
        'ol',
        {},
        h('li', {}, 'Dans l’application, ajoutez un compte en scannant ce QR code :'),
        h('li', {}, 'Saisissez ci-dessous le code à 6 chiffres que l’application affiche.'),
      ),
      h('img', {
        src: qr,
        width: 200,
        height: 200,
        class: 'totp-qr',
        alt: 'QR code à scanner avec votre application d’authentification',
      }),
      h(
        'p',
        {},
        'Sans appareil photo, saisissez dans l’application cette clé (type « basé sur le temps », 6 chiffres) : ',
        h('code', { id: 'totp-secret', class: 'totp-secret' }, grouped(secret)),
      ),
    ],
    fields: [CODE_FIELD],
    submitLabel: 'Activer et me connecter',
    check: codeProblem,
    answerField: 0,
    send: ([code = '']) => answerStep(config, step, code),
  });
}

function totpCodeForm(container: HTMLElement, config: SiteConfig, pending: PendingStep): Promise<SignInStep> {
  return runForm(container, {
    heading: 'Code de vérification',
    intro: [
      h(
        'p',
        {},
        'Ouvrez votre application d’authentification et saisissez le code affiché pour l’espace agents.',
      ),
    ],
    fields: [CODE_FIELD],
    submitLabel: 'Valider',
    check: codeProblem,
    answerField: 0,
    send: ([code = '']) => answerStep(config, pending, code),
  });
}

/**
 * Walks the person through what Cognito asks after the password, in `container`, and keeps the session once
 * signed in. Rejects with a `restart` SignInError when the step expired: the page asks the password again.
 */
export async function completeSignIn(
  container: HTMLElement,
  config: SiteConfig,
  first: SignInStep,
  account: string,
): Promise<StaffSession> {
  let step = first;
  for (;;) {
    switch (step.kind) {
      case 'signed-in':
        fill(container);
        return keepSession(step.tokens.idToken);
      case 'new-password':
        step = await newPasswordForm(container, config, step);
        break;
      case 'totp-setup':
        step = await totpSetupForm(container, config, step, account);
        break;
      case 'totp-code':
        step = await totpCodeForm(container, config, step);
        break;
    }
  }
}
