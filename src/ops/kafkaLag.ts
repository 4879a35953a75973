import type { ConsumerGroupLag, ConsumerLagReader } from "../bus/bus";

/** A scrape or readiness probe must answer even when the broker does not: kafkajs would retry for much longer. */
export const LAG_TIMEOUT_MS = 3000;

export function readLag(reader: ConsumerLagReader, timeoutMs = LAG_TIMEOUT_MS): Promise<ConsumerGroupLag> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
}

/** The `kafka` part of /readyz: the group's lag per partition, or why it could not be read. */
export async function kafkaReadiness(reader: ConsumerLagReader) {
  try {
    const lag = await readLag(reader);
    return {
      status: "ok" as const,
      topic: lag.topic,
      group: lag.group,
      lag: lag.partitions.reduce((sum, p) => sum + p.lag, 0),
      partitions: lag.partitions,
    };
  } catch (err) {
    return { status: "down" as const, error: err instanceof Error ? err.message : String(err) };
  }
}
