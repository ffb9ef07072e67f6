import { ApiError, apiRequest, type Problem } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { problemNotice } from './lib/forms.ts';
import {
  type ActionLinkAnswer,
  asProblem,
  focusOn,
  instructionBase,
  setFieldError,
} from './lib/instruction-labels.ts';
import { currentSession, decodeJwtPayload, SignInError, signOut } from './lib/session.ts';
import { completeSignIn, signIn } from './lib/sign-in-steps.ts';

/**
 * The signed links of staff emails (`lien.html?t=<token>`): the token is exchanged by the API for the signed-in
 * staff member, who must be its recipient. The page only reads the token's `act` claim to ask for a reason
 * before a reassignment; the API verifies everything.
 */

const WHAT: Record<string, string> = {
  open: 'Ce lien ouvre un dossier d’instruction.',
  accept:
    'Ce lien confirme que votre service prend en charge l’instruction d’une idée, puis ouvre le dossier.',
  reassign:
    'Ce lien demande à la coordination de confier l’instruction d’une idée à un autre service, puis ouvre le dossier.',
};

/** The refusals the API gives (stable codes), explained for the person who clicked. */
const REFUSALS: Record<string, { title: string; detail: string }> = {
  action_link_expired: {
    title: 'Ce lien a expiré',
    detail:
      'Pour votre sécurité, les liens des courriels ne fonctionnent que pendant une durée limitée. Le dossier reste accessible depuis l’espace agents, dans la file d’attente de votre service.',
  },
  action_link_used: {
    title: 'Ce lien a déjà été utilisé',
    detail:
      'Chaque lien d’un courriel ne sert qu’une fois. Si vous l’avez déjà ouvert, le dossier se retrouve dans la file d’attente de votre service.',
  },
  action_link_other_recipient: {
    title: 'Ce lien est destiné à une autre personne',
    detail:
      'Il a été envoyé à une autre adresse électronique que celle du compte connecté. Connectez-vous avec le compte de l’adresse qui a reçu le courriel, ou passez par l’espace agents.',
  },
  action_link_invalid: {
    title: 'Ce lien n’est pas valable',
    detail:
      'Il est incomplet ou a été modifié (une messagerie coupe parfois les adresses longues). Copiez l’adresse complète depuis le courriel, ou retrouvez le dossier depuis l’espace agents.',
  },
};

const ROLE_REFUSAL = {
  title: 'Ce lien est réservé aux agents instructeurs et à la coordination',
  detail:
    'Le compte connecté n’a pas le rôle qui permet de l’utiliser. Connectez-vous avec le compte de l’adresse qui a reçu le courriel.',
};

function tokenAction(token: string): string | undefined {
  try {
    const act = decodeJwtPayload(token).act;
    return typeof act === 'string' ? act : undefined;
  } catch {
    return undefined;
  }
}

function showOnly(section: 'li-sign-in' | 'li-reason' | 'li-refused' | null): void {
  for (const id of ['li-sign-in', 'li-reason', 'li-refused'] as const) byId(id).hidden = id !== section;
}

function refuse(refusal: { title: string; detail: string }, apiDetail?: string): void {
  fill(byId('li-status'));
  fill(byId('li-error'));
  document.title = `${refusal.title} — Espace agents — Budget participatif`;
  fill(byId('li-title'), refusal.title);
  fill(byId('li-what'));
  fill(
    byId('li-refused-body'),
    h('div', { class: 'notice notice-error' }, h('p', {}, refusal.detail)),
    apiDetail && apiDetail !== refusal.detail ? h('p', { class: 'hint' }, apiDetail) : null,
  );
  showOnly('li-refused');
  focusOn(byId('li-title'));
}

interface Flow {
  config: SiteConfig;
  token: string;
  action: string | undefined;
}

async function exchange(flow: Flow, reason?: string): Promise<void> {
  const session = currentSession();
  if (!session) return askSignIn();
  fill(byId('li-error'));
  fill(byId('li-status'), h('p', { class: 'loading' }, 'Vérification du lien…'));
  try {
    const answer = await apiRequest<ActionLinkAnswer>(
      flow.config,
      `${instructionBase(flow.config)}/action-links`,
      {
        method: 'POST',
        token: session.idToken,
        body: { token: flow.token, ...(reason ? { reason } : {}) },
      },
    );
    fill(
      byId('li-status'),
      h('p', { class: 'notice notice-success' }, 'Lien accepté : ouverture du dossier…'),
    );
    const params = new URLSearchParams({ id: answer.ideaId, assignment: answer.assignmentId });
    if (answer.action !== 'open') params.set('lien', answer.action);
    location.replace(`dossier.html?${params.toString()}`);
  } catch (error) {
    fill(byId('li-status'));
    const problem = asProblem(error);
    if (error instanceof ApiError && problem.status === 401) {
      signOut();
      return askSignIn('Votre session a expiré. Reconnectez-vous pour utiliser ce lien.');
    }
    const known = problem.code ? REFUSALS[problem.code] : undefined;
    if (known) return refuse(known, problem.detail);
    if (problem.status === 403) return refuse(ROLE_REFUSAL);
    if (problem.errors?.some((item) => item.field.endsWith('reason'))) return askReason(problem);
    if (problem.status === 400 && problem.errors?.some((item) => item.field.endsWith('token')))
      return refuse(REFUSALS.action_link_invalid as { title: string; detail: string });
    fill(byId('li-error'), problemNotice(problem));
  }
}

