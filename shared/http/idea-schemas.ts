import * as z from 'zod/mini';
import { InseeCode } from '../edition/edition-config.ts';
import { multiLineText, singleLineText } from './text.ts';

/** Labels live in labels.ts (no schema), re-exported here beside what they label. */
export { CHARTER_RULE_LABELS } from './labels.ts';

/**
 * Request bodies and queries of the ideas function (`functions/ideas/`), shared with web/ (labels are
 * computed at build time, zod is never bundled into the site). Rules that need the edition (theme,
 * territory, commune, cost bounds, eligibility) are checked by the use case, not here.
 */

export const TITLE_LENGTH = { min: 5, max: 120 } as const;
export const DESCRIPTION_LENGTH = { min: 20, max: 5000 } as const;

/** Metropolitan France (and Corsica), generously: a pin outside is a typing error. */
export const FRANCE_BOUNDS = { latMin: 41.2, latMax: 51.2, lngMin: -5.3, lngMax: 9.7 } as const;

export const IdeaTitle = singleLineText({ message: 'Texte attendu' }).check(
  z.trim(),
  z.minLength(TITLE_LENGTH.min, { message: `Le titre compte ${TITLE_LENGTH.min} caractères au moins` }),
  z.maxLength(TITLE_LENGTH.max, { message: `Le titre compte ${TITLE_LENGTH.max} caractères au plus` }),
);

export const IdeaDescription = multiLineText({ message: 'Texte attendu' }).check(
  z.trim(),
  z.minLength(DESCRIPTION_LENGTH.min, {
    message: `La description compte ${DESCRIPTION_LENGTH.min} caractères au moins`,
  }),
  z.maxLength(DESCRIPTION_LENGTH.max, {
    message: `La description compte ${DESCRIPTION_LENGTH.max.toLocaleString('fr-FR')} caractères au plus`,
  }),
);

const Slug = z
  .string({ message: 'Identifiant attendu' })
  .check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'Identifiant attendu' }), z.maxLength(40));

export const PROPOSER_KINDS = ['individual', 'collective', 'association'] as const;
export const PROPOSER_LABELS: Record<(typeof PROPOSER_KINDS)[number], string> = {
  individual: 'À titre individuel',
  collective: 'Au nom d’un collectif',
  association: 'Au nom d’une association',
};

export const Proposer = z
  .object({
    kind: z.enum(PROPOSER_KINDS, { message: 'Choisissez : individuel, collectif ou association' }),
    /** Name of the collective or association (public); none for an individual. */
    name: z.optional(
      singleLineText().check(z.trim(), z.maxLength(120, { message: '120 caractères au plus' })),
    ),
  })
  .check(
    z.refine((proposer) => proposer.kind === 'individual' || (proposer.name?.length ?? 0) >= 2, {
      message: 'Indiquez le nom du collectif ou de l’association',
      path: ['name'],
    }),
  );
export type Proposer = z.infer<typeof Proposer>;

export const Location = z.object({
  lat: z
    .number({ message: 'Latitude attendue' })
    .check(
      z.gte(FRANCE_BOUNDS.latMin, { message: 'Ce point n’est pas en France' }),
      z.lte(FRANCE_BOUNDS.latMax, { message: 'Ce point n’est pas en France' }),
    ),
  lng: z
    .number({ message: 'Longitude attendue' })
    .check(
      z.gte(FRANCE_BOUNDS.lngMin, { message: 'Ce point n’est pas en France' }),
      z.lte(FRANCE_BOUNDS.lngMax, { message: 'Ce point n’est pas en France' }),
    ),
});
export type Location = z.infer<typeof Location>;

/** Where exactly, in words: an address or a place name of the commune ("Parc de Procé", "12 rue..."). */
export const Place = singleLineText({ message: 'Adresse ou lieu attendu' }).check(
  z.trim(),
  z.minLength(2, { message: 'Indiquez une adresse ou un lieu (2 caractères au moins), ou laissez vide' }),
  z.maxLength(200, { message: '200 caractères au plus' }),
);
export const PLACE_LENGTH = { max: 200 } as const;

const Cost = z
  .number({ message: 'Montant en euros attendu' })
  .check(
    z.int({ message: 'Montant en euros entiers attendu' }),
    z.nonnegative({ message: 'Montant positif attendu' }),
  );

const ideaFields = {
  title: IdeaTitle,
  description: IdeaDescription,
  theme: Slug,
  /** A territory of the edition, or its Département-wide envelope. */
  territory: Slug,
  /** Required for a territorial idea; optional for a Département-wide one. */
  commune: z.optional(InseeCode),
  /** Estimated cost in euros, within the edition's `ideaCost` bounds. */
  estimatedCost: Cost,
  proposer: Proposer,
  /** Optional: where in the commune, in words (the site never asks for coordinates). */
  place: z.optional(Place),
  /** Optional coordinates, kept for clients that have them (a map); the site does not ask for them. */
  location: z.optional(Location),
};

