import type { RecordedEvent } from "../eventstore/eventStore";

/** Fan-out of the event log to projector workers. The relay is its only publisher. */
export interface EventPublisher {
  /** Resolves once the broker has acknowledged every event of the batch. */
  publish(events: readonly RecordedEvent[]): Promise<void>;
  close(): Promise<void>;
}

export interface EventConsumer {
  /**
   * Delivers batches (each from one partition, in order) to `handle`; a batch is acknowledged only after
   * `handle` resolves, so a crash redelivers it. Resolves once the consumer has joined its group.
   */
  run(handle: (events: readonly RecordedEvent[]) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
