import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { FieldError } from '../../shared/validation/french.ts';

/** The fields the edition's rules look at. */
export interface IdeaPlacement {
  theme: string;
  territory: string;
  commune?: string | undefined;
  estimatedCost: number;
}

const euros = (amount: number) => `${amount.toLocaleString('fr-FR')} €`;

/**
 * The edition's rules on an idea: a theme of the edition, a territory of the edition (or its
 * Département-wide envelope), a commune of that territory, a cost within `ideaCost`. All failures at
 * once, field by field (422 with `errors[]`); the first one names the `code`.
 */
export function checkIdeaRules(config: EditionConfig, idea: IdeaPlacement): void {
  const failures: { code: string; error: FieldError }[] = [];
  if (!config.themes.some((theme) => theme.id === idea.theme)) {
    failures.push({
      code: 'unknown_theme',
      error: { field: 'body.theme', message: 'Choisissez un des thèmes de l’édition' },
    });
  }
  const wide = config.budget.departementWide;
  const territory = config.territories.find((candidate) => candidate.id === idea.territory);
  if (!territory && wide?.id !== idea.territory) {
    failures.push({
      code: 'unknown_territory',
      error: { field: 'body.territory', message: 'Choisissez un des territoires de l’édition' },
    });
  } else if (territory) {
    if (!idea.commune) {
      failures.push({
        code: 'commune_required',
        error: { field: 'body.commune', message: 'Indiquez la commune concernée' },
      });
    } else if (!territory.communes.includes(idea.commune)) {
      failures.push({
        code: 'commune_not_in_territory',
        error: {
          field: 'body.commune',
          message: `Cette commune n’appartient pas au territoire « ${territory.name} »`,
        },
      });
    }
  } else if (idea.commune && !config.territories.some((t) => t.communes.includes(idea.commune ?? ''))) {
    failures.push({
      code: 'commune_not_in_edition',
      error: { field: 'body.commune', message: 'Cette commune ne fait pas partie de l’édition' },
    });
  }
  const { min, max } = config.ideaCost;
  if (idea.estimatedCost < min || idea.estimatedCost > max) {
    failures.push({
      code: idea.estimatedCost > max ? 'cost_over_cap' : 'cost_under_minimum',
      error: {
        field: 'body.estimatedCost',
        message: `Le coût estimé doit être compris entre ${euros(min)} et ${euros(max)}`,
      },
    });
  }
  const [first] = failures;
  if (first) {
    throw new DomainError({
      code: first.code,
      status: 422,
      title: 'L’idée ne respecte pas le règlement de l’édition',
      detail: failures.map((failure) => failure.error.message).join('. '),
      errors: failures.map((failure) => failure.error),
    });
  }
}

/**
 * Eligibility: a citizen proposes for their own territory (the one of their token, from their commune)
 * or for the Département-wide envelope.
 */
export function checkAuthorTerritory(
  config: EditionConfig,
  ideaTerritory: string,
  authorTerritory: string | undefined,
): void {
  if (ideaTerritory === config.budget.departementWide?.id) return;
  if (ideaTerritory === authorTerritory) return;
  const own = config.territories.find((t) => t.id === authorTerritory)?.name;
  throw new DomainError({
    code: 'territory_not_yours',
    status: 403,
    title: 'Territoire non autorisé',
    detail: own
      ? `Vous pouvez proposer une idée pour votre territoire (« ${own} ») ou pour tout le Département, pas pour un autre territoire.`
      : 'Vous pouvez proposer une idée pour votre territoire ou pour tout le Département, pas pour un autre territoire.',
    errors: [{ field: 'body.territory', message: 'Ce territoire n’est pas le vôtre' }],
  });
}