/** Pictures of an idea: uploaded by the browser straight to S3 with a presigned `PUT`, referenced by key. */
export const PICTURE_TYPES = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' } as const;
export const MAX_PICTURES = 3;
export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
/** `uploads/<edition>/<idea>/<uuid>.<ext>` (the use cases check the edition and idea parts). */
export const PictureKey = z.string({ message: 'Photo attendue' }).check(
  z.regex(/^uploads\/[a-z0-9-]{1,64}\/[A-Za-z0-9-]{1,64}\/[0-9a-f-]{36}\.(jpg|png|webp)$/, {
    message: 'Photo inconnue',
  }),
);

/** The text read in place of a picture (screen readers, failed loads): written by the author, required. */
export const PICTURE_ALT_LENGTH = { min: 3, max: 250 } as const;
export const PictureAlt = singleLineText({ message: 'Décrivez la photo en quelques mots' }).check(
  z.trim(),
  z.minLength(PICTURE_ALT_LENGTH.min, {
    message: 'Décrivez la photo en quelques mots : ce texte est lu à la place de l’image',
  }),
  z.maxLength(PICTURE_ALT_LENGTH.max, { message: `${PICTURE_ALT_LENGTH.max} caractères au plus` }),
);
/** One picture of an idea as the author saves it: the uploaded key and its text alternative. */
export const IdeaPicture = z.strictObject({ key: PictureKey, alt: PictureAlt });
export type IdeaPicture = z.infer<typeof IdeaPicture>;

/** `POST .../ideas/{id}/pictures` (author): what is about to be uploaded. */
export const PictureUploadBody = z.strictObject({
  contentType: z.enum(Object.keys(PICTURE_TYPES) as [keyof typeof PICTURE_TYPES], {
    message: 'Photo JPEG, PNG ou WebP attendue',
  }),
  size: z
    .number({ message: 'Taille en octets attendue' })
    .check(
      z.int({ message: 'Taille en octets attendue' }),
      z.gte(1, { message: 'Le fichier est vide' }),
      z.lte(MAX_PICTURE_BYTES, { message: '5 Mo au plus par photo' }),
    ),
});
export type PictureUploadBody = z.infer<typeof PictureUploadBody>;

/** `POST .../ideas` (citizen, `Idempotency-Key` required). */
export const SubmitIdeaBody = z.strictObject(ideaFields);
export type SubmitIdeaBody = z.infer<typeof SubmitIdeaBody>;

/** `PATCH .../ideas/{id}` (author): some fields, or `{ "status": "withdrawn" }` alone. */
export const PatchIdeaBody = z
  .strictObject({
    title: z.optional(ideaFields.title),
    description: z.optional(ideaFields.description),
    theme: z.optional(ideaFields.theme),
    territory: z.optional(ideaFields.territory),
    commune: z.optional(z.nullable(InseeCode)),
    estimatedCost: z.optional(ideaFields.estimatedCost),
    proposer: z.optional(Proposer),
    place: z.optional(z.nullable(Place)),
    location: z.optional(z.nullable(Location)),
    /**
     * The idea's pictures, in order (add an uploaded one, remove one): keys from `POST .../pictures`, each with
     * the text alternative its author wrote.
     */
    pictures: z.optional(
      z.array(IdeaPicture).check(z.maxLength(MAX_PICTURES, { message: '3 photos au plus' })),
    ),
    status: z.optional(
      z.literal('withdrawn', { message: 'Seule valeur possible : withdrawn (retirer l’idée)' }),
    ),
  })
  .check(
    z.refine((body) => Object.keys(body).length > 0, { message: 'Indiquez au moins un champ à modifier' }),
    z.refine((body) => body.status === undefined || Object.keys(body).length === 1, {
      message: 'Retirer une idée ne se combine pas avec une modification',
      path: ['status'],
    }),
  );
export type PatchIdeaBody = z.infer<typeof PatchIdeaBody>;

/**
 * `PUT .../me/idea-draft`: whatever has been typed so far, every field optional and unchecked beyond
 * its type and size (a draft may be incomplete); submitting the idea deletes it.
 */
export const IdeaDraftBody = z.strictObject({
  title: z.optional(singleLineText().check(z.maxLength(TITLE_LENGTH.max * 2))),
  description: z.optional(multiLineText().check(z.maxLength(DESCRIPTION_LENGTH.max * 2))),
  theme: z.optional(singleLineText().check(z.maxLength(40))),
  territory: z.optional(singleLineText().check(z.maxLength(40))),
  commune: z.optional(singleLineText().check(z.maxLength(5))),
  estimatedCost: z.optional(z.number().check(z.int(), z.nonnegative(), z.lte(1_000_000_000))),
  proposer: z.optional(
    z.strictObject({
      kind: z.optional(z.enum(PROPOSER_KINDS)),
      name: z.optional(singleLineText().check(z.maxLength(120))),
    }),
  ),
  place: z.optional(singleLineText().check(z.maxLength(PLACE_LENGTH.max * 2))),
  location: z.optional(z.strictObject({ lat: z.number(), lng: z.number() })),
  /** The step of the form the citizen was on. */
  step: z.optional(z.number().check(z.int(), z.gte(0), z.lte(10))),
});
export type IdeaDraftBody = z.infer<typeof IdeaDraftBody>;

