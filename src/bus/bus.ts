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

/** One partition of the projector group's topic: the broker's high watermark against the group's committed offset. */
export interface PartitionLag {
  readonly partition: number;
  /** The group's committed offset (the next message it will read), or null when it has committed none. */
  readonly committed: string | null;
  readonly high_watermark: string;
  /** Messages in the partition the group has not committed yet. */
  readonly lag: number;
}

export interface ConsumerGroupLag {
  readonly topic: string;
  readonly group: string;
  readonly partitions: readonly PartitionLag[];
}

/** Reads the projector consumer group's lag from the broker (not from a worker's memory, so any process can). */
export interface ConsumerLagReader {
  read(): Promise<ConsumerGroupLag>;
  close(): Promise<void>;
}

/**
 * Lag per partition from the broker's offsets: high watermark minus the committed offset; a partition the
 * group never committed counts from its low watermark (the oldest message still kept).
 */
export function partitionLags(
  topicOffsets: readonly { partition: number; high: string; low: string }[],
  committed: readonly { partition: number; offset: string }[],
): PartitionLag[] {
  const byPartition = new Map(committed.map((c) => [c.partition, c.offset]));
  return [...topicOffsets]
    .sort((a, b) => a.partition - b.partition)
    .map(({ partition, high, low }) => {
      const offset = byPartition.get(partition);
      const from = offset === undefined || BigInt(offset) < 0n ? BigInt(low) : BigInt(offset);
      const lag = BigInt(high) - from;
      return {
        partition,
        committed: offset === undefined || BigInt(offset) < 0n ? null : offset,
        high_watermark: high,
        lag: Number(lag < 0n ? 0n : lag),
      };
    });
}
