import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ACCOUNT, REGION } from '../../local/stack.ts';
import type { StackContext } from './stack-context.ts';

/** The local bus's name (local/stack.ts), where every contract event travels. */
export const LOCAL_BUS = 'bp-local';

const sdk = (stack: StackContext) => ({
  endpoint: stack.busUrl,
  region: REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
});

/**
 * The local bus's control API (`/__local/...`: clock, idle, events, dlq, schedules): GET without a body,
 * POST with one.
 */
export async function localBus(
  stack: StackContext,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.busUrl}/__local/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** An EventBridge client on the local bus; the caller destroys it. */
export function eventBridgeClient(stack: StackContext): EventBridgeClient {
  return new EventBridgeClient(sdk(stack));
}

/** Puts one event of `contract` on the local bus, as its publisher would (the detail is not validated). */
export async function putEvent(
  stack: StackContext,
  contract: { source: string; detailType: string },
  detail: unknown,
  times = 1,
): Promise<void> {
  const client = eventBridgeClient(stack);
  try {
    const entry = {
      EventBusName: LOCAL_BUS,
      Source: contract.source,
      DetailType: contract.detailType,
      Detail: JSON.stringify(detail),
    };
    for (let i = 0; i < times; i++) await client.send(new PutEventsCommand({ Entries: [entry] }));
  } finally {
    client.destroy();
  }
}

/**
 * Fires `input` at a function once, through the local Scheduler, as a scheduled occurrence would: a one-time
 * schedule `leadMs` ahead of the bus clock, then the clock moves `advanceMs` and the bus drains. Keep `advanceMs`
 * short of the next phase schedule, or it fires too.
 */
export async function fireScheduleOnce(
  stack: StackContext,
  target: string,
  input: Record<string, unknown>,
  { leadMs = 60_000, advanceMs = 120_000 } = {},
): Promise<void> {
  const scheduler = new SchedulerClient(sdk(stack));
  try {
    const now = new Date(String((await localBus(stack, 'clock')).now));
    const at = new Date(Math.ceil(now.getTime() / 1000) * 1000 + leadMs).toISOString().slice(0, 19);
    await scheduler.send(
      new CreateScheduleCommand({
        Name: `test-${target}-${String(input.kind)}-${Date.now()}`,
        ScheduleExpression: `at(${at})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${target}`,
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler-${target}`,
          Input: JSON.stringify({ edition: stack.edition, ...input }),
        },
      }),
    );
    await localBus(stack, 'clock/advance', { ms: advanceMs });
    await localBus(stack, 'idle', {});
  } finally {
    scheduler.destroy();
  }
}

export interface BusEvent {
  source: string;
  'detail-type': string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read details by path
  detail: any;
}

/** The events the local bus accepted (its last 500), oldest first, of one detail-type. */
export async function busEvents(stack: StackContext, detailType: string): Promise<BusEvent[]> {
  await localBus(stack, 'idle', {});
  const { events } = (await localBus(stack, 'events')) as { events: { event: BusEvent }[] };
  return events
    .map((entry) => entry.event)
    .filter((event) => event['detail-type'] === detailType)
    .map((event) => ({
      ...event,
      detail: typeof event.detail === 'string' ? JSON.parse(event.detail) : event.detail,
    }));
}
