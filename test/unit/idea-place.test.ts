import { describe, expect, it } from 'vitest';
import { type Idea, publicIdea } from '../../functions/ideas/idea.ts';
import { IdeaDraftBody, PatchIdeaBody, SubmitIdeaBody } from '../../shared/http/idea-schemas.ts';

const body = {
  title: 'Un théâtre de verdure',
  description:
    'Un petit théâtre en plein air, pour les spectacles des écoles et des associations du quartier.',
  theme: 'culture',
  territory: 'nantes',
  commune: '44109',
  estimatedCost: 20000,
  proposer: { kind: 'individual' },
};

describe('the place of an idea, in words', () => {
  it('is optional, trimmed, and never needs coordinates', () => {
    expect(SubmitIdeaBody.parse(body)).not.toHaveProperty('place');
    expect(
      SubmitIdeaBody.parse({ ...body, place: '  Parc de Procé, entrée rue des Dervallières ' }).place,
    ).toBe('Parc de Procé, entrée rue des Dervallières');
  });

  it('refuses a place too short or too long, with a French message on the field', () => {
    for (const place of [' x ', 'a'.repeat(201)]) {
      const result = SubmitIdeaBody.safeParse({ ...body, place });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['place']);
      expect(result.error?.issues[0]?.message).toMatch(/caractères/);
    }
  });

  it('can be removed by an edit (null) and kept in a draft', () => {
    expect(PatchIdeaBody.parse({ place: null })).toEqual({ place: null });
    expect(IdeaDraftBody.parse({ place: 'Place du Commerce' })).toEqual({ place: 'Place du Commerce' });
  });

  it('is shown with the published idea', () => {
    const idea: Idea = {
      ideaId: 'i',
      authorId: 'a',
      authorIds: ['a'],
      status: 'published',
      ...body,
      proposer: { kind: 'individual' },
      place: 'Place du Commerce',
      submittedAt: '2023-03-01T10:00:00.000Z',
      updatedAt: '2023-03-01T10:00:00.000Z',
      pictures: [],
      mergedFrom: [],
      revision: 1,
    };
    expect(publicIdea(idea).place).toBe('Place du Commerce');
    expect(publicIdea({ ...idea, place: undefined })).not.toHaveProperty('place');
  });
});
