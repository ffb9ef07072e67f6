import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { clearFieldErrors, problemNotice, showFieldErrors, unexpectedProblem } from './lib/forms.ts';

/** `POST .../receipts/check` (public once published; 403 `results_not_published` before). */
interface ReceiptCheck {
  receipt: string;
  counted: boolean;
  envelopes: { id: string; name: string }[];
  publishedAt: string;
}

const TIME_ZONE = 'Europe/Paris';

function answer(check: ReceiptCheck): HTMLElement {
  const published = h('time', { datetime: check.publishedAt }, formatDateTime(check.publishedAt, TIME_ZONE));
  if (!check.counted)
    return h(
      'div',
      { class: 'notice notice-error' },
      h('p', {}, h('strong', {}, `Aucun bulletin compté avec le code ${check.receipt}.`)),
      h(
        'p',
        {},
        'Ce code ne figure pas dans les résultats publiés le ',
        published,
        '. Vérifiez le code (il est dans le courriel de reçu ou sur l’écran de confirmation du vote) ; si vous êtes sûr·e de lui, écrivez à l’équipe du Budget participatif.',
      ),
    );
  const names = check.envelopes.map((envelope) => envelope.name);
  return h(
    'div',
    { class: 'notice notice-success' },
    h('p', {}, h('strong', {}, `Votre bulletin a été compté (code ${check.receipt}).`)),
    h(
      'p',
      {},
      `${names.length > 1 ? 'Enveloppes' : 'Enveloppe'}\u00a0: ${names.join(', ')} — dans les résultats publiés le `,
      published,
      '.',
    ),
  );
}

function notPublished(): HTMLElement {
  return h(
    'div',
    { class: 'notice' },
    h('p', {}, h('strong', {}, 'Le dépouillement n’est pas encore publié.')),
    h(
      'p',
      {},
      'Vous pourrez vérifier votre reçu dès la publication des résultats. Gardez votre code d’ici là.',
    ),
  );
}

async function main(): Promise<void> {
  const form = byId<HTMLFormElement>('receipt-form');
  const input = byId<HTMLInputElement>('receipt-code');
  const result = byId('receipt-result');
  const alert = byId('receipt-error');
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
  const fields = { code: input, 'body.code': input };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(fields);
    fill(result);
    fill(alert);
    if (!input.value.trim()) {
      showFieldErrors(fields, [{ field: 'code', message: 'Saisissez votre code de reçu.' }]);
      return;
    }
    submit.disabled = true;
    fill(result, h('p', { class: 'loading' }, 'Vérification en cours…'));
    try {
      const config = await loadConfig();
      // The code goes in the body, never in the address: addresses end in logs and browser history.
      const check = await apiRequest<ReceiptCheck>(
        config,
        `/editions/${encodeURIComponent(config.edition)}/receipts/check`,
        { method: 'POST', body: { code: input.value } },
      );
      fill(result, answer(check));
    } catch (error) {
      fill(result);
      const problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      if (problem.code === 'results_not_published') {
        fill(result, notPublished());
        return;
      }
      fill(alert, problemNotice(problem));
      showFieldErrors(fields, problem.errors ?? []);
    } finally {
      submit.disabled = false;
    }
  });
}

void main();
