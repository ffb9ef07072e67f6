import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseEditionConfig, readEditionFile } from '../../shared/edition/load-edition.ts';

const editions = fileURLToPath(new URL('../../editions/', import.meta.url));
const CALENDAR_KEYS = [
  'ideasOpen',
  'ideasClose',
  'instructionEnd',
  'voteOpen',
  'voteClose',
  'resultsAt',
] as const;

// biome-ignore lint/suspicious/noExplicitAny: tests break the config on purpose, field by field.
type Raw = any;
let demo: Raw;
const broken = (change: (config: Raw) => void): Raw => {
  const config = structuredClone(demo);
  change(config);
  return config;
};
const errorsOf = (json: unknown): string[] => {
  const result = parseEditionConfig(json);
  return result.ok ? [] : result.errors;
};

beforeAll(async () => {
  demo = JSON.parse(await readFile(join(editions, 'loire-atlantique-demo.json'), 'utf8'));
});

describe('parseEditionConfig', () => {
  it.each(['loire-atlantique-demo.json', 'gironde-demo.json'])(
    'accepts the demo edition %s',
    async (file) => {
      const result = await readEditionFile(join(editions, file));

      expect(result.ok ? [] : result.errors).toEqual([]);
    },
  );

  it('keeps the Loire-Atlantique demo within its total, with every commune once', () => {
    const result = parseEditionConfig(demo);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const { budget, territories } = result.config;

    const communes = territories.flatMap((t) => t.communes);
    const allocated =
      territories.reduce((sum, t) => sum + t.envelope, 0) + (budget.departementWide?.envelope ?? 0);

    expect(budget.total).toBe(2_000_000);
    expect(allocated).toBeLessThanOrEqual(budget.total);
    expect(new Set(communes).size).toBe(communes.length);
    expect(communes.length).toBe(207);
  });

  it.each<[string, (config: Raw) => void, string]>([
    [
      'a vote opening before the end of instruction',
      (c) => {
        c.calendar.instructionEnd = '2023-06-30T18:00';
        c.calendar.voteOpen = '2023-06-30T18:00';
      },
      'calendar.voteOpen: Doit être postérieur à calendar.instructionEnd (2023-06-30T18:00)',
    ],
    [
      'an unknown time zone',
      (c) => {
        c.timeZone = 'Europe/Nantes';
      },
      'timeZone: Fuseau horaire IANA inconnu (par exemple Europe/Paris)',
    ],
    [
      'a month that does not exist',
      (c) => {
        c.calendar.ideasOpen = '2023-13-01T09:00';
      },
      'calendar.ideasOpen: Date ou heure impossible',
    ],
    [
      'a commune in two territories',
      (c) => {
        c.territories[2].communes.push(c.territories[0].communes[3]);
      },
      'territories.2.communes.38: La commune 44031 appartient déjà au territoire chateaubriant-ancenis',
    ],
    [
      'two territories on the same map tile',
      (c) => {
        c.territories[4].tile = { ...c.territories[1].tile };
      },
      'territories.4.tile: La tuile (ligne 1, colonne 1) est déjà celle du territoire nantes',
    ],
    [
      'a territory left off a tile map the others are on',
      (c) => {
        delete c.territories[3].tile;
      },
      'territories.3.tile: Tuile manquante : dès qu’un territoire a une tuile sur la carte, tous doivent en avoir une',
    ],
    [
      'a tile outside the 10 × 10 grid',
      (c) => {
        c.territories[0].tile = { row: 10, col: 0 };
      },
      'territories.0.tile.row: La carte compte au plus 10 lignes et 10 colonnes : de 0 à 9',
    ],
    [
      'envelopes above the total',
      (c) => {
        c.territories[1].envelope += 1;
      },
      'budget.total: La somme des enveloppes (2000001 €) dépasse l’enveloppe totale (2000000 €)',
    ],
    [
      'more minimum choices than maximum',
      (c) => {
        c.ballot.minChoices = 11;
      },
      'ballot.minChoices: Le nombre minimum de choix dépasse le maximum',
    ],
    [
      'a maximum of zero choices, without blaming the minimum too',
      (c) => {
        c.ballot.maxChoices = 0;
      },
      'ballot.maxChoices: Trop petit : nombre doit être >=1',
    ],
    [
      'a negative cost bound, without blaming the other bound too',
      (c) => {
        c.ideaCost.max = -1;
      },
      'ideaCost.max: Trop petit : nombre doit être >=0',
    ],
    [
      'a malformed INSEE code',
      (c) => {
        c.territories[2].communes[5] = '4400';
      },
      'territories.2.communes.5: Code INSEE de commune attendu (5 caractères)',
    ],
    [
      'a missing field',
      (c) => {
        delete c.mailFrom;
      },
      'mailFrom: Champ obligatoire manquant (texte attendu)',
    ],
    [
      'a missing nested field',
      (c) => {
        delete c.calendar.voteClose;
      },
      'calendar.voteClose: Champ obligatoire manquant (texte attendu)',
    ],
    [
      'a number written as text',
      (c) => {
        c.budget.total = '2000000';
      },
      'budget.total: Nombre attendu, texte reçu',
    ],
    [
      'cents in an envelope',
      (c) => {
        c.territories[0].envelope = 241_000.5;
      },
      'territories.0.envelope: Montant en euros entiers attendu',
    ],
    [
      'an unknown ballot kind',
      (c) => {
        c.ballot.kind = 'ranked';
      },
      'ballot.kind: Valeur inconnue : une valeur parmi « approval », « knapsack », « cumulative » attendue',
    ],
    [
      'an identifier breaking two rules at once',
      (c) => {
        c.id = 'A';
      },
      'id: Identifiant attendu en minuscules, chiffres et tirets',
    ],
    [
      'an invalid email',
      (c) => {
        c.staff.admins[0].email = 'admin.bp';
      },
      'staff.admins.0.email: Adresse électronique invalide',
    ],
  ])('refuses %s with exactly one precise line', (_label, change, line) => {
    const config = broken(change);

    const errors = errorsOf(config);

    expect(errors).toEqual([line]);
  });

  it('requires what the legal pages need, naming each missing part in French', () => {
    expect(errorsOf(broken((c) => delete c.legal.dpo.email))).toEqual([
      'legal.dpo.email: Champ obligatoire manquant (texte attendu) : l’adresse électronique du délégué à la protection des données',
    ]);
    expect(errorsOf(broken((c) => delete c.identity))).toEqual([
      'identity: Champ obligatoire manquant (objet attendu) : nom affiché du Département, logo et couleurs',
    ]);
    expect(errorsOf(broken((c) => (c.legal.personalData.retention = [])))).toEqual([
      'legal.personalData.retention: Au moins une durée de conservation',
    ]);
    expect(errorsOf(broken((c) => (c.identity.name = 'Département')))).toEqual([
      'identity.name: Nom complet attendu (« Département de Loire-Atlantique »), pas « Département » seul',
    ]);
    expect(errorsOf(broken((c) => (c.identity.colours.focus = 'orange')))).toEqual([
      'identity.colours.focus: Couleur attendue au format #rrggbb',
    ]);
  });

  it('keeps the accessibility status honest', () => {
    expect(
      errorsOf(
        broken((c) => {
          c.legal.accessibility.status = 'totalement-conforme';
          c.legal.accessibility.audit = { date: '2026-11-01', by: 'Un auditeur', rate: 100 };
        }),
      ),
    ).toEqual([
      'legal.accessibility.nonConformities: Un site totalement conforme n’a aucune non-conformité : changer le statut ou vider la liste',
    ]);
    expect(errorsOf(broken((c) => (c.legal.accessibility.status = 'partiellement-conforme')))).toEqual([
      'legal.accessibility.audit: Sans audit (date, auteur, taux), le site ne peut se déclarer que « non-conforme »',
    ]);
  });

  it('words messages zod writes itself in French', () => {
    const errors = errorsOf(broken((c) => (c.eligibility.minimumAge = 150)));

    expect(errors).toEqual(['eligibility.minimumAge: Trop grand : nombre doit être <=120']);
  });

  it('reports a config that is not an object at the root', () => {
    expect(errorsOf([])).toEqual(['(racine): Objet attendu, liste reçu']);
  });

  it('leaves zod’s global error messages untouched', () => {
    errorsOf(broken((c) => delete c.name));

    const message = z.string().safeParse(1).error?.issues[0]?.message;

    expect(message).toBe('Invalid input: expected string, received number');
  });

  it('refuses every calendar whose dates are not in phase order', () => {
    // Minutes between 2020 and 2030, rendered as wall-clock `YYYY-MM-DDTHH:MM` strings.
    const minute = fc.integer({ min: 26_300_000, max: 31_500_000 });
    const local = (m: number) => new Date(m * 60_000).toISOString().slice(0, 16);
    fc.assert(
      fc.property(fc.uniqueArray(minute, { minLength: 6, maxLength: 6 }), (minutes) => {
        fc.pre(minutes.some((m, i) => i > 0 && m < (minutes[i - 1] ?? 0)));
        const calendar = Object.fromEntries(CALENDAR_KEYS.map((key, i) => [key, local(minutes[i] ?? 0)]));

        const errors = errorsOf(broken((c) => (c.calendar = calendar)));

        expect(errors.length).toBeGreaterThan(0);
        for (const line of errors) expect(line).toMatch(/^calendar\.\w+: Doit être postérieur à calendar\./);
      }),
    );
  });

  it('accepts every calendar whose dates are strictly in phase order', () => {
    const minute = fc.integer({ min: 26_300_000, max: 31_500_000 });
    const local = (m: number) => new Date(m * 60_000).toISOString().slice(0, 16);
    fc.assert(
      fc.property(fc.uniqueArray(minute, { minLength: 6, maxLength: 6 }), (minutes) => {
        const sorted = [...minutes].sort((a, b) => a - b);
        const calendar = Object.fromEntries(CALENDAR_KEYS.map((key, i) => [key, local(sorted[i] ?? 0)]));

        expect(errorsOf(broken((c) => (c.calendar = calendar)))).toEqual([]);
      }),
    );
  });
});

describe('readEditionFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bp-edition-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('points at the line and column of a JSON syntax error, in French', async () => {
    const file = join(dir, 'trailing-comma.json');
    await writeFile(file, '{\n  "id": "x",\n}\n');

    const result = await readEditionFile(file);

    expect(result).toEqual({
      ok: false,
      errors: [
        '(json): JSON invalide, ligne 3, colonne 1 : nom de propriété entre guillemets doubles attendu (virgule en trop ?)',
      ],
    });
  });

  it('says so when the file does not exist', async () => {
    const file = join(dir, 'absent.json');

    const result = await readEditionFile(file);

    expect(result).toEqual({ ok: false, errors: [`(fichier): fichier introuvable : ${file}`] });
  });
});
