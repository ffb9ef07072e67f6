import type { EditionConfig } from '../edition/edition-config.ts';

export interface InstructionReason {
  id: string;
  label: string;
}

/**
 * The reasons a decision or verdict cites when the edition lists none (`instruction.reasons`): the
 * admissibility criteria of the règlement first, then the usual grounds of an opinion.
 */
export const DEFAULT_INSTRUCTION_REASONS: readonly InstructionReason[] = [
  { id: 'criteria-met', label: 'Répond aux critères du règlement' },
  { id: 'competence', label: 'Compétence du Département' },
  { id: 'investment-only', label: 'Dépense d’investissement uniquement' },
  { id: 'general-interest', label: 'Intérêt général' },
  { id: 'cost-bound', label: 'Coût dans les limites du règlement' },
  { id: 'location', label: 'Lieu sur lequel le Département peut agir' },
  { id: 'technical', label: 'Faisabilité technique' },
  { id: 'cost-estimate', label: 'Estimation du coût par le service' },
  { id: 'duplicate', label: 'Idée proche d’une autre idée' },
  { id: 'other', label: 'Autre motif (précisé dans le texte)' },
];

export function reasonsOf(config: Pick<EditionConfig, 'instruction'>): readonly InstructionReason[] {
  return config.instruction?.reasons ?? DEFAULT_INSTRUCTION_REASONS;
}
