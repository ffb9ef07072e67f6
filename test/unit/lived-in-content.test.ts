import { describe, expect, it } from 'vitest';
import { composeIdea, inCommune, inhabitant, THEME_FRAGMENTS } from '../../local/demo/content.ts';
import { seededRandom } from '../../local/demo/random.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { DESCRIPTION_LENGTH, SubmitIdeaBody, TITLE_LENGTH } from '../../shared/http/idea-schemas.ts';
import { COMMUNES } from '../../shared/identity/communes.generated.ts';

const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const { config } = parsed;

describe('the lived-in demo’s French content', () => {
  it('is the same for the same seed, and differs for another', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 50 }, (_, i) =>
        composeIdea(random, config.themes[i % 8]?.id ?? '', 'Nantes'),
      );
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('writes ideas the submission schema and the edition’s cost bounds accept, for every theme and commune', () => {
    const random = seededRandom(1);
    expect(Object.keys(THEME_FRAGMENTS).sort()).toEqual(config.themes.map((theme) => theme.id).sort());
    for (const territory of config.territories)
      for (const commune of territory.communes)
        for (const theme of config.themes) {
          const idea = composeIdea(random, theme.id, COMMUNES[commune]?.[0]);
          const { subject: _subject, ...fields } = idea;
          const body = { ...fields, theme: theme.id, territory: territory.id, commune };
          const checked = SubmitIdeaBody.safeParse(body);
          expect(checked.success, JSON.stringify(checked.error?.issues)).toBe(true);
          expect(idea.title.length).toBeGreaterThanOrEqual(TITLE_LENGTH.min);
          expect(idea.title.length).toBeLessThanOrEqual(TITLE_LENGTH.max);
          expect(idea.description.length).toBeGreaterThanOrEqual(DESCRIPTION_LENGTH.min);
          expect(idea.estimatedCost).toBeGreaterThanOrEqual(config.ideaCost.min);
          expect(idea.estimatedCost).toBeLessThanOrEqual(config.ideaCost.max);
        }
  });

  it('gives thousands of inhabitants who never look like the same person to the duplicate detection', () => {
    const random = seededRandom(3);
    const keys = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      const person = inhabitant(random, i);
      expect(person.lastName).toMatch(/^[\p{L}][\p{L}' -]*$/u);
      keys.add(`${person.lastName}|${person.birthDate}`);
    }
    expect(keys.size).toBe(4000);
  });

  it('says « au », « aux » and « à » before a commune as French does', () => {
    expect(inCommune('Le Pellerin')).toBe('au Pellerin');
    expect(inCommune('Les Sorinières')).toBe('aux Sorinières');
    expect(inCommune('La Baule-Escoublac')).toBe('à La Baule-Escoublac');
    expect(inCommune('Nantes')).toBe('à Nantes');
  });
});
