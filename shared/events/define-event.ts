import * as z from 'zod/mini';

/**
 * One object per event drives the publisher, the subscriber's parser, the CDK rule, the local bus and
 * the test fixtures: nothing about an event is written twice.
 */
export interface EventContract<Name extends string = string, Detail extends z.ZodMiniType = z.ZodMiniType> {
  readonly source: string;
  readonly detailType: Name;
  readonly version: number;
  /** Schema of `detail`, which always carries `version` and `edition`. */
  readonly detail: Detail;
}

export function defineEvent<
  const Name extends string,
  Shape extends z.core.$ZodLooseShape,
  const V extends number,
>(spec: { source: string; detailType: Name; version: V; detail: Shape }) {
  const detail = z.object({
    version: z.literal(spec.version),
    edition: z.string().check(z.minLength(1)),
    ...spec.detail,
  });
  return { source: spec.source, detailType: spec.detailType, version: spec.version, detail } as const;
}

export type DetailOf<C extends EventContract> = z.infer<C['detail']>;
/** What a publisher hands over: the contract fills `version` itself. */
export type DetailInput<C extends EventContract> = Omit<z.input<C['detail']>, 'version'>;

/** The EventBridge pattern that matches exactly the given contracts (source, detail-type and version). */
export function eventPattern(contracts: readonly EventContract[]) {
  return {
    source: [...new Set(contracts.map((c) => c.source))],
    'detail-type': [...new Set(contracts.map((c) => c.detailType))],
    detail: { version: [...new Set(contracts.map((c) => c.version))] },
  };
}

/** The envelope EventBridge delivers to a Lambda target. */
export const EventEnvelope = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;
