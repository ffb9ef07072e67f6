import type { Context } from 'aws-lambda';

type Part = (event: never, context: Context) => Promise<unknown>;

/**
 * One Lambda per bounded context receives HTTP requests, EventBridge events and Scheduler inputs;
 * this routes each to its middy stack by the shape AWS gives it.
 */
export function lambdaEntry(parts: { http?: Part; events?: Part; schedules?: Part }) {
  return async (event: Record<string, unknown>, context: Context): Promise<unknown> => {
    const part =
      'routeKey' in event && 'requestContext' in event
        ? parts.http
        : 'detail-type' in event
          ? parts.events
          : parts.schedules;
    if (!part) throw new Error('This function has no handler for this kind of trigger');
    return part(event as never, context);
  };
}
