import { verifyActionLink } from '../../shared/auth/action-links.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { ActionLinkBody } from '../../shared/http/instruction-schemas.ts';
import { acceptAssignment, assignmentForService, requestReassignment } from './assignment-actions.ts';
import type { Assignment } from './dossier.ts';
import { type InstructionDeps, invalidField, type Staff } from './instruction-deps.ts';

const SIGN_IN =
  'Connectez-vous au back-office du Budget participatif : le dossier et ses actions y sont accessibles depuis votre file de travail.';

const refusal = (code: string, status: number, title: string, detail: string) =>
  new DomainError({ code, status, title, detail: `${detail} ${SIGN_IN}` });

const REFUSALS = {
  invalid: () =>
    refusal(
      'action_link_invalid',
      400,
      'Lien invalide',
      'Ce lien est incomplet ou a été modifié : il ne peut pas être utilisé.',
    ),
  'other-edition': () =>
    refusal(
      'action_link_invalid',
      400,
      'Lien invalide',
      'Ce lien concerne une autre édition du Budget participatif.',
    ),
  expired: () =>
    refusal(
      'action_link_expired',
      410,
      'Lien expiré',
      'Ce lien a expiré : pour votre sécurité, les liens des courriels ont une durée limitée.',
    ),
  'other-recipient': () =>
    refusal(
      'action_link_other_recipient',
      403,
      'Lien destiné à une autre personne',
      'Ce lien a été envoyé à une autre adresse que celle de votre compte : il ne peut être utilisé que par son destinataire.',
    ),
  used: () =>
    refusal(
      'action_link_used',
      409,
      'Lien déjà utilisé',
      'Ce lien a déjà servi : chaque lien ne fonctionne qu’une fois.',
    ),
};

/**
 * Uses a signed action link of a staff email: verifies it against the signed-in caller's address, records
 * its single use (a conditional write) before acting, then opens the dossier, accepts the assignment or
 * requests its reassignment (reason required). Refusals are stable codes with French explanations.
 */
export async function useActionLink(
  deps: InstructionDeps & { actionLinkKey: () => Promise<string> },
  config: EditionConfig,
  input: { body: ActionLinkBody; staff: Staff; email: string | undefined },
): Promise<{
  action: 'open' | 'accept' | 'reassign';
  ideaId: string;
  assignmentId: string;
  assignment?: Assignment;
}> {
  const now = deps.now();
  const check = await verifyActionLink(await deps.actionLinkKey(), input.body.token, {
    edition: deps.edition,
    callerEmail: input.email,
    now,
  });
  if (!check.ok) throw REFUSALS[check.reason]();
  const { claims } = check;
  if (claims.action === 'reassign' && !input.body.reason)
    throw invalidField('body.reason', 'Indiquez pourquoi votre service demande une réaffectation');
  if (claims.action !== 'open') await assignmentForService(deps, claims.assignmentId, input.staff);
  if (!(await deps.repository.consumeActionLink(claims.jti, claims.expiresAt, now.toISOString())))
    throw REFUSALS.used();
  const base = { action: claims.action, ideaId: claims.ideaId, assignmentId: claims.assignmentId };
  if (claims.action === 'accept') {
    return {
      ...base,
      assignment: await acceptAssignment(deps, config, {
        assignmentId: claims.assignmentId,
        staff: input.staff,
      }),
    };
  }
  if (claims.action === 'reassign') {
    const assignment = await requestReassignment(deps, config, {
      assignmentId: claims.assignmentId,
      reason: input.body.reason ?? '',
      staff: input.staff,
    });
    return { ...base, assignment };
  }
  return base;
}
