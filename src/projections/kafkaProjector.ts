import type { Knex } from "knex";
import type { Logger } from "pino";
import type { EventConsumer } from "../bus/bus";
import type { RecordedEvent } from "../eventstore/eventStore";
import { applyEvents } from "./applyEvents";

export const KAFKA_PROJECTOR = "kafka_projector";

/**
 * A projector worker in the Kafka consumer group: each partition batch is applied in one transaction, exactly
 * once by stored stream revision; the consumer commits its offsets only after that transaction.
 */
export async function startKafkaProjector(options: {
  knex: Knex;
  consumer: EventConsumer;
  logger: Logger;
  /** Opens the sealed personal fields the topic carries, after the bus and before the rows. */
  open: (events: readonly RecordedEvent[]) => Promise<RecordedEvent[]>;
  onBatch?: (result: { applied: number; skipped: number; deadLettered: number }) => void;
}) {
  await options.consumer.run(async (events) => {
    const opened = await options.open(events);
    const result = await applyEvents(options.knex, opened, { schema: "public", projector: KAFKA_PROJECTOR });
    options.onBatch?.(result);
    if (result.deadLettered > 0) options.logger.error({ ...result }, "events parked as dead letters");
  });
  options.logger.info("projector worker joined its consumer group");
  return { stop: () => options.consumer.close() };
}
