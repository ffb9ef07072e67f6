import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { currentSession, SignInError } from './lib/session.ts';
import { completeSignIn, signIn } from './lib/sign-in-steps.ts';

const BACK_OFFICE = 'back-office.html';

function showFieldError(input: HTMLInputElement, message: string): void {
  input.setAttribute('aria-invalid', 'true');
  fill(byId(`${input.id}-error`), message);
}

function clearFieldError(input: HTMLInputElement): void {
  input.removeAttribute('aria-invalid');
  fill(byId(`${input.id}-error`));
}

function main(): void {
  const params = new URLSearchParams(location.search);
  if (currentSession() && !params.has('deconnexion')) {
    location.replace(BACK_OFFICE);
    return;
  }
  const status = byId('sign-in-status');
  if (params.has('deconnexion')) {
    fill(status, h('p', { class: 'notice notice-info' }, 'Vous êtes déconnecté·e.'));
  } else if (params.has('session-expiree')) {
    fill(
      status,
      h('p', { class: 'notice notice-info' }, 'Votre session a expiré. Reconnectez-vous pour continuer.'),
    );
  }

  const form = byId<HTMLFormElement>('sign-in-form');
  const email = byId<HTMLInputElement>('email');
  const password = byId<HTMLInputElement>('password');
  const alert = byId('sign-in-error');
  const steps = byId('sign-in-steps');
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(alert);
    fill(status);
    clearFieldError(email);
    clearFieldError(password);
    const invalid: HTMLInputElement[] = [];
    if (!email.value.trim()) {
      showFieldError(email, 'Saisissez votre adresse électronique.');
      invalid.push(email);
    } else if (!email.validity.valid) {
      showFieldError(email, 'Saisissez une adresse électronique valide, par exemple nom@exemple.fr.');
      invalid.push(email);
    }
    if (!password.value) {
      showFieldError(password, 'Saisissez votre mot de passe.');
      invalid.push(password);
    }
    if (invalid[0]) {
      invalid[0].focus();
      return;
    }

    submit.disabled = true;
    fill(status, h('p', { class: 'loading' }, 'Connexion en cours…'));
    try {
      const config = await loadConfig();
      const step = await signIn(config, email.value.trim(), password.value);
      fill(status);
      password.value = '';
      form.hidden = true;
      steps.hidden = false;
      await completeSignIn(steps, config, step, email.value.trim());
      location.assign(BACK_OFFICE);
    } catch (error) {
      fill(status);
      fill(steps);
      steps.hidden = true;
      form.hidden = false;
      const message =
        error instanceof SignInError
          ? error.message
          : 'Le service de connexion est indisponible. Réessayez dans quelques instants.';
      fill(alert, h('p', { class: 'notice notice-error' }, message));
      password.value = '';
      password.focus();
      submit.disabled = false;
    }
  });
}

main();
