/**
 * `bp dlq list|redrive`: the dead letters of an edition, the deliveries that failed every retry.
 *
 * In AWS they wait in the SQS queues of the Functions stack (lib/constructs/dead-letter-queue.ts, retained), found
 * by name (`Bp-<edition>-Functions-…`, so also after a teardown). Three kinds of message, each put back where it
 * was going:
 * - a Lambda asynchronous invocation record (`requestContext.functionArn`, `requestPayload`): the payload is
 *   invoked again on that function (asynchronously, with its retries);
 * - an EventBridge rule's or a Scheduler schedule's dead letter: the body is the event (or the schedule's input)
 *   and `TARGET_ARN` names the target; a function target is invoked with it, an event bus gets it back with
 *   `PutEvents`;
 * - anything else stays in its queue and is reported.
 * A message is deleted only once it has been handed back. Locally (`--local <bus>`), the local bus keeps its dead
 * letters in a list (`/__local/dlq`) and redelivers them itself (`POST /__local/dlq/redrive`).
 */
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DLQ_LIST, DLQ_REDRIVE } from './catalog.ts';
import type { Command, CommandIo } from './command.ts';
import { resolveTarget, TARGET_OPTIONS, type Target } from './deploy-target.ts';

const OPTIONS = { ...TARGET_OPTIONS, local: { type: 'string' }, 'dry-run': { type: 'boolean' } } as const;

/** Where a dead letter goes back to. */
export type Redelivery =
  | { kind: 'function'; functionArn: string; payload: string }
  | { kind: 'bus'; busArn: string; source: string; detailType: string; detail: string }
  | { kind: 'unknown'; reason: string };

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:[^:]+:\d{12}:event-bus\/.+$/;

/** Reads one SQS dead letter: where it was going and what to hand back. */
export function redeliveryOf(message: Message): Redelivery {
  const body = message.Body ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const record = parsed as
    | { requestContext?: { functionArn?: unknown }; requestPayload?: unknown }
    | undefined;
  if (typeof record?.requestContext?.functionArn === 'string' && 'requestPayload' in (record ?? {})) {
    return {
      kind: 'function',
      functionArn: record.requestContext.functionArn,
      payload: JSON.stringify(record.requestPayload),
    };
  }
  const target = message.MessageAttributes?.TARGET_ARN?.StringValue;
  if (!target) return { kind: 'unknown', reason: 'ni enregistrement Lambda ni attribut TARGET_ARN' };
  if (LAMBDA_ARN.test(target)) return { kind: 'function', functionArn: target, payload: body };
  if (BUS_ARN.test(target)) {
    const event = parsed as { source?: unknown; 'detail-type'?: unknown; detail?: unknown } | undefined;
    if (typeof event?.source !== 'string' || typeof event['detail-type'] !== 'string') {
      return { kind: 'unknown', reason: `cible ${target} : le message n’est pas un événement EventBridge` };
    }
    return {
      kind: 'bus',
      busArn: target,
      source: event.source,
      detailType: event['detail-type'],
      detail: JSON.stringify(event.detail ?? {}),
    };
  }
  return { kind: 'unknown', reason: `cible non prise en charge : ${target}` };
}

/** The edition's dead-letter queues, by name prefix (they outlive the stack). */
async function editionQueues(sqs: SQSClient, edition: string): Promise<string[]> {
  const urls: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: `Bp-${edition}-Functions-`, NextToken, MaxResults: 1000 }),
    );
    urls.push(...(page.QueueUrls ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return urls.sort();
}

const queueName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

async function waiting(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * The messages waiting in each of the edition's dead-letter queues, by queue name (sorted): what `bp dlq list`
 * prints, and what `bp rehearse` compares before and after a rehearsal against a deployed edition.
 */
export async function deadLetterCounts(sqs: SQSClient, edition: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const url of await editionQueues(sqs, edition)) counts.set(queueName(url), await waiting(sqs, url));
  return counts;
}

export interface RedriveCounts {
  redriven: number;
  kept: number;
}

/** Empties one queue back to its targets; what cannot be handed back stays (visible again after 5 minutes). */
export async function redriveQueue(
  clients: { sqs: SQSClient; lambda: LambdaClient; events: EventBridgeClient },
  url: string,
  io: CommandIo,
  dryRun: boolean,
): Promise<RedriveCounts> {
  const counts = { redriven: 0, kept: 0 };
  const seen = new Set<string>();
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        // Long enough to hand a batch back; a message not deleted comes back after it, for another run.
        VisibilityTimeout: 300,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (fresh.length === 0) return counts;
    for (const message of fresh) {
      seen.add(message.MessageId ?? '');
      const redelivery = redeliveryOf(message);
      const label = `${queueName(url)} ${message.MessageId}`;
      if (redelivery.kind === 'unknown') {
        io.err(`${label} : gardé (${redelivery.reason})`);
        counts.kept++;
        continue;
      }
      const where = redelivery.kind === 'function' ? redelivery.functionArn : redelivery.busArn;
      if (dryRun) {
        io.out(`${label} → ${where} (à blanc)`);
        counts.redriven++;
        continue;
      }
      if (redelivery.kind === 'function') {
        const { StatusCode, FunctionError } = await clients.lambda.send(
          new InvokeCommand({
            FunctionName: redelivery.functionArn,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(redelivery.payload),
          }),
        );
        if (StatusCode !== 202 || FunctionError) {
          io.err(`${label} : gardé (Lambda a répondu ${StatusCode} ${FunctionError ?? ''})`);
          counts.kept++;
          continue;
        }
      } else {
        const { FailedEntryCount, Entries } = await clients.events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: redelivery.busArn,
                Source: redelivery.source,
                DetailType: redelivery.detailType,
                Detail: redelivery.detail,
              },
            ],
          }),
        );
        if (FailedEntryCount) {
          io.err(`${label} : gardé (PutEvents : ${Entries?.[0]?.ErrorMessage ?? 'refusé'})`);
          counts.kept++;
          continue;
        }
      }
      await clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
      );
      io.out(`${label} → ${where}`);
      counts.redriven++;
    }
  }
}

