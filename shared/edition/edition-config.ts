import * as z from 'zod/mini';
import { LocalDateTime, TimeZone } from '../time/zoned.ts';
import { contrastProblems, HEX_COLOUR } from './contrast.ts';

const Slug = z.string().check(
  z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: 'Identifiant attendu en minuscules, chiffres et tirets',
  }),
  z.minLength(3),
  z.maxLength(40),
);
const Euros = z.number().check(z.int({ message: 'Montant en euros entiers attendu' }), z.nonnegative());
/** INSEE commune code: 5 digits, or 2A/2B for Corsica. */
export const InseeCode = z
  .string()
  .check(z.regex(/^(?:\d{5}|2[AB]\d{3})$/, { message: 'Code INSEE de commune attendu (5 caractères)' }));
const Email = z.email({ message: 'Adresse électronique invalide' });

export const Contact = z.object({ name: z.string().check(z.minLength(1)), email: Email });
export type Contact = z.infer<typeof Contact>;

/** The tile map's grid is at most 10 × 10 (indices 0 to 9). */
export const TILE_GRID_MAX = 9;
const TILE_RANGE = { message: `La carte compte au plus 10 lignes et 10 colonnes : de 0 à ${TILE_GRID_MAX}` };
const TileIndex = z.number().check(z.int(), z.minimum(0, TILE_RANGE), z.maximum(TILE_GRID_MAX, TILE_RANGE));

export const Territory = z.object({
  id: Slug,
  name: z.string().check(z.minLength(1)),
  /** Territorial envelope in euros. */
  envelope: Euros,
  communes: z
    .array(InseeCode)
    .check(z.minLength(1, { message: 'Un territoire regroupe au moins une commune' })),
  /**
   * Where the territory sits on the public tile map (« Participation »): one labelled tile per territory on a
   * small grid, drawn without any map server. Optional; when one territory has a tile, all must, and no two
   * may share one (checked below).
   */
  tile: z.optional(z.object({ row: TileIndex, col: TileIndex })),
});
export type Territory = z.infer<typeof Territory>;

export const BallotRules = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('approval'),
    /** Per envelope. */
    minChoices: z.number().check(z.int(), z.gte(1)),
    maxChoices: z.number().check(z.int(), z.gte(1)),
  }),
  z.object({ kind: z.literal('knapsack') }),
  z.object({
    kind: z.literal('cumulative'),
    points: z.number().check(z.int(), z.gte(1)),
    maxPerProject: z.number().check(z.int(), z.gte(1)),
  }),
]);
export type BallotRules = z.infer<typeof BallotRules>;

export const COUNTING_RULES = [
  'greedy',
  'greedy-per-cost',
  'greedy-no-skip',
  'mes',
  'mes-raw',
  'mes-add1',
  'mes-add1-raw',
] as const;

export const Counting = z.object({
  rule: z.enum(COUNTING_RULES),
  /** `project-id`: ids compared as strings by code point, smallest first (pabutools' default). */
  tieBreak: z.enum(['project-id', 'lower-cost', 'published-lottery']),
  minimumSupport: z._default(z.number().check(z.int(), z.nonnegative()), 0),
  /** Repêchage: a territory left without a winner gets its best-supported project that fits, funded first. */
  atLeastOneWinnerPerTerritory: z._default(z.boolean(), false),
  /**
   * Amounts kept for a category of projects (a project's theme or one of its `categories`), counted first in
   * their envelope; what the category does not use returns to the envelope. Optional: absent, none.
   */
  reservedAmounts: z.optional(
    z.array(
      z.object({
        envelope: z.string().check(z.minLength(1)),
        category: z.string().check(z.minLength(1)),
        amount: Euros,
      }),
    ),
  ),
});

const Text = z.string().check(z.trim(), z.minLength(1, { message: 'Texte attendu, non vide' }));
const Colour = z.string().check(z.regex(HEX_COLOUR, { message: 'Couleur attendue au format #rrggbb' }));
const CalendarDate = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'Date attendue au format AAAA-MM-JJ' }));

/**
 * How the site presents the Département (issue 13): its name on every page, its logo, its colours. The
 * colours must meet WCAG AA on every pair the stylesheet draws (shared/edition/contrast.ts).
 */
