import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, inject, it } from 'vitest';
import type { Command } from '../../bin/commands/command.ts';
import { dlqList, dlqRedrive } from '../../bin/commands/dlq.ts';
import { waitForBus } from '../support/api.ts';
import '../support/stack-context.ts';

const stack = inject('stack');

async function bp(command: Command, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const deadLetters = async () =>
  ((await (await fetch(`${stack.busUrl}/__local/dlq`)).json()) as { deadLetters: { target: string }[] })
    .deadLetters;

describe('bp dlq against the stack npm start runs (dead letters of the local bus)', () => {
  it('lists the dead letters of a malformed event and redrives each to its function, once', async () => {
    // Prepare: a PhaseChanged whose detail breaks its contract fails every retry in each consumer.
    const events = new EventBridgeClient({ region: stack.cognito.region, endpoint: stack.busUrl });
    await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'bp.editions', DetailType: 'PhaseChanged', Detail: '{"version":1,"edition":"?"}' },
        ],
      }),
    );
    events.destroy();
    await waitForBus(stack);
    const before = await deadLetters();
    expect(before.length).toBeGreaterThan(0);

    // Act
    const listed = await bp(dlqList, '--local', stack.busUrl);
    const redriven = await bp(dlqRedrive, '--local', stack.busUrl);

    // Assess: the same consumers failed again (the cause is not fixed), so exit 1 and as many letters, not twice as many.
    expect(listed.out).toHaveLength(before.length);
    expect(listed.out.join('\n')).toMatch(/ZodError|invalid|Invalid/);
    expect(redriven.code).toBe(1);
    expect(redriven.out).toEqual([
      `${before.length} renvoyée(s), 0 gardée(s) ; ${before.length} en échec après le renvoi`,
    ]);
    expect((await deadLetters()).map((l) => l.target).sort()).toEqual(before.map((l) => l.target).sort());
  });
});
