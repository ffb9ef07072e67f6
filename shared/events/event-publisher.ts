import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type ClientSource, resolveClient } from '../lambda/lazy-client.ts';
import type { DetailInput, EventContract } from './define-event.ts';

/** Port used by use cases: they publish contracts, never raw EventBridge entries. */
export interface EventPublisher {
  publish<C extends EventContract>(contract: C, detail: DetailInput<C>): Promise<void>;
}

/** Validates the detail against its contract, then sends it to the edition's bus. */
export function eventBridgePublisher(
  client: ClientSource<EventBridgeClient>,
  busName: string,
): EventPublisher {
  return {
    async publish(contract, detail) {
      const parsed = contract.detail.parse({ ...detail, version: contract.version });
      // The package is loaded at the first publication, not at the function's load (lazy-client.ts).
      const [{ PutEventsCommand }, eventBridge] = await Promise.all([
        import('@aws-sdk/client-eventbridge'),
        resolveClient(client),
      ]);
      const result = await eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: contract.source,
              DetailType: contract.detailType,
              Detail: JSON.stringify(parsed),
            },
          ],
        }),
      );
      if (result.FailedEntryCount) {
        const entry = result.Entries?.[0];
        throw new Error(
          `PutEvents refused ${contract.detailType}: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
        );
      }
    },
  };
}
