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
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Command } from '../../bin/commands/command.ts';
import { dlqList, dlqRedrive, redeliveryOf } from '../../bin/commands/dlq.ts';
import { createClock } from '../../local/clock.ts';
import { type LocalEventBus, startLocalEventBus } from '../../local/event-bus.ts';

async function bp(command: Command, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('bp dlq against the local bus (/__local/dlq)', () => {
  let bus: LocalEventBus;
  const received: unknown[] = [];
  let failuresLeft = 3;

  beforeEach(async () => {
    received.length = 0;
    failuresLeft = 3;
    bus = await startLocalEventBus({
      port: 0,
      region: 'eu-west-3',
      account: '000000000000',
      clock: createClock(),
      retry: { attempts: 3, baseDelayMs: 1 },
      rules: [
        { name: 'notifications-results', pattern: { source: ['bp.results'] }, target: 'notifications' },
      ],
      targets: {
        // SES is down for three attempts, then back.
        notifications: async (event) => {
          received.push(event);
          if (failuresLeft-- > 0) throw new Error('SES indisponible');
        },
      },
    });
  });
  afterEach(() => bus.stop());

  async function putEvent() {
    const response = await fetch(bus.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({
        Entries: [{ Source: 'bp.results', DetailType: 'ResultsPublished', Detail: '{"edition":"x"}' }],
      }),
    });
    expect(response.status).toBe(200);
    await bus.idle();
  }

  it('lists a dead letter, redrives it to its function once SES is back, and leaves none', async () => {
    // Prepare: three failed attempts make a dead letter.
    await putEvent();
    expect(bus.deadLetters()).toHaveLength(1);

    // Act
    const listed = await bp(dlqList, '--local', bus.endpoint);
    const redriven = await bp(dlqRedrive, '--local', bus.endpoint);

    // Assess
    expect(listed.out).toEqual([
      expect.stringMatching(/\tnotifications\tnotifications-results\tError: SES indisponible$/),
    ]);
    expect(redriven).toMatchObject({
      code: 0,
      out: ['1 renvoyée(s), 0 gardée(s) ; 0 en échec après le renvoi'],
    });
    expect(received).toHaveLength(4);
    expect(received[3]).toMatchObject({ source: 'bp.results', 'detail-type': 'ResultsPublished' });
    expect(bus.deadLetters()).toEqual([]);
  });

  it('says so (exit 1) when the redriven delivery fails again: the letter is back in the list', async () => {
    // Prepare
    failuresLeft = 100;
    await putEvent();

    // Act
    const redriven = await bp(dlqRedrive, '--local', bus.endpoint);

    // Assess
    expect(redriven).toMatchObject({
      code: 1,
      out: ['1 renvoyée(s), 0 gardée(s) ; 1 en échec après le renvoi'],
    });
    expect(received).toHaveLength(6);
    expect(bus.deadLetters()).toHaveLength(1);
  });
});

