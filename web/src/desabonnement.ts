import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';

/**
 * The page of the unsubscribe link of non-essential emails (`desabonnement.html?t=<token>`): one click to
 * confirm (a link opened by a mail scanner unsubscribes nobody), then `POST .../unsubscribe`.
 */
async function main(): Promise<void> {
  const token = new URLSearchParams(location.search).get('t');
  if (!token) {
    fill(
      byId('un-error'),
      problemNotice({
        title: 'Lien incomplet',
        detail: 'Ce lien de désabonnement est incomplet. Copiez-le en entier depuis le message reçu.',
        status: 400,
      }),
    );
    return;
  }
  const form = byId<HTMLFormElement>('un-form');
  form.hidden = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('button');
    if (submit) submit.disabled = true;
    fill(byId('un-error'));
    try {
      const config = await loadConfig();
      const done = await apiRequest<{ label: string }>(
        config,
        `/editions/${encodeURIComponent(config.edition)}/unsubscribe`,
        { method: 'POST', body: { token } },
      );
      form.hidden = true;
      fill(
        byId('un-status'),
        h('p', { class: 'notice notice-success' }, `C’est fait : vous ne recevrez plus ${done.label}.`),
      );
    } catch (error) {
      if (submit) submit.disabled = false;
      fill(byId('un-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    }
  });
}

void main();