/**
 * Where the site serves the edition's logo (`identity.logo`). The site's build is the same for every edition,
 * so the deployment adds the file: the local stack copies it, the Web stack uploads it.
 */
export const EDITION_LOGO = 'edition-logo.svg';

export const Identity = z.object({
  /** Shown on every page as it is: « Département de Loire-Atlantique », not « Département » alone. */
  name: z.string().check(
    z.trim(),
    z.minLength(3),
    z.refine((name) => !/^d[ée]partement$/i.test(name), {
      message: 'Nom complet attendu (« Département de Loire-Atlantique »), pas « Département » seul',
    }),
  ),
  /**
   * File name of the logo, an SVG in the edition file's folder (`editions/`). The demos use a neutral
   * drawing of their own, never a real coat of arms or trademark. The site serves it as /edition-logo.svg.
   */
  logo: z.string().check(
    z.regex(/^[a-z0-9][a-z0-9.-]*\.svg$/, {
      message: 'Nom d’un fichier SVG du dossier de l’édition attendu (minuscules, chiffres, points, tirets)',
    }),
  ),
  colours: z.object({
    primary: Colour,
    primaryDark: Colour,
    primaryTint: Colour,
    onPrimary: Colour,
    focus: Colour,
  }),
});
export type Identity = z.infer<typeof Identity>;

export const ACCESSIBILITY_STATUSES = [
  'non-conforme',
  'partiellement-conforme',
  'totalement-conforme',
] as const;

/**
 * What the legal pages say (issue 13): « Mentions légales » (publisher, director of publication, host),
 * « Données personnelles » (the RGPD notice, articles 13 and 14), « Déclaration d’accessibilité » (RGAA 4.1)
 * and « Contact ». Every field is the Département's to fill: none has a default.
 */
export const Legal = z
  .object({
    /** Éditeur du site (LCEN article 6). */
    publisher: z.object({
      name: Text,
      /** Postal address, lines separated by `\n`. */
      address: Text,
      /** Directeur ou directrice de la publication: usually the President of the Département. */
      director: Text,
      phone: z.optional(Text),
    }),
    /** Hébergeur. */
    host: z.object({ name: Text, address: Text, website: z.optional(z.url()) }),
    /** Responsable du traitement. */
    controller: z.object({ name: Text, address: Text, representative: Text }),
    /** Délégué·e à la protection des données. */
    dpo: z.object({ email: Email, address: z.optional(Text) }),
    personalData: z.object({
      purposes: z.array(Text).check(z.minLength(1, { message: 'Au moins une finalité' })),
      /** RGPD article 6: « mission d’intérêt public (article 6.1.e du RGPD) »... */
      legalBasis: Text,
      recipients: z.array(Text).check(z.minLength(1, { message: 'Au moins un destinataire' })),
      /** How long each kind of data is kept. */
      retention: z
        .array(z.object({ data: Text, duration: Text }))
        .check(z.minLength(1, { message: 'Au moins une durée de conservation' })),
      /** Where people write to use their rights (access, rectification, erasure, objection, limitation). */
      rights: z.object({ email: Email, address: z.optional(Text) }),
    }),
    /** RGAA 4.1 accessibility statement. */
    accessibility: z.object({
      status: z.enum(ACCESSIBILITY_STATUSES),
      statementDate: CalendarDate,
      /** Who checked the site, and when. Absent while no audit was made (status « non conforme »). */
      audit: z.optional(
        z.object({ date: CalendarDate, by: Text, rate: z.number().check(z.gte(0), z.lte(100)) }),
      ),
      testedPages: z
        .array(
          z.object({
            title: Text,
            path: z.string().check(z.regex(/^\/[^\s]*$/, { message: 'Chemin attendu, commençant par /' })),
          }),
        )
        .check(z.minLength(1, { message: 'Au moins une page évaluée' })),
      nonConformities: z.array(Text),
      derogations: z._default(z.array(Text), []),
      /** Where people report a barrier and ask for an accessible alternative. */
      contact: z.object({ email: Email, address: z.optional(Text) }),
    }),
    /** The « Contact » page: questions about the participatory budget. */
    contact: z.object({ email: Email, address: Text, phone: z.optional(Text), hours: z.optional(Text) }),
  })
  .check(
    z.superRefine((legal, ctx) => {
      const { status, nonConformities, audit } = legal.accessibility;
      if (status === 'totalement-conforme' && nonConformities.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['accessibility', 'nonConformities'],
          message:
            'Un site totalement conforme n’a aucune non-conformité : changer le statut ou vider la liste',
        });
      }
      if (status !== 'non-conforme' && !audit) {
        ctx.addIssue({
          code: 'custom',
          path: ['accessibility', 'audit'],
          message: 'Sans audit (date, auteur, taux), le site ne peut se déclarer que « non-conforme »',
        });
      }
    }),
  );