describe('bp dlq in AWS (requests sent to SQS, Lambda and EventBridge)', () => {
  const sqs = mockClient(SQSClient);
  const lambda = mockClient(LambdaClient);
  const events = mockClient(EventBridgeClient);
  const QUEUE =
    'https://sqs.eu-west-3.amazonaws.com/222222222222/Bp-loire-atlantique-demo-Functions-notificationsDeliveryDlq-AbC';
  const FAILURES =
    'https://sqs.eu-west-3.amazonaws.com/222222222222/Bp-loire-atlantique-demo-Functions-votingFailureDlq-XyZ';
  const ALIAS = 'arn:aws:lambda:eu-west-3:222222222222:function:Bp-la-notifications:live';
  const BUS = 'arn:aws:events:eu-west-3:222222222222:event-bus/Bp-la-Bus';
  const event = { source: 'bp.results', 'detail-type': 'ResultsPublished', detail: { edition: 'x' } };
  const target = (arn: string) => ({ TARGET_ARN: { DataType: 'String', StringValue: arn } });
  const messages: Record<string, Message[]> = {
    [QUEUE]: [
      // An EventBridge rule's dead letter: the event, and the alias it was going to.
      { MessageId: 'm1', ReceiptHandle: 'r1', Body: JSON.stringify(event), MessageAttributes: target(ALIAS) },
      // Going to a bus.
      { MessageId: 'm2', ReceiptHandle: 'r2', Body: JSON.stringify(event), MessageAttributes: target(BUS) },
      // Unreadable: kept.
      { MessageId: 'm3', ReceiptHandle: 'r3', Body: 'hello' },
    ],
    [FAILURES]: [
      // A Lambda asynchronous invocation record (on-failure destination).
      {
        MessageId: 'm4',
        ReceiptHandle: 'r4',
        Body: JSON.stringify({
          version: '1.0',
          requestContext: {
            functionArn: `${ALIAS.replace('notifications', 'voting')}`,
            condition: 'RetriesExhausted',
          },
          requestPayload: { kind: 'CloseVote' },
        }),
      },
    ],
  };

  beforeEach(() => {
    sqs.reset();
    lambda.reset();
    events.reset();
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [QUEUE, FAILURES] });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: QUEUE }).resolves({
      Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0' },
    });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: FAILURES }).resolves({
      Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' },
    });
    // Each queue gives its messages once, then nothing new (a kept message comes back only after its timeout).
    for (const url of [QUEUE, FAILURES]) {
      sqs
        .on(ReceiveMessageCommand, { QueueUrl: url })
        .resolvesOnce({ Messages: messages[url] })
        .resolves({ Messages: [] });
    }
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  });

  afterEach(() => {
    sqs.restore();
    lambda.restore();
    events.restore();
  });

  it('finds the edition’s queues by name (they outlive the stack) and counts their messages', async () => {
    const listed = await bp(dlqList, '--deploy', 'loire-atlantique-demo.production');
    expect(listed.code).toBe(0);
    expect(sqs.commandCalls(ListQueuesCommand)[0]?.args[0].input).toMatchObject({
      QueueNamePrefix: 'Bp-loire-atlantique-demo-Functions-',
    });
    expect(listed.out).toEqual([
      'Bp-loire-atlantique-demo-Functions-notificationsDeliveryDlq-AbC\t3',
      'Bp-loire-atlantique-demo-Functions-votingFailureDlq-XyZ\t1',
    ]);
  });

  it('hands each letter back to its function or bus, deletes only those, and keeps what it cannot read', async () => {
    // Act
    const result = await bp(dlqRedrive, '--deploy', 'loire-atlantique-demo.production');

    // Assess
    expect(result.code).toBe(1);
    const invokes = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    expect(invokes).toEqual([
      expect.objectContaining({ FunctionName: ALIAS, InvocationType: 'Event' }),
      expect.objectContaining({
        FunctionName: 'arn:aws:lambda:eu-west-3:222222222222:function:Bp-la-voting:live',
        InvocationType: 'Event',
      }),
    ]);
    expect(JSON.parse(new TextDecoder().decode(invokes[0]?.Payload as Uint8Array))).toEqual(event);
    expect(JSON.parse(new TextDecoder().decode(invokes[1]?.Payload as Uint8Array))).toEqual({
      kind: 'CloseVote',
    });
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries).toEqual([
      { EventBusName: BUS, Source: 'bp.results', DetailType: 'ResultsPublished', Detail: '{"edition":"x"}' },
    ]);
    const deleted = sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle);
    expect(deleted.sort()).toEqual(['r1', 'r2', 'r4']);
    expect(result.err.join('\n')).toMatch(/m3 : gardé/);
    expect(result.err.at(-1)).toBe('3 renvoyée(s), 1 gardée(s) dans leur file');
  });

  it('keeps a letter whose function refuses the invocation, and sends nothing with --dry-run', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 500, FunctionError: 'Unhandled' });

    // Act
    const refused = await bp(dlqRedrive, '--deploy', 'loire-atlantique-demo.production');

    // Assess
    const deleted = sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle);
    expect(deleted).toEqual(['r2']);
    expect(refused.code).toBe(1);

    // Act: a dry run
    sqs.resetHistory();
    lambda.resetHistory();
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: QUEUE })
      .resolvesOnce({ Messages: messages[QUEUE] })
      .resolves({});
    sqs.on(ReceiveMessageCommand, { QueueUrl: FAILURES }).resolves({});
    const dry = await bp(dlqRedrive, '--deploy', 'loire-atlantique-demo.production', '--dry-run');

    // Assess
    expect(dry.out).toEqual([
      expect.stringMatching(/m1 → .*notifications:live \(à blanc\)$/),
      expect.stringMatching(/m2 → .*event-bus\/Bp-la-Bus \(à blanc\)$/),
    ]);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('reads a Scheduler dead letter (the schedule’s input, TARGET_ARN) as going back to its function', () => {
    expect(
      redeliveryOf({ Body: '{"kind":"PhaseChange","to":"vote"}', MessageAttributes: target(ALIAS) }),
    ).toEqual({ kind: 'function', functionArn: ALIAS, payload: '{"kind":"PhaseChange","to":"vote"}' });
  });
});
