import { ApiError, apiRequest } from './lib/api.ts';
import { currentCitizen } from './lib/citizen-session.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { editionPath, type IdeaView, ideaFacts, statusName } from './lib/ideas.ts';
import type { EditionView } from './lib/types.ts';

async function main(): Promise<void> {
  const status = byId('idea-status');
  const id = new URLSearchParams(location.search).get('id') ?? '';
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    fill(status);
    fill(
      byId('idea-error'),
      problemNotice({
        title: 'Idée introuvable',
        detail: 'Le lien est incomplet : revenez à la liste des idées.',
        status: 404,
      }),
    );
    return;
  }
  try {
    const config = await loadConfig();
    // An author sees her own idea whatever its status (links of the emails); anyone else, published ones.
    const token = currentCitizen()?.token;
    const [{ edition }, idea] = await Promise.all([
      apiRequest<EditionView>(config, editionPath(config)),
      apiRequest<IdeaView>(
        config,
        `${editionPath(config)}/ideas/${encodeURIComponent(id)}`,
        token ? { token } : {},
      ),
    ]);
    document.title = `${idea.title} — Budget participatif`;
    fill(byId('idea-title'), idea.title);
    const when = idea.publishedAt ? `publiée le ${formatDateTime(idea.publishedAt, edition.timeZone)}` : '';
    fill(byId('idea-state'), [statusName(idea), when].filter(Boolean).join(', '));
    fill(byId('idea-facts'), ideaFacts(edition, idea));
    fill(
      byId('idea-description'),
      ...idea.description.split(/\n{2,}/).map((paragraph) => h('p', {}, paragraph)),
    );
    fill(
      byId('idea-merged'),
      idea.mergedInto
        ? h(
            'a',
            { href: `idee.html?id=${encodeURIComponent(idea.mergedInto)}` },
            'Cette idée a été regroupée avec une autre : la voir',
          )
        : idea.authorsCount > 1
          ? `Idée portée par ${idea.authorsCount} personnes (idées semblables regroupées).`
          : null,
    );
    fill(status);
    byId('idea').hidden = false;
  } catch (error) {
    fill(status);
    fill(byId('idea-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

void main();