interface LocalDeadLetter {
  at: string;
  target: string;
  rule?: string;
  schedule?: string;
  error: string;
}

async function localCall(bus: string, method: string, path: string): Promise<unknown> {
  const response = await fetch(new URL(path, bus), { method });
  if (!response.ok) throw new Error(`${method} ${path} : ${response.status} ${await response.text()}`);
  return response.json();
}

type Parsed = { local: string; dryRun: boolean } | { target: Target; dryRun: boolean };

async function parse(argv: string[], io: CommandIo): Promise<Parsed | undefined> {
  const { values } = parseArgs({ args: argv, allowPositionals: false, options: OPTIONS });
  if (values.local) return { local: values.local.replace(/\/+$/, ''), dryRun: values['dry-run'] ?? false };
  const resolved = await resolveTarget(values);
  if (!resolved.ok) {
    for (const line of resolved.errors) io.err(line);
    return undefined;
  }
  return { target: resolved.target, dryRun: values['dry-run'] ?? false };
}

export const dlqList: Command = {
  ...DLQ_LIST,
  async run(argv, io) {
    const parsed = await parse(argv, io);
    if (!parsed) return 2;
    if ('local' in parsed) {
      const { deadLetters } = (await localCall(parsed.local, 'GET', '/__local/dlq')) as {
        deadLetters: LocalDeadLetter[];
      };
      for (const letter of deadLetters) {
        io.out(`${letter.at}\t${letter.target}\t${letter.rule ?? letter.schedule ?? ''}\t${letter.error}`);
      }
      io.err(`${deadLetters.length} lettre(s) morte(s)`);
      return 0;
    }
    const sqs = new SQSClient({ region: parsed.target.region });
    try {
      let total = 0;
      for (const [queue, count] of await deadLetterCounts(sqs, parsed.target.config.id)) {
        total += count;
        io.out(`${queue}\t${count}`);
      }
      io.err(`${total} lettre(s) morte(s)`);
      return 0;
    } finally {
      sqs.destroy();
    }
  },
};

export const dlqRedrive: Command = {
  ...DLQ_REDRIVE,
  async run(argv, io) {
    const parsed = await parse(argv, io);
    if (!parsed) return 2;
    if ('local' in parsed) {
      if (parsed.dryRun) return dlqList.run(['--local', parsed.local], io);
      const { redriven, kept } = (await localCall(
        parsed.local,
        'POST',
        '/__local/dlq/redrive',
      )) as RedriveCounts;
      await localCall(parsed.local, 'POST', '/__local/idle');
      const { deadLetters } = (await localCall(parsed.local, 'GET', '/__local/dlq')) as {
        deadLetters: LocalDeadLetter[];
      };
      io.out(`${redriven} renvoyée(s), ${kept} gardée(s) ; ${deadLetters.length} en échec après le renvoi`);
      return deadLetters.length > 0 ? 1 : 0;
    }
    const { region } = parsed.target;
    const clients = {
      sqs: new SQSClient({ region }),
      lambda: new LambdaClient({ region }),
      events: new EventBridgeClient({ region }),
    };
    try {
      const total = { redriven: 0, kept: 0 };
      for (const url of await editionQueues(clients.sqs, parsed.target.config.id)) {
        const counts = await redriveQueue(clients, url, io, parsed.dryRun);
        total.redriven += counts.redriven;
        total.kept += counts.kept;
      }
      io.err(
        `${total.redriven} ${parsed.dryRun ? 'à renvoyer' : 'renvoyée(s)'}, ${total.kept} gardée(s) dans leur file`,
      );
      return total.kept > 0 ? 1 : 0;
    } finally {
      for (const client of Object.values(clients)) client.destroy();
    }
  },
};
