// Placeholder entry, replaced by the real adapter wiring (main.ts reads env, builds clients).
export const handler = async (_event: unknown) => ({ statusCode: 200, body: '{}' });