export type Legal = z.infer<typeof Legal>;

export const EditionConfig = z
  .object({
    id: Slug,
    name: z.string().check(z.minLength(3)),
    /** Free text: context and every assumption made when writing the file. */
    description: z.string(),
    departement: z.object({
      code: z.string().check(z.regex(/^(?:\d{2,3}|2[AB])$/)),
      name: z.string().check(z.minLength(1)),
    }),
    timeZone: TimeZone,
    calendar: z.object({
      ideasOpen: LocalDateTime,
      ideasClose: LocalDateTime,
      instructionEnd: LocalDateTime,
      voteOpen: LocalDateTime,
      voteClose: LocalDateTime,
      resultsAt: LocalDateTime,
    }),
    budget: z.object({
      currency: z.literal('EUR'),
      total: Euros,
      departementWide: z.optional(
        z.object({ id: Slug, name: z.string().check(z.minLength(1)), envelope: Euros }),
      ),
    }),
    territories: z.array(Territory).check(z.minLength(1)),
    themes: z.array(z.object({ id: Slug, name: z.string().check(z.minLength(1)) })).check(z.minLength(1)),
    services: z
      .array(
        z.object({
          id: Slug,
          name: z.string().check(z.minLength(1)),
          kind: z.enum(['direction-metier', 'direction-territoriale']),
          contacts: z.array(Contact).check(z.minLength(1)),
        }),
      )
      .check(z.minLength(1)),
    eligibility: z.object({
      minimumAge: z.number().check(z.int(), z.gte(0), z.lte(120)),
      /** `live`: residents only; `live-work-study`: also people who work or study in the Département. */
      residence: z.enum(['live', 'live-work-study']),
    }),
    ideaCost: z.object({ min: Euros, max: Euros }),
    ballot: BallotRules,
    counting: Counting,
    supports: z._default(z.object({ enabled: z.boolean() }), { enabled: false }),
    /**
     * Instruction settings (issue 5). Optional: absent, the default French list of reasons applies
     * (shared/instruction/reasons.ts). Each decision and verdict cites one reason `id`.
     */
    instruction: z.optional(
      z.object({
        reasons: z
          .array(z.object({ id: Slug, label: z.string().check(z.minLength(1)) }))
          .check(z.minLength(1, { message: 'Au moins un motif de décision' })),
      }),
    ),
    staff: z.object({
      coordinators: z.array(Contact).check(z.minLength(1)),
      committee: z._default(z.array(Contact), []),
      admins: z.array(Contact).check(z.minLength(1)),
    }),
    /** Mail sender of the edition. */
    mailFrom: Email,
    personalDataRetentionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(3650)), 365),
    identity: Identity,
    legal: Legal,
  })
  .check(
    z.superRefine((config, ctx) => {
      // A field that already failed its own check is reported once: the cross-field rules below skip it.
      const failed = new Set(ctx.issues.map((issue) => (issue.path ?? []).join('.')));
      const valid = (...paths: string[]) => paths.every((path) => !failed.has(path));
      const order = [
        'ideasOpen',
        'ideasClose',
        'instructionEnd',
        'voteOpen',
        'voteClose',
        'resultsAt',
      ] as const;
      for (let i = 1; i < order.length; i++) {
        const before = order[i - 1] as (typeof order)[number];
        const after = order[i] as (typeof order)[number];
        if (!valid(`calendar.${before}`, `calendar.${after}`)) continue;
        if (config.calendar[after] <= config.calendar[before]) {
          ctx.addIssue({
            code: 'custom',
            path: ['calendar', after],
            message: `Doit être postérieur à calendar.${before} (${config.calendar[before]})`,
          });
        }
      }
      // Absent when `identity` itself failed: the schema reports that, not this rule.
      const colours = config.identity?.colours;
      for (const problem of colours ? contrastProblems(colours) : []) {
        ctx.addIssue({
          code: 'custom',
          path: ['identity', 'colours', problem.field],
          message: problem.message,
        });
      }
      const envelopes =
        config.territories.reduce((sum, t) => sum + t.envelope, 0) +
        (config.budget.departementWide?.envelope ?? 0);
      const amounts = [
        'budget.total',
        'budget.departementWide.envelope',
        ...config.territories.map((_, t) => `territories.${t}.envelope`),
      ];
      if (valid(...amounts) && envelopes > config.budget.total) {
        ctx.addIssue({
          code: 'custom',
          path: ['budget', 'total'],
          message: `La somme des enveloppes (${envelopes} €) dépasse l’enveloppe totale (${config.budget.total} €)`,
        });
      }
      if (valid('ideaCost.min', 'ideaCost.max') && config.ideaCost.min > config.ideaCost.max) {
        ctx.addIssue({
          code: 'custom',
          path: ['ideaCost', 'min'],
          message: 'Le coût minimum dépasse le coût maximum',
        });
      }
      if (
        config.ballot.kind === 'approval' &&
        valid('ballot.minChoices', 'ballot.maxChoices') &&
        config.ballot.minChoices > config.ballot.maxChoices
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['ballot', 'minChoices'],
          message: 'Le nombre minimum de choix dépasse le maximum',
        });
      }
      const envelopeAmounts = new Map<string, number>([
        ...config.territories.map((t) => [t.id, t.envelope] as const),
        ...(config.budget.departementWide
          ? [[config.budget.departementWide.id, config.budget.departementWide.envelope] as const]
          : []),
      ]);
      config.counting.reservedAmounts?.forEach((reserve, r) => {
        const amount = envelopeAmounts.get(reserve.envelope);
        if (amount === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['counting', 'reservedAmounts', r, 'envelope'],
            message: `Enveloppe inconnue : ${reserve.envelope}`,
          });
        } else if (reserve.amount > amount) {
          ctx.addIssue({
            code: 'custom',
            path: ['counting', 'reservedAmounts', r, 'amount'],
            message: `Le montant réservé (${reserve.amount} €) dépasse l’enveloppe ${reserve.envelope} (${amount} €)`,
          });
        }
      });
      const seen = new Map<string, string>();
      config.territories.forEach((territory, t) => {
        territory.communes.forEach((commune, c) => {
          const other = seen.get(commune);
          if (other) {
            ctx.addIssue({
              code: 'custom',
              path: ['territories', t, 'communes', c],
              message: `La commune ${commune} appartient déjà au territoire ${other}`,
            });
          } else seen.set(commune, territory.id);
        });
      });
      const tiles = new Map<string, string>();
      const tiled = config.territories.filter((t) => t.tile).length;
      config.territories.forEach((territory, t) => {
        const { tile } = territory;
        if (!tile) {
          if (tiled > 0)
            ctx.addIssue({
              code: 'custom',
              path: ['territories', t, 'tile'],
              message:
                'Tuile manquante : dès qu’un territoire a une tuile sur la carte, tous doivent en avoir une',
            });
          return;
        }
        const key = `${tile.row},${tile.col}`;
        const other = tiles.get(key);
        if (other) {
          ctx.addIssue({
            code: 'custom',
            path: ['territories', t, 'tile'],
            message: `La tuile (ligne ${tile.row}, colonne ${tile.col}) est déjà celle du territoire ${other}`,
          });
        } else tiles.set(key, territory.id);
      });
      for (const [key, list] of [
        ['territories', config.territories],
        ['themes', config.themes],
        ['services', config.services],
      ] as const) {
        const ids = new Set<string>();
        list.forEach((item, i) => {
          if (ids.has(item.id)) {
            ctx.addIssue({
              code: 'custom',
              path: [key, i, 'id'],
              message: `Identifiant en double : ${item.id}`,
            });
          }
          ids.add(item.id);
        });
      }
    }),
  );
export type EditionConfig = z.infer<typeof EditionConfig>;

/** The part of the config anyone may read (no staff emails). */
export function publicEditionConfig(config: EditionConfig) {
  const { staff: _staff, services, mailFrom: _mailFrom, ...rest } = config;
  return { ...rest, services: services.map(({ id, name, kind }) => ({ id, name, kind })) };
}
export type PublicEditionConfig = ReturnType<typeof publicEditionConfig>;
