import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DetailInput, EventContract } from './define-event.ts';

/** Port used by use cases: they publish contracts, never raw EventBridge entries. */
export interface EventPublisher {
  publish<C extends EventContract>(contract: C, detail: DetailInput<C>): Promise<void>;
}

/** Validates the detail against its contract, then sends it to the edition's bus. */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): EventPublisher {
  return {
    async publish(contract, detail) {
      const parsed = contract.detail.parse({ ...detail, version: contract.version });
      const result = await client.send(
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
