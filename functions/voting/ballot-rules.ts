import { DomainError } from '../../shared/errors/domain-error.ts';
import type { EnvelopeChoices } from '../../shared/http/voting-schemas.ts';
import type { Envelope, VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';

/** What one envelope's ballot holds once validated: project ids, sorted, or points per project. */
export type ValidChoices = string[] | Record<string, number>;

const refused = (code: string, detail: string, field?: string) =>
  new DomainError({
    code,
    status: 422,
    title: 'Bulletin non conforme au règlement',
    detail,
    ...(field ? { errors: [{ field, message: detail }] } : {}),
  });

const euros = (amount: number) => `${amount.toLocaleString('fr-FR').replace(/\u202f/g, ' ')} €`;

/**
 * Checks a ballot against the frozen rules: only the voter's envelopes, projects of that envelope, no
 * duplicates, the count (approval), the budget (knapsack) or the points (cumulative). At least one
 * envelope must be filled; an envelope left out is an abstention in it. Throws a 422 with a French
 * reason and a stable code; returns the choices to store, in a canonical order.
 */
export function validateBallot(
  snapshot: VoteSnapshot,
  envelopes: readonly Envelope[],
  ballot: Record<string, EnvelopeChoices>,
): Map<string, ValidChoices> {
  const entries = Object.entries(ballot);
  if (entries.length === 0)
    throw refused(
      'empty_ballot',
      'Votre bulletin est vide : choisissez des projets dans au moins une enveloppe.',
      'body.choices',
    );
  const valid = new Map<string, ValidChoices>();
  for (const [envelopeId, choices] of entries) {
    const field = `body.choices.${envelopeId}`;
    const envelope = envelopes.find((e) => e.id === envelopeId);
    if (!envelope) {
      const exists = snapshot.envelopes.some((e) => e.id === envelopeId);
      throw refused(
        exists ? 'envelope_not_yours' : 'unknown_envelope',
        exists
          ? `Vous ne pouvez pas voter dans l’enveloppe « ${envelopeId} » : elle ne concerne pas votre territoire.`
          : `L’enveloppe « ${envelopeId} » n’existe pas dans cette édition.`,
        field,
      );
    }
    const projects = new Map(
      snapshot.projects.filter((p) => p.envelope === envelope.id).map((p) => [p.id, p] as const),
    );
    const ids = Array.isArray(choices) ? choices : Object.keys(choices);
    const rules = snapshot.rules;
    // The count first: eleven ticks on a ten-choice ballot is "too many", whatever else is wrong.
    if (rules.kind === 'approval' && ids.length > rules.maxChoices)
      throw refused(
        'too_many_choices',
        `Choisissez au plus ${rules.maxChoices} projets dans « ${envelope.name} » (vous en avez choisi ${ids.length}).`,
        field,
      );
    if (new Set(ids).size !== ids.length)
      throw refused(
        'duplicate_choice',
        `Un même projet est choisi deux fois dans « ${envelope.name} ».`,
        field,
      );
    const stranger = ids.find((id) => !projects.has(id));
    if (stranger)
      throw refused(
        'project_not_in_envelope',
        `Le projet « ${stranger} » n’est pas soumis au vote dans « ${envelope.name} ».`,
        field,
      );
    if (rules.kind === 'cumulative') {
      if (Array.isArray(choices))
        throw refused(
          'points_expected',
          `Répartissez des points entre les projets de « ${envelope.name} ».`,
          field,
        );
      const points = Object.values(choices);
      if (points.some((p) => p < 1 || p > rules.maxPerProject))
        throw refused(
          'points_out_of_range',
          `Chaque projet choisi reçoit de 1 à ${rules.maxPerProject} points dans « ${envelope.name} ».`,
          field,
        );
      const total = points.reduce((sum, p) => sum + p, 0);
      if (total === 0 || total > rules.points)
        throw refused(
          'too_many_points',
          `Vous avez ${rules.points} points à répartir dans « ${envelope.name} » : vous en avez donné ${total}.`,
          field,
        );
      valid.set(
        envelope.id,
        Object.fromEntries(Object.entries(choices).sort(([a], [b]) => (a < b ? -1 : 1))),
      );
      continue;
    }
    if (!Array.isArray(choices))
      throw refused('projects_expected', `Choisissez une liste de projets dans « ${envelope.name} ».`, field);
    if (rules.kind === 'approval') {
      if (ids.length < rules.minChoices)
        throw refused(
          'too_few_choices',
          `Choisissez au moins ${rules.minChoices} projets dans « ${envelope.name} » (vous en avez choisi ${ids.length}).`,
          field,
        );
      if (ids.length > rules.maxChoices)
        throw refused(
          'too_many_choices',
          `Choisissez au plus ${rules.maxChoices} projets dans « ${envelope.name} » (vous en avez choisi ${ids.length}).`,
          field,
        );
    } else {
      if (ids.length === 0)
        throw refused('too_few_choices', `Choisissez au moins un projet dans « ${envelope.name} ».`, field);
      const total = ids.reduce((sum, id) => sum + (projects.get(id)?.cost ?? 0), 0);
      if (total > envelope.amount)
        throw refused(
          'over_budget',
          `Vos projets coûtent ${euros(total)}, plus que l’enveloppe « ${envelope.name} » (${euros(envelope.amount)}).`,
          field,
        );
    }
    valid.set(envelope.id, [...ids].sort());
  }
  return valid;
}
