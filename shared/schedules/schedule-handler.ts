import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Logger } from '../logging/logger.ts';

/**
 * The middy stack of scheduled work: EventBridge Scheduler passes the schedule's `input` as the event.
 * The input is parsed with the schema the manifest's schedule was built from; errors are rethrown so
 * the Scheduler retry policy and DLQ apply.
 */
export function scheduleHandler<S extends z.ZodMiniType>(options: {
  input: S;
  logger: Logger;
  handle: (input: z.infer<S>) => Promise<void>;
}) {
  return middy<unknown, void, Error, Context>().handler(async (raw) => {
    const input = options.input.parse(raw);
    options.logger.info('schedule fired', { kind: (input as { kind?: string }).kind });
    await options.handle(input);
  });
}
