import { describe, expect, it } from 'vitest';
import { STAFF_READ_ACCESS } from '../../shared/http/route-access.ts';
import { allRoutes } from '../../shared/manifest.ts';

describe('staff read access for the pages (shared/http/route-access.ts)', () => {
  it('gives every staff GET route of the manifest with exactly its roles', () => {
    const staffReads = allRoutes().filter(
      ({ route }) => route.method === 'GET' && route.access !== 'public' && route.path.includes('/staff/'),
    );
    expect(Object.keys(STAFF_READ_ACCESS).sort()).toEqual(
      staffReads.map(({ route }) => route.path.replace(/^\/api/, '')).sort(),
    );
    for (const { route } of staffReads)
      expect(STAFF_READ_ACCESS[route.path.replace(/^\/api/, '')]).toEqual(route.access);
  });

  it('lets the moderator read its queue but not the staff phase (the home then shows the public phase)', () => {
    expect(STAFF_READ_ACCESS['/editions/{edition}/staff/moderation']).toContain('moderator');
    expect(STAFF_READ_ACCESS['/editions/{edition}/staff/phase']).not.toContain('moderator');
    expect(STAFF_READ_ACCESS['/editions/{edition}/staff/instruction/dossiers']).toContain('instructor');
  });
});
