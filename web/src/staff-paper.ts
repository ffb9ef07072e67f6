import { ApiError, apiRequest, type Problem } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { clearFieldErrors, problemNotice, showFieldErrors, unexpectedProblem } from './lib/forms.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';

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
  ballot: PaperBallot;
}

const OUTCOME: Record<SheetView['status'], string> = {
  pending: 'Première saisie enregistrée : un autre agent doit saisir la même feuille.',
  cast: 'Les deux saisies concordent : le bulletin est compté et le code de vote est utilisé.',
  flagged: 'Les deux saisies diffèrent : la feuille attend l’arbitrage d’un troisième agent.',
  void: 'La feuille est déclarée nulle.',
  refused: 'La feuille ne peut pas être comptée.',
};

const DIFFERENCE: Record<string, string> = { votingCode: 'le code de vote', choices: 'les projets cochés' };

/** `GET .../staff/paper-ballots`: what the sheets print (envelopes, projects by name), once the vote opened. */
interface PaperBallot {
  envelopes: {
    id: string;
    name: string;
    kind: 'territory' | 'departement';
    projects: { id: string; title: string }[];
  }[];
}

/**
 * The sheet as printed: its territory (a select when the edition has several), then one group of boxes per
 * envelope it prints (that territory's, and the Département-wide one), each project by its name.
 */
function envelopeFields(prefix: string, ballot: PaperBallot): HTMLElement[] {
  const territories = ballot.envelopes.filter((envelope) => envelope.kind === 'territory');
  const select =
    territories.length > 1
      ? h(
          'div',
          { class: 'field' },
          h('label', { for: `${prefix}-territory` }, 'Territoire imprimé sur la feuille'),
          h(
            'select',
            { id: `${prefix}-territory` },
            ...territories.map((territory) => h('option', { value: territory.id }, territory.name)),
          ),
        )
      : null;
  const groups = ballot.envelopes.map((envelope) => {
    const id = `${prefix}-${envelope.id}`;
    return h(
      'fieldset',
      {
        class: 'fieldset',
        id,
        tabindex: '-1',
        'data-envelope': envelope.id,
        'aria-describedby': `${id}-error`,
      },
      h('legend', {}, `Projets cochés — ${envelope.name}`),
      h('p', { class: 'field-error', id: `${id}-error` }),
      ...(envelope.projects.length === 0
        ? [h('p', { class: 'hint' }, 'Aucun projet dans cette enveloppe.')]
        : envelope.projects.map((project, i) =>
            h(
              'div',
              { class: 'field-check' },
              h('input', { type: 'checkbox', id: `${id}-${i}`, value: project.id }),
              h('label', { for: `${id}-${i}` }, project.title),
            ),
          )),
    );
  });
  return [...(select ? [select] : []), ...groups];
}

/** Shows the groups the sheet of the chosen territory prints; the others are hidden and not read. */
function showSheetEnvelopes(prefix: string, ballot: PaperBallot): void {
  const territory =
    document.querySelector<HTMLSelectElement>(`#${prefix}-territory`)?.value ??
    ballot.envelopes.find((envelope) => envelope.kind === 'territory')?.id;
  for (const envelope of ballot.envelopes) {
    byId(`${prefix}-${envelope.id}`).hidden = envelope.kind === 'territory' && envelope.id !== territory;
  }
}

function readChoices(prefix: string, ballot: PaperBallot): Record<string, string[]> {
  const choices: Record<string, string[]> = {};
  for (const envelope of ballot.envelopes) {
    const group = byId(`${prefix}-${envelope.id}`);
    if (group.hidden) continue;
    const ids = [...group.querySelectorAll<HTMLInputElement>('input[type="checkbox"]:checked')].map(
      (box) => box.value,
    );
    if (ids.length > 0) choices[envelope.id] = ids;
  }
  return choices;
}

function fieldMap(prefix: string, codeId: string, ballot: PaperBallot) {
  return {
    'body.votingCode': byId(codeId),
    ...Object.fromEntries(ballot.envelopes.map((e) => [`body.choices.${e.id}`, byId(`${prefix}-${e.id}`)])),
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
  const { ballot } = context;
  for (const prefix of ['entry', 'resolve']) {
    fill(byId(`${prefix}-envelopes`), ...envelopeFields(prefix, ballot));
    showSheetEnvelopes(prefix, ballot);
    document
      .querySelector(`#${prefix}-territory`)
      ?.addEventListener('change', () => showSheetEnvelopes(prefix, ballot));
  }
  byId('entry').hidden = false;
  byId('flagged').hidden = false;

  const entryFields = { 'body.sheet': byId('sheet'), ...fieldMap('entry', 'voting-code', ballot) };
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
          choices: readChoices('entry', ballot),
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
      showSheetEnvelopes('entry', ballot);
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
    ...fieldMap('resolve', 'resolve-code', ballot),
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
                  choices: readChoices('resolve', ballot),
                },
        },
      );
      fill(
        result,
        h('p', { class: 'notice notice-success' }, `Feuille ${sheet.sheet} : ${OUTCOME[sheet.status]}`),
      );
      byId<HTMLFormElement>('resolve-form').reset();
      showSheetEnvelopes('resolve', ballot);
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
    const base = `/editions/${encodeURIComponent(config.edition)}/staff/paper-ballots`;
    const first = await apiRequest<{ sheets: SheetView[]; ballot: PaperBallot | null }>(
      config,
      `${base}?status=flagged`,
      { token: session.idToken },
    );
    if (!first.ballot) {
      fill(
        status,
        h(
          'p',
          { class: 'notice notice-info' },
          'Le vote n’est pas encore ouvert : la liste des projets imprimée sur les feuilles sera figée à son ouverture. La saisie des bulletins papier ouvrira alors.',
        ),
      );
      return;
    }
    const context: Context = { config, session, base, ballot: first.ballot };
    setup(context);
    await loadFlagged(context);
    fill(status);
  } catch (error) {
    fill(status);
    showProblem(byId('pb-error'), {}, error instanceof ApiError ? error.problem : unexpectedProblem());
  }
}

void main();
