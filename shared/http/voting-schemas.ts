import * as z from 'zod/mini';
import { singleLineText } from './text.ts';

/** Per envelope: project ids (approval, knapsack) or points per project id (cumulative). */
export const EnvelopeChoices = z.union([
  z.array(z.string().check(z.minLength(1), z.maxLength(80))).check(z.maxLength(200)),
  z.record(z.string().check(z.minLength(1), z.maxLength(80)), z.number().check(z.int())),
]);
export type EnvelopeChoices = z.infer<typeof EnvelopeChoices>;

/** `POST .../ballots`: the choices per envelope id; an envelope left out is an abstention in it. */
export const CastBallotBody = z.object({
  choices: z.record(z.string().check(z.minLength(1), z.maxLength(80)), EnvelopeChoices),
  /** "M'envoyer mon code de reçu par courriel": voting sends it itself, never through an event. */
  emailReceipt: z._default(z.boolean({ message: 'emailReceipt : vrai ou faux' }), false),
});
export type CastBallotBody = z.infer<typeof CastBallotBody>;

/** A client-generated secret per ballot (UUID or 22+ random URL-safe characters), reused on retries. */
export const IdempotencyKey = z
  .string({ message: 'En-tête Idempotency-Key obligatoire (un identifiant aléatoire par bulletin)' })
  .check(
    z.regex(/^[A-Za-z0-9_-]{22,128}$/, {
      message: 'Idempotency-Key : 22 à 128 caractères parmi lettres, chiffres, « - » et « _ »',
    }),
  );

const Reason = singleLineText().check(
  z.trim(),
  z.minLength(5, { message: 'Indiquez la raison (5 caractères au moins)' }),
  z.maxLength(500),
);

/** `POST .../staff/vote-window` (admin): pause, resume or extend the vote, always with a reason. */
export const VoteWindowBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('pause'), reason: Reason }),
  z.object({ action: z.literal('resume'), reason: Reason }),
  z.object({ action: z.literal('extend'), reason: Reason, until: z.iso.datetime({ offset: true }) }),
]);
export type VoteWindowBody = z.infer<typeof VoteWindowBody>;

/** The number printed on a paper sheet (its ballot-box label). */
export const SheetNumber = z
  .string()
  .check(
    z.trim(),
    z.regex(/^[A-Za-z0-9-]{1,40}$/, { message: 'Numéro de feuille : 1 à 40 lettres, chiffres ou « - »' }),
  );

/** The printed voting code of an in-person registration, as typed (case and separators are free). */
export const TypedVotingCode = z.string({ message: 'Code de vote obligatoire' }).check(
  z.trim(),
  z.regex(/^[0-9A-Za-z][0-9A-Za-z -]{10,18}[0-9A-Za-z]$/, {
    message: 'Code de vote attendu : 12 caractères, par exemple K7QM-4XTR-9BHE',
  }),
);

/** `POST .../staff/paper-ballots` (coordinator): one agent's entry of one paper sheet. */
export const PaperBallotBody = z.object({
  sheet: SheetNumber,
  /** The voter's printed one-time code (in-person registration): redeemed when the ballot is cast. */
  votingCode: TypedVotingCode,
  choices: z.record(z.string().check(z.minLength(1), z.maxLength(80)), EnvelopeChoices),
});
export type PaperBallotBody = z.infer<typeof PaperBallotBody>;

/** `POST .../staff/paper-ballots/{sheet}/resolution`: a third agent reads the sheet and decides. */
export const PaperResolutionBody = z.discriminatedUnion('decision', [
  z.object({
    decision: z.literal('cast'),
    votingCode: TypedVotingCode,
    choices: z.record(z.string().check(z.minLength(1), z.maxLength(80)), EnvelopeChoices),
  }),
  z.object({ decision: z.literal('void'), reason: Reason }),
]);
export type PaperResolutionBody = z.infer<typeof PaperResolutionBody>;

export const PaperSheetStatus = z.enum(['pending', 'flagged', 'cast', 'void', 'refused']);
export type PaperSheetStatus = z.infer<typeof PaperSheetStatus>;

export const VOTING_REQUEST_BODIES: Record<string, z.ZodMiniType> = {
  'POST /api/editions/{edition}/ballots': CastBallotBody,
  'POST /api/editions/{edition}/staff/vote-window': VoteWindowBody,
  'POST /api/editions/{edition}/staff/paper-ballots': PaperBallotBody,
  'POST /api/editions/{edition}/staff/paper-ballots/{sheet}/resolution': PaperResolutionBody,
};
