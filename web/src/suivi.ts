import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { type FollowUp, realisationDetails, type Winner } from './lib/follow-up.ts';
import { plural } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';

function followButton(config: SiteConfig, token: string, project: Winner, following: Set<string>) {
  const holder = h('div', { class: 'follow' });
  const path = `/editions/${encodeURIComponent(config.edition)}/projects/${encodeURIComponent(project.id)}/followers`;
  const render = (problem?: ApiError['problem']) => {
    const on = following.has(project.id);
    const button = h(
      'button',
      {
        type: 'button',
        class: on ? 'button button-secondary' : 'button',
        'aria-describedby': `titre-${project.id}`,
      },
      on ? 'Ne plus suivre ce projet' : 'Suivre ce projet',
    );
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await apiRequest(config, path, { method: on ? 'DELETE' : 'POST', token });
        if (on) following.delete(project.id);
        else following.add(project.id);
        render();
      } catch (error) {
        render(error instanceof ApiError ? error.problem : unexpectedProblem());
      }
    });
    fill(
      holder,
      on ? h('p', {}, 'Vous suivez ce projet : un courriel vous sera envoyé à chaque changement.') : null,
      button,
      problem ? problemNotice(problem) : null,
    );
  };
  render();
  return holder;
}

function projectArticle(project: Winner, follow: HTMLElement | null): HTMLElement {
  return h(
    'li',
    { class: 'result funded', id: `projet-${project.id}` },
    h('h3', { id: `titre-${project.id}` }, project.title),
    ...realisationDetails(project, { figuresClass: 'result-figures', listTag: 'ol' }),
    follow,
  );
}

async function main(): Promise<void> {
  try {
    const config = await loadConfig();
    const edition = encodeURIComponent(config.edition);
    const followUp = await apiRequest<FollowUp>(config, `/editions/${edition}/realisations`);
    const citizen = currentCitizen();
    const following = new Set<string>();
    if (citizen) {
      const mine = await apiRequest<{ following: string[] }>(config, `/editions/${edition}/me/results-news`, {
        token: citizen.token,
      }).catch(() => ({ following: [] }));
      for (const id of mine.following) following.add(id);
    } else {
      byId('follow-up-sign-in').hidden = false;
    }
    const envelopes = new Map<string, { name: string; projects: Winner[] }>();
    for (const project of followUp.projects) {
      const group = envelopes.get(project.envelope.id) ?? { name: project.envelope.name, projects: [] };
      group.projects.push(project);
      envelopes.set(project.envelope.id, group);
    }
    fill(
      byId('follow-up-status'),
      h('p', {}, plural(followUp.projects.length, 'projet lauréat', 'projets lauréats')),
    );
    fill(
      byId('follow-up'),
      ...[...envelopes.entries()].map(([id, group]) =>
        h(
          'section',
          { 'aria-labelledby': `enveloppe-${id}` },
          h('h2', { id: `enveloppe-${id}` }, group.name),
          h(
            'ol',
            { class: 'results-list' },
            ...group.projects.map((project) =>
              projectArticle(
                project,
                citizen ? followButton(config, citizen.token, project, following) : null,
              ),
            ),
          ),
        ),
      ),
    );
  } catch (error) {
    fill(byId('follow-up-status'));
    fill(
      byId('follow-up-error'),
      problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()),
    );
  }
}

void main();
