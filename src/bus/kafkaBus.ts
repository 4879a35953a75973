import { CompressionTypes, type Consumer, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import type { Logger } from "pino";
import { fromWire, partitionKey, toWire } from "../events/wireFormat";
import type { RecordedEvent } from "../eventstore/eventStore";
import { type ConsumerLagReader, type EventConsumer, type EventPublisher, partitionLags } from "./bus";

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topic: string;
  readonly partitions: number;
  readonly logger: Logger;
}

function kafkaClient(settings: KafkaSettings): Kafka {
  const log = settings.logger.child({ component: "kafka" });
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const level =
        entry.level === logLevel.ERROR ? "error" : entry.level === logLevel.WARN ? "warn" : "debug";
      log[level]({ kafka: entry.log.message, namespace: entry.namespace }, "kafka client");
    },
    retry: { retries: 10, initialRetryTime: 200 },
  });
}

/** Creates the topic with the configured partition count if it does not exist. */
export async function ensureTopic(settings: KafkaSettings): Promise<void> {
  const admin = kafkaClient(settings).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: settings.topic, numPartitions: settings.partitions }],
    });
  } finally {
    await admin.disconnect();
  }
}

/** The relay's publisher: idempotent, acknowledged by all in-sync replicas, keyed by owning chat user. */
export async function createKafkaPublisher(settings: KafkaSettings): Promise<EventPublisher> {
  const producer: Producer = kafkaClient(settings).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Java-compatible murmur2 partitioning by key; retried without limit, as idempotence requires.
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 },
  });
  await producer.connect();
  return {
    async publish(events: readonly RecordedEvent[]) {
      if (events.length === 0) return;
      await producer.send({
        topic: settings.topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: events.map((e) => ({ key: partitionKey(e), value: JSON.stringify(toWire(e)) })),
      });
    },
    close: () => producer.disconnect(),
  };
}

/**
 * A member of a consumer group (the projectors'; or a process's own real-time follower, which starts at the
 * topic's end with `fromBeginning: false`); offsets are committed only after `handle` (the database commit).
 */
export function createKafkaConsumer(
  settings: KafkaSettings & { groupId: string; fromBeginning?: boolean },
): EventConsumer {
  const consumer: Consumer = kafkaClient(settings).consumer({
    groupId: settings.groupId,
    // A worker that dies is noticed within the session timeout; its partitions then move to the others.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 500,
  });
  return {
    async run(handle) {
      await consumer.connect();
      await consumer.subscribe({ topic: settings.topic, fromBeginning: settings.fromBeginning ?? true });
      let joined: () => void = () => undefined;
      const joinedOnce = new Promise<void>((resolve) => {
        joined = resolve;
      });
      consumer.on(consumer.events.GROUP_JOIN, () => joined());
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({
          batch,
          resolveOffset,
          commitOffsetsIfNecessary,
          heartbeat,
          isRunning,
          isStale,
        }) => {
          if (!isRunning() || isStale() || batch.messages.length === 0) return;
          const events: RecordedEvent[] = [];
          for (const m of batch.messages) {
            try {
              events.push(fromWire(m.value?.toString("utf8") ?? "null"));
            } catch (err) {
              // A message no version of this code can read must not stop the partition: log it for ops.
              settings.logger.error(
                { err, topic: batch.topic, partition: batch.partition, offset: m.offset },
                "unreadable message skipped",
              );
            }
          }
          await handle(events);
          const last = batch.messages.at(-1);
          if (last) resolveOffset(last.offset);
          await commitOffsetsIfNecessary({
            topics: [
              {
                topic: batch.topic,
                partitions: [
                  { partition: batch.partition, offset: (BigInt(last?.offset ?? "0") + 1n).toString() },
                ],
              },
            ],
          });
          await heartbeat();
        },
      });
      await joinedOnce;
    },
    close: () => consumer.disconnect(),
  };
}

/** Reads the group's committed offsets and the topic's watermarks with one admin client, connected on first use. */
export function createKafkaLagReader(settings: KafkaSettings & { groupId: string }): ConsumerLagReader {
  const admin = kafkaClient(settings).admin();
  let connected: Promise<void> | null = null;
  return {
    async read() {
      connected ??= admin.connect().catch((err) => {
        connected = null;
        throw err;
      });
      await connected;
      const [watermarks, groupOffsets] = await Promise.all([
        admin.fetchTopicOffsets(settings.topic),
        admin.fetchOffsets({ groupId: settings.groupId, topics: [settings.topic] }),
      ]);
      const committed = groupOffsets.find((t) => t.topic === settings.topic)?.partitions ?? [];
      return {
        topic: settings.topic,
        group: settings.groupId,
        partitions: partitionLags(watermarks, committed),
      };
    },
    close: () => admin.disconnect(),
  };
}
