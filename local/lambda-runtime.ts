import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../shared/manifest.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** One finished invocation, for counters (the cost benchmark bills invocations and GB-seconds). */
export interface InvocationRecord {
  functionName: string;
  memoryMb: number;
  durationMs: number;
  ok: boolean;
  /** `http` for an API Gateway event, else `async` (an event or a schedule). */
  trigger: 'http' | 'async';
  /** The `detail-type` of an EventBridge event (a benchmark tells one consumer's invocations apart). */
  detailType?: string;
}

function context(fn: FunctionSpec): Context {
  const deadline = Date.now() + (fn.timeoutSeconds ?? 10) * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-3:000000000000:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMb ?? 256),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Loads each function's real entry (`main.ts`, the same module esbuild bundles for Lambda) in this
 * process, once the environment is set, and invokes it as Lambda would: one event, one context.
 * Unlike Lambda, all functions share one process and one environment; their env vars coincide.
 */
export async function loadFunctions(
  functions: readonly FunctionSpec[],
  root: string,
  options: { onInvoke?: ((record: InvocationRecord) => void) | undefined } = {},
) {
  const handlers = new Map<string, { fn: FunctionSpec; handler: Handler }>();
  for (const fn of functions) {
    const module = (await import(pathToFileURL(resolve(root, fn.entry)).href)) as { handler?: Handler };
    if (typeof module.handler !== 'function') throw new Error(`${fn.entry} exports no handler`);
    handlers.set(fn.name, { fn, handler: module.handler });
  }
  return async function invoke(functionName: string, event: unknown): Promise<unknown> {
    const loaded = handlers.get(functionName);
    if (!loaded) throw new Error(`Unknown function ${functionName}`);
    const { onInvoke } = options;
    if (!onInvoke) return loaded.handler(event, context(loaded.fn));
    const started = performance.now();
    let ok = false;
    try {
      const result = await loaded.handler(event, context(loaded.fn));
      ok = true;
      return result;
    } finally {
      onInvoke({
        functionName,
        memoryMb: loaded.fn.memoryMb ?? 256,
        durationMs: performance.now() - started,
        ok,
        trigger: typeof event === 'object' && event !== null && 'routeKey' in event ? 'http' : 'async',
        ...(typeof event === 'object' && event !== null && 'detail-type' in event
          ? { detailType: String(event['detail-type']) }
          : {}),
      });
    }
  };
}
