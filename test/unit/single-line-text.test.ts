import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { EmailLogQuery } from '../../shared/email/email-log-schemas.ts';
import { REQUEST_BODIES } from '../../shared/http/bodies.ts';
import {
  IdeaDescription,
  IdeaDraftBody,
  IdeaListQuery,
  IdeaTitle,
  Proposer,
} from '../../shared/http/idea-schemas.ts';
import { DossierListQuery, ProjectDraft } from '../../shared/http/instruction-schemas.ts';
import { ChangePhaseBody, CitizenProfile, ReviewDecisionBody } from '../../shared/http/schemas.ts';
import { toMultiLine, toSingleLine } from '../../shared/http/text.ts';
import { VoteWindowBody } from '../../shared/http/voting-schemas.ts';

/** C0/C1 controls (LF aside), DEL and the bidirectional embeddings, overrides and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;

const hostile =
  'Nouveau parc\r\nBcc: pirate@exemple.fr\u0000\u0007\u001b[31m\u0085\u2028\u202eédoc\u2066x\u2069\u009b\tfin';

describe('single-line text never carries a control, a bidi override or a line break', () => {
  const singleLine: [string, z.ZodMiniType, (text: string) => unknown, (out: unknown) => unknown][] = [
    ['idea title', IdeaTitle, (t) => t, (o) => o],
    [
      'proposer name',
      Proposer,
      (t) => ({ kind: 'association', name: t.slice(0, 100) }),
      (o) => (o as { name: string }).name,
    ],
    ['draft title', IdeaDraftBody, (t) => ({ title: t }), (o) => (o as { title: string }).title],
    ['project title', ProjectDraft.shape.title, (t) => t, (o) => o],
    [
      'phase reason',
      ChangePhaseBody,
      (t) => ({ to: 'ideas', reason: t }),
      (o) => (o as { reason: string }).reason,
    ],
    [
      'review reason',
      ReviewDecisionBody,
      (t) => ({ outcome: 'clear', reason: t }),
      (o) => (o as { reason: string }).reason,
    ],
    [
      'vote window reason',
      VoteWindowBody,
      (t) => ({ action: 'pause', reason: t }),
      (o) => (o as { reason: string }).reason,
    ],
    ['idea search', IdeaListQuery, (t) => ({ q: t }), (o) => (o as { q: string }).q],
    [
      'email log recipient',
      EmailLogQuery,
      (t) => ({ recipient: t }),
      (o) => (o as { recipient: string }).recipient,
    ],
  ];
  it.each(singleLine)('cleans the %s', (_name, schema, wrap, pick) => {
    const out = pick(schema.parse(wrap(hostile)));
    expect(out).toEqual(expect.any(String));
    expect(out).not.toMatch(FORBIDDEN);
    expect(out).not.toMatch(LINE_BREAK);
    expect(out).toContain('Bcc: pirate@exemple.fr');
  });

  it('cleans first names and last names, or refuses them, never keeps a control', () => {
    const profile = (firstName: string) => ({
      firstName,
      lastName: 'Martin',
      birthDate: '1990-01-01',
      postcode: '44000',
    });
    for (const name of ['Anne\r\nBcc: x', 'Anne\u202eemmA', 'Anne\u0000']) {
      const parsed = CitizenProfile.safeParse(profile(name));
      if (parsed.success) expect(parsed.data.firstName).not.toMatch(FORBIDDEN);
    }
    expect(CitizenProfile.parse(profile('\u202aAnne-Marie\u202c')).firstName).toBe('Anne-Marie');
  });

  it('keeps the lines of multi-line text, and drops every other control', () => {
    const out = IdeaDescription.parse(
      `Une description assez longue.\r\nDeuxième ligne\u0007\u202e.\rTroisième\tfin`,
    );
    expect(out).toBe('Une description assez longue.\nDeuxième ligne.\nTroisième fin');
    expect(toMultiLine('a\u2028b')).toBe('a\nb');
    expect(toSingleLine('a\u2028b\r\nc')).toBe('a b c');
  });

  it('leaves no free-text field of any request body or list query uncleaned', () => {
    // Every string leaf of every schema: one that takes free text must give back no control.
    const leaves: { where: string; schema: z.ZodMiniType }[] = [];
    const walk = (schema: z.ZodMiniType, where: string) => {
      const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod
        .def;
      const child = (value: unknown, suffix: string) => walk(value as z.ZodMiniType, `${where}${suffix}`);
      switch (def.type) {
        case 'string':
          leaves.push({ where, schema });
          break;
        case 'object':
          for (const [key, value] of Object.entries(def.shape as Record<string, z.ZodMiniType>))
            child(value, `.${key}`);
          break;
        case 'optional':
        case 'nullable':
        case 'default':
        case 'prefault':
        case 'readonly':
          child(def.innerType, '');
          break;
        case 'pipe':
          // Checked whole: an email is trimmed text piped into the email format.
          leaves.push({ where, schema });
          break;
        case 'array':
          child(def.element, '[]');
          break;
        case 'union':
          for (const [i, option] of (def.options as z.ZodMiniType[]).entries()) child(option, `|${i}`);
          break;
        case 'record':
          child(def.valueType, '{}');
          break;
        default:
      }
    };
    for (const [route, schema] of Object.entries(REQUEST_BODIES)) walk(schema, route);
    walk(IdeaListQuery, 'IdeaListQuery');
    walk(DossierListQuery, 'DossierListQuery');
    walk(EmailLogQuery, 'EmailLogQuery');
    expect(leaves.length).toBeGreaterThan(20);
    const sample = `Un texte assez long pour passer ${hostile}`;
    // Signed tokens: verified (HMAC or JWT signature) before anything reads them, never shown or sent.
    const signed = new Set([
      'POST /api/editions/{edition}/staff/instruction/action-links.token',
      'POST /api/editions/{edition}/unsubscribe.token',
      'EmailLogQuery.cursor',
    ]);
    const dirty = leaves
      .filter(({ where }) => !signed.has(where))
      .map(({ where, schema }) => ({ where, parsed: schema.safeParse(sample) }))
      // Ids, codes and enums refuse free text: they never carry it.
      .filter(({ parsed }) => parsed.success && FORBIDDEN.test(String(parsed.data)))
      .map(({ where }) => where);
    expect(dirty).toEqual([]);
  });
});