/** Reasons of the participation charter a moderator may hide an idea for (stable ids, French labels). */
export const CHARTER_RULES = [
  'disrespect',
  'personal-data',
  'advertising',
  'illegal',
  'out-of-scope',
] as const;
export type CharterRule = (typeof CHARTER_RULES)[number];
const Reason = multiLineText({ message: 'Indiquez la raison' }).check(
  z.trim(),
  z.minLength(5, { message: 'Indiquez la raison (5 caractères au moins)' }),
  z.maxLength(1000, { message: '1 000 caractères au plus' }),
);

/** `POST .../staff/ideas/{id}/moderation` (moderator). */
export const ModerationBody = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('publish'), reason: z.optional(Reason) }),
    z.object({ action: z.literal('request-change'), reason: Reason }),
    z.object({
      action: z.literal('hide'),
      rule: z.enum(CHARTER_RULES, { message: 'Choisissez la règle de la charte concernée' }),
      reason: Reason,
    }),
    z.object({
      action: z.literal('merge'),
      into: z.string({ message: 'Identifiant de l’idée qui regroupe' }).check(
        z.regex(/^[A-Za-z0-9-]{1,64}$/, {
          message: 'Identifiant d’idée attendu',
        }),
      ),
      reason: Reason,
    }),
  ],
  { message: 'Action attendue : publish, request-change, hide ou merge' },
);
export type ModerationBody = z.infer<typeof ModerationBody>;

/** `POST .../staff/ideas-window` (admin): extend the call for ideas beyond the calendar, with a reason. */
export const IdeasWindowBody = z.object({
  action: z.literal('extend', { message: 'Action attendue : extend' }),
  until: z.iso.datetime({ offset: true, message: 'Date et heure ISO 8601 attendues' }),
  reason: Reason,
});
export type IdeasWindowBody = z.infer<typeof IdeasWindowBody>;

export const IDEA_SORTS = ['recent', 'oldest', 'title', 'cost-asc', 'cost-desc'] as const;
export const IDEA_SORT_LABELS: Record<(typeof IDEA_SORTS)[number], string> = {
  recent: 'Les plus récentes',
  oldest: 'Les plus anciennes',
  title: 'Titre (A → Z)',
  'cost-asc': 'Coût croissant',
  'cost-desc': 'Coût décroissant',
};
/** Statuses the public may see (instruction statuses come with the instruction issue). */
export const PUBLIC_IDEA_STATUSES = ['published'] as const;

/** `GET .../ideas` query string. */
export const IdeaListQuery = z.object({
  territory: z.optional(Slug),
  commune: z.optional(InseeCode),
  theme: z.optional(Slug),
  status: z.optional(z.enum(PUBLIC_IDEA_STATUSES, { message: 'Statut inconnu' })),
  q: z.optional(singleLineText().check(z.trim(), z.maxLength(200, { message: '200 caractères au plus' }))),
  sort: z._default(z.enum(IDEA_SORTS, { message: 'Tri inconnu' }), 'recent'),
  page: z._default(
    z.coerce.number({ message: 'Numéro de page attendu' }).check(z.int(), z.gte(1), z.lte(10_000)),
    1,
  ),
  pageSize: z._default(
    z.coerce.number({ message: 'Nombre attendu' }).check(z.int(), z.gte(1), z.lte(50)),
    20,
  ),
});
export type IdeaListQuery = z.infer<typeof IdeaListQuery>;

export const IDEA_REQUEST_BODIES: Record<string, z.ZodMiniType> = {
  'POST /api/editions/{edition}/ideas': SubmitIdeaBody,
  'PATCH /api/editions/{edition}/ideas/{id}': PatchIdeaBody,
  'POST /api/editions/{edition}/ideas/{id}/pictures': PictureUploadBody,
  'PUT /api/editions/{edition}/me/idea-draft': IdeaDraftBody,
  'POST /api/editions/{edition}/staff/ideas/{id}/moderation': ModerationBody,
  'POST /api/editions/{edition}/staff/ideas-window': IdeasWindowBody,
};

/**
 * The life of an idea: `submitted` (waiting for moderation) → `published` (public) or
 * `changes-requested` (back to the author, who edits it: `submitted` again) or `hidden` (charter);
 * `merged` into another idea; `withdrawn` by its author. Instruction statuses come with issue 5.
 */
export const IDEA_STATUSES = [
  'submitted',
  'published',
  'changes-requested',
  'hidden',
  'merged',
  'withdrawn',
] as const;

export const IDEA_STATUS_LABELS: Record<(typeof IDEA_STATUSES)[number], string> = {
  submitted: 'En attente de modération',
  published: 'Publiée',
  'changes-requested': 'Modification demandée',
  hidden: 'Masquée (charte)',
  merged: 'Regroupée avec une autre idée',
  withdrawn: 'Retirée par son auteur',
};
