import * as z from 'zod/mini';
import { InseeCode } from '../edition/edition-config.ts';
import { Phase } from '../edition/phases.ts';
import { singleLineText } from './text.ts';

/**
 * HTTP request bodies of the public contract: parsed by the handlers, described in the OpenAPI
 * document, and importable by web/ for client-side checks.
 */
export const ChangePhaseBody = z.object({
  to: Phase,
  reason: singleLineText().check(
    z.trim(),
    z.minLength(5, { message: 'Indiquez la raison du changement (5 caractères au moins)' }),
    z.maxLength(500),
  ),
});
export type ChangePhaseBody = z.infer<typeof ChangePhaseBody>;

const Email = z.pipe(
  z.string().check(z.trim(), z.maxLength(254, { message: 'Adresse électronique trop longue' })),
  z.email({ message: 'Adresse électronique invalide' }),
);

const PersonName = singleLineText().check(
  z.trim(),
  z.minLength(1, { message: 'Champ obligatoire' }),
  z.maxLength(100, { message: '100 caractères au plus' }),
  z.regex(/^[\p{L}\p{M}][\p{L}\p{M}' .’-]*$/u, {
    message: 'Lettres, espaces, tirets et apostrophes uniquement',
  }),
);

export const RequestCodeBody = z.object({ email: Email });
export type RequestCodeBody = z.infer<typeof RequestCodeBody>;

/** Who I am, declared once at the first sign-in; eligibility is checked against the edition's rules. */
export const CitizenProfile = z
  .object({
    firstName: PersonName,
    lastName: PersonName,
    birthDate: z.iso.date({ message: 'Date de naissance attendue au format AAAA-MM-JJ' }),
    /** INSEE code of the commune where I live (or work or study, when `workOrStudy`). */
    commune: z.optional(InseeCode),
    /** Or its postcode, when it designates one commune of the edition. */
    postcode: z.optional(
      z.string().check(z.regex(/^\d{5}$/, { message: 'Code postal attendu (5 chiffres)' })),
    ),
    /** I do not live in the Département but work or study there (editions that allow it). */
    workOrStudy: z._default(z.boolean(), false),
  })
  .check(
    z.refine((profile) => profile.commune !== undefined || profile.postcode !== undefined, {
      message: 'Indiquez votre commune (code INSEE) ou votre code postal',
      path: ['commune'],
    }),
  );
export type CitizenProfile = z.infer<typeof CitizenProfile>;

export const OpenSessionBody = z.object({
  email: Email,
  code: z
    .string()
    .check(z.trim(), z.regex(/^\d{6}$/, { message: 'Le code reçu par courriel compte 6 chiffres' })),
  /** Required at the first sign-in of this email in this edition, ignored afterwards. */
  profile: z.optional(CitizenProfile),
});
export type OpenSessionBody = z.infer<typeof OpenSessionBody>;

export const ReviewDecisionBody = z.object({
  outcome: z.enum(['clear', 'reject']),
  reason: singleLineText().check(
    z.trim(),
    z.minLength(5, { message: 'Indiquez la raison de la décision (5 caractères au moins)' }),
    z.maxLength(500),
  ),
});
export type ReviewDecisionBody = z.infer<typeof ReviewDecisionBody>;

/**
 * A coordinator registers a person on site (no email): the same profile, eligibility and duplicate rules
 * as online. The identity can vote only on paper or at a kiosk, with the printed one-time voting code.
 */
export const InPersonRegistrationBody = z.object({ profile: CitizenProfile });
export type InPersonRegistrationBody = z.infer<typeof InPersonRegistrationBody>;
