import { ApiError, apiRequest, type Problem } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { clearFieldErrors, problemNotice, showFieldErrors, unexpectedProblem } from './lib/forms.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';
import type { EditionView } from './lib/types.ts';

interface SheetView {
  sheet: string;
  status: 'pending' | 'flagged' | 'cast' | 'void' | 'refused';
  differences?: ('votingCode' | 'choices')[];
  refusal?: string;
  entries: { agent: string; at: string }[];
  updatedAt: string;
}

interface Context {
  config: SiteConfig;
  session: StaffSession;
  base: string;
  envelopes: { id: string; name: string }[];
}

const OUTCOME: Record<SheetView['status'], string> = {
  pending: 'Première saisie enregistrée : un autre agent doit saisir la même feuille.',
  cast: 'Les deux saisies concordent : le bulletin est compté et le code de vote est utilisé.',
  flagged: 'Les deux saisies diffèrent : la feuille attend l’arbitrage d’un troisième agent.',
  void: 'La feuille est déclarée nulle.',
  refused: 'La feuille ne peut pas être comptée.',
};

const DIFFERENCE: Record<string, string> = { votingCode: 'le code de vote', choices: 'les projets cochés' };

/** One text field per envelope: the project numbers ticked on the sheet, separated by commas or spaces. */
function envelopeFields(prefix: string, envelopes: Context['envelopes']): HTMLElement[] {
  return envelopes.map((envelope) => {
    const id = `${prefix}-${envelope.id}`;
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, `Projets cochés — ${envelope.name}`),
      h(
        'p',
        { class: 'hint', id: `${id}-hint` },
        'Numéros des projets (ex. nantes-01, nantes-04), vide si aucun.',
      ),
      h('input', {
        id,
        autocomplete: 'off',
        spellcheck: 'false',
        'aria-describedby': `${id}-hint ${id}-error`,
      }),
      h('p', { class: 'field-error', id: `${id}-error` }),
    );
  });
}

function readChoices(prefix: string, envelopes: Context['envelopes']): Record<string, string[]> {
  const choices: Record<string, string[]> = {};
  for (const envelope of envelopes) {
    const ids = byId<HTMLInputElement>(`${prefix}-${envelope.id}`)
      .value.split(/[\s,;]+/)
      .map((id) => id.trim())
      .filter(Boolean);
    if (ids.length > 0) choices[envelope.id] = ids;
  }
  return choices;
}

function fieldMap(prefix: string, codeId: string, envelopes: Context['envelopes']) {
  return {
    'body.votingCode': byId(codeId),
    ...Object.fromEntries(envelopes.map((e) => [`body.choices.${e.id}`, byId(`${prefix}-${e.id}`)])),
  };
}

function showProblem(target: HTMLElement, fields: Record<string, HTMLElement | undefined>, problem: Problem) {
  if (problem.status === 401) {
    signOut();
    location.replace('index.html?session-expiree');
    return;
  }
  fill(target, problemNotice(problem));
  showFieldErrors(fields, problem.errors ?? []);
}

async function loadFlagged(context: Context): Promise<void> {
  const { sheets } = await apiRequest<{ sheets: SheetView[] }>(
    context.config,
    `${context.base}?status=flagged`,
    {
      token: context.session.idToken,
    },
  );
  fill(
    byId('flagged-list'),
    sheets.length === 0
      ? h('p', {}, 'Aucune feuille à arbitrer.')
      : h(
          'ul',
          {},
          ...sheets.map((sheet) =>
            h(
              'li',
              {},
              `Feuille ${sheet.sheet} — diffère par ${(sheet.differences ?? []).map((d) => DIFFERENCE[d] ?? d).join(' et ')} (${formatDateTime(sheet.updatedAt)}) `,
              h(
                'button',
                { type: 'button', class: 'button button-secondary', 'data-sheet': sheet.sheet },
                `Arbitrer la feuille ${sheet.sheet}`,
              ),
            ),
          ),
        ),
  );
}