function askSignIn(notice?: string): void {
  fill(byId('li-status'), notice ? h('p', { class: 'notice notice-info' }, notice) : null);
  showOnly('li-sign-in');
  byId<HTMLInputElement>('email').focus();
}

function askReason(problem?: Problem): void {
  fill(byId('li-status'));
  showOnly('li-reason');
  const text = byId<HTMLTextAreaElement>('li-reason-text');
  const message = problem?.errors?.find((item) => item.field.endsWith('reason'))?.message;
  setFieldError(text, message);
  text.focus();
}

function setup(flow: Flow): void {
  const form = byId<HTMLFormElement>('li-sign-in-form');
  const email = byId<HTMLInputElement>('email');
  const password = byId<HTMLInputElement>('password');
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
  const steps = byId('li-sign-in-steps');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(byId('li-error'));
    setFieldError(email, undefined);
    setFieldError(password, undefined);
    const problems: [HTMLInputElement, string][] = [];
    if (!email.value.trim()) problems.push([email, 'Saisissez votre adresse électronique.']);
    else if (!email.validity.valid)
      problems.push([email, 'Saisissez une adresse électronique valide, par exemple nom@exemple.fr.']);
    if (!password.value) problems.push([password, 'Saisissez votre mot de passe.']);
    if (problems.length) {
      for (const [control, message] of problems) setFieldError(control, message);
      problems[0]?.[0].focus();
      return;
    }
    submit.disabled = true;
    fill(byId('li-status'), h('p', { class: 'loading' }, 'Connexion en cours…'));
    try {
      const step = await signIn(flow.config, email.value.trim(), password.value);
      fill(byId('li-status'));
      password.value = '';
      form.hidden = true;
      steps.hidden = false;
      await completeSignIn(steps, flow.config, step, email.value.trim());
      form.hidden = false;
      steps.hidden = true;
      showOnly(null);
      await next(flow);
    } catch (error) {
      fill(byId('li-status'));
      fill(steps);
      steps.hidden = true;
      form.hidden = false;
      const message =
        error instanceof SignInError
          ? error.message
          : 'Le service de connexion est indisponible. Réessayez dans quelques instants.';
      fill(byId('li-error'), h('p', { class: 'notice notice-error' }, message));
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });

  const reasonForm = byId<HTMLFormElement>('li-reason-form');
  const reason = byId<HTMLTextAreaElement>('li-reason-text');
  reasonForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (text.length < 5) {
      setFieldError(reason, 'Indiquez la raison (5 caractères au moins).');
      reason.focus();
      return;
    }
    setFieldError(reason, undefined);
    void exchange(flow, text);
  });

  byId('li-switch').addEventListener('click', () => {
    signOut();
    fill(byId('li-title'), 'Lien reçu par courriel');
    fill(byId('li-what'), WHAT[flow.action ?? ''] ?? '');
    askSignIn('Vous êtes déconnecté·e. Connectez-vous avec le compte qui a reçu le courriel.');
  });
}

async function next(flow: Flow): Promise<void> {
  if (!currentSession()) return askSignIn();
  if (flow.action === 'reassign') return askReason();
  await exchange(flow);
}

async function main(): Promise<void> {
  const token = new URLSearchParams(location.search).get('t') ?? '';
  if (token.length < 10) {
    refuse(REFUSALS.action_link_invalid as { title: string; detail: string });
    // Without a token there is nothing to sign in for: the back-office links remain.
    byId('li-switch').hidden = true;
    return;
  }
  const action = tokenAction(token);
  fill(byId('li-what'), WHAT[action ?? ''] ?? '');
  try {
    const config = await loadConfig();
    const flow: Flow = { config, token, action };
    setup(flow);
    if (!currentSession()) {
      askSignIn();
      return;
    }
    await next(flow);
  } catch (error) {
    fill(byId('li-status'));
    fill(byId('li-error'), problemNotice(asProblem(error)));
  }
}

void main();
