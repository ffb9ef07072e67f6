/**
 * Which roles may read which staff route, from the manifest: the back-office home asks only what the
 * signed-in roles are allowed to read, so no one sees a refusal for a call their role may not make.
 */
import { allRoutes } from '../manifest.ts';

/** `GET` staff routes without the `/api` prefix (`/editions/{edition}/staff/phase`) → allowed roles. */
export const STAFF_READ_ACCESS: Record<string, readonly string[]> = Object.fromEntries(
  allRoutes()
    .filter(
      ({ route }) => route.method === 'GET' && route.access !== 'public' && route.path.includes('/staff/'),
    )
    .map(({ route }) => [route.path.replace(/^\/api/, ''), route.access as readonly string[]]),
);
