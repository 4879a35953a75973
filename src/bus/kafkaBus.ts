import { CompressionTypes, type Consumer, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import type { Logger } from "pino";
import { ConfigError } from "../config";
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
    // Reconnecting waits at most 1 s between tries (kafkajs' default grows to 30 s): after a broker restart,
    // the relay and the workers are back within a second of the broker, not after their last long backoff.
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
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
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 1000 },
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
  settings: KafkaSettings & {
    groupId: string;
    fromBeginning?: boolean;
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
  },
): EventConsumer {
  const sessionTimeout = settings.sessionTimeoutMs ?? 2000;
  const consumer: Consumer = kafkaClient(settings).consumer({
    groupId: settings.groupId,
    // A worker that dies is noticed within the session timeout; its partitions then move to the others.
    // kafkajs heartbeats between fetches, so a fetch never waits longer than a heartbeat interval.
    sessionTimeout,
    heartbeatInterval: settings.heartbeatIntervalMs ?? 400,
    // How long a rebalance waits for the members to rejoin: a member finishing a batch needs far less.
    rebalanceTimeout: Math.max(5000, sessionTimeout * 2),
    maxWaitTimeInMs: Math.min(500, settings.heartbeatIntervalMs ?? 400),
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
      // A broker that does not allow the session timeout refuses every join: a configuration error.
      let refused: (err: unknown) => void = () => undefined;
      const refusal = new Promise<never>((_, reject) => {
        refused = (err) => reject(configErrorOf(err, sessionTimeout));
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if ((payload.error as { type?: string }).type === "INVALID_SESSION_TIMEOUT") refused(payload.error);
      });
      const running = consumer.run({
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
      await Promise.race([running.then(() => joinedOnce), refusal]).catch((err) => {
        throw configErrorOf(err, sessionTimeout);
      });
    },
    close: () => consumer.disconnect(),
  };
}

function configErrorOf(err: unknown, sessionTimeout: number): unknown {
  if ((err as { type?: string } | null)?.type !== "INVALID_SESSION_TIMEOUT") return err;
  return new ConfigError(
    `Invalid configuration: KAFKA_SESSION_TIMEOUT_MS: the broker refuses ${sessionTimeout} ms ` +
      "(it must lie within the broker's group.min.session.timeout.ms and group.max.session.timeout.ms)",
  );
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