function setup(context: Context): void {
  fill(byId('entry-envelopes'), ...envelopeFields('entry', context.envelopes));
  fill(byId('resolve-envelopes'), ...envelopeFields('resolve', context.envelopes));
  byId('entry').hidden = false;
  byId('flagged').hidden = false;

  const entryFields = { 'body.sheet': byId('sheet'), ...fieldMap('entry', 'voting-code', context.envelopes) };
  byId<HTMLFormElement>('entry-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = byId('entry-result');
    clearFieldErrors(entryFields);
    fill(result, h('p', { class: 'loading' }, 'Enregistrement…'));
    try {
      const sheet = await apiRequest<SheetView>(context.config, context.base, {
        method: 'POST',
        token: context.session.idToken,
        body: {
          sheet: byId<HTMLInputElement>('sheet').value,
          votingCode: byId<HTMLInputElement>('voting-code').value,
          choices: readChoices('entry', context.envelopes),
        },
      });
      fill(
        result,
        h(
          'p',
          { class: `notice ${sheet.status === 'flagged' ? 'notice-info' : 'notice-success'}` },
          `Feuille ${sheet.sheet} : ${OUTCOME[sheet.status]}`,
        ),
      );
      byId<HTMLFormElement>('entry-form').reset();
      byId('sheet').focus();
      if (sheet.status === 'flagged') await loadFlagged(context);
    } catch (error) {
      showProblem(result, entryFields, error instanceof ApiError ? error.problem : unexpectedProblem());
    }
  });

  let resolving = '';
  byId('flagged-list').addEventListener('click', (event) => {
    const sheet = (event.target as HTMLElement).getAttribute('data-sheet');
    if (!sheet) return;
    resolving = sheet;
    fill(byId('resolve-heading'), `Arbitrage de la feuille ${sheet}`);
    byId('resolve-form').hidden = false;
    byId('resolve-heading').focus();
  });
  const resolveFields = {
    ...fieldMap('resolve', 'resolve-code', context.envelopes),
    'body.reason': byId('resolve-reason'),
  };
  byId<HTMLFormElement>('resolve-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const decision = (event.submitter as HTMLButtonElement | null)?.value === 'void' ? 'void' : 'cast';
    const result = byId('resolve-result');
    clearFieldErrors(resolveFields);
    try {
      const sheet = await apiRequest<SheetView>(
        context.config,
        `${context.base}/${encodeURIComponent(resolving)}/resolution`,
        {
          method: 'POST',
          token: context.session.idToken,
          body:
            decision === 'void'
              ? { decision, reason: byId<HTMLInputElement>('resolve-reason').value }
              : {
                  decision,
                  votingCode: byId<HTMLInputElement>('resolve-code').value,
                  choices: readChoices('resolve', context.envelopes),
                },
        },
      );
      fill(
        result,
        h('p', { class: 'notice notice-success' }, `Feuille ${sheet.sheet} : ${OUTCOME[sheet.status]}`),
      );
      byId<HTMLFormElement>('resolve-form').reset();
      byId('resolve-form').hidden = true;
      await loadFlagged(context);
    } catch (error) {
      showProblem(result, resolveFields, error instanceof ApiError ? error.problem : unexpectedProblem());
    }
  });
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace('index.html');
    return;
  }
  if (!session.roles.includes('coordinator')) {
    fill(
      byId('pb-error'),
      problemNotice({
        title: 'Accès réservé à la coordination',
        detail: 'La saisie des bulletins papier relève du rôle « coordination ».',
        status: 403,
      }),
    );
    return;
  }
  const status = byId('pb-status');
  fill(status, h('p', { class: 'loading' }, 'Chargement…'));
  try {
    const config = await loadConfig();
    const view = await apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`);
    const edition = view.edition;
    const context: Context = {
      config,
      session,
      base: `/editions/${encodeURIComponent(config.edition)}/staff/paper-ballots`,
      envelopes: [
        ...edition.territories.map(({ id, name }) => ({ id, name })),
        ...(edition.budget.departementWide
          ? [{ id: edition.budget.departementWide.id, name: edition.budget.departementWide.name }]
          : []),
      ],
    };
    setup(context);
    await loadFlagged(context);
    fill(status);
  } catch (error) {
    fill(status);
    showProblem(byId('pb-error'), {}, error instanceof ApiError ? error.problem : unexpectedProblem());
  }
}

void main();
