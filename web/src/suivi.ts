import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatEuros, plural } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';

type Status = 'etude' | 'travaux' | 'livre' | 'abandonne';
type MilestoneKind = 'etudes' | 'travaux' | 'livre';

/** `GET .../realisations` (public once the results are published; 403 `results_not_published` before). */
interface FollowUp {
  projects: {
    id: string;
    title: string;
    cost: number;
    envelope: { id: string; name: string };
    status: Status;
    reason?: string;
    milestones: { kind: MilestoneKind; date: string; done: boolean }[];
    updatedAt?: string;
  }[];
}
type Winner = FollowUp['projects'][number];

// The same words as shared/http/results-schemas.ts (the site bundles no server code).
const STATUS_LABELS: Record<Status, string> = {
  etude: 'À l’étude',
  travaux: 'Travaux en cours',
  livre: 'Livré',
  abandonne: 'Abandonné',
};
const MILESTONE_LABELS: Record<MilestoneKind, string> = {
  etudes: 'Études',
  travaux: 'Travaux',
  livre: 'Livraison',
};

const frenchDate = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));

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
    h(
      'p',
      { class: 'result-figures' },
      `${formatEuros(project.cost)} · État : `,
      h('strong', {}, STATUS_LABELS[project.status]),
    ),
    project.reason
      ? h('p', {}, project.status === 'abandonne' ? `Raison : ${project.reason}` : project.reason)
      : null,
    project.milestones.length > 0
      ? h(
          'ol',
          { class: 'milestones', 'aria-label': `Étapes de « ${project.title} »` },
          ...project.milestones.map((m) =>
            h(
              'li',
              {},
              h('strong', {}, MILESTONE_LABELS[m.kind]),
              ` : ${m.done ? 'étape franchie le' : 'date prévue :'} ${frenchDate(m.date)}`,
            ),
          ),
        )
      : h('p', {}, 'Pas encore d’étape datée.'),
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
