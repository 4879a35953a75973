import type { Knex } from "knex";
import type { EventStore } from "../eventstore/eventStore";
import { applyEvents } from "../projections/applyEvents";
import { KAFKA_PROJECTOR } from "../projections/kafkaProjector";
import { LIVE_PROJECTOR } from "./rebuildNames";

export interface RetryResult {
  /** Dead letters that applied this time. */
  readonly retried: number;
  /** Dead letters that failed again (their error is updated). */
  readonly failing: number;
}

interface DeadLetter {
  readonly projector: string;
  readonly event_id: string;
  readonly stream_id: string;
  readonly stream_revision: string;
}

/**
 * Applies the live projectors' dead letters again, stream by stream, in log order, reading the events from the
 * store: a stream held by a gap gets its missing events first; an event that failed while its stream went on is
 * applied without moving the stream back, and row versions leave every row a later event wrote as it is.
 */
export async function retryDeadLetters(knex: Knex, store: EventStore): Promise<RetryResult> {
  const dead: DeadLetter[] = await knex
    .table("projection_dead_letters")
    .whereIn("projector", [LIVE_PROJECTOR, KAFKA_PROJECTOR])
    .whereNull("retried_at")
    .orderBy("global_position")
    .select("projector", "event_id", "stream_id", "stream_revision");
  const groups = new Map<string, DeadLetter[]>();
  for (const d of dead) {
    const key = JSON.stringify([d.projector, d.stream_id]);
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  for (const letters of groups.values()) {
    const first = letters[0] as DeadLetter;
    const upTo = letters.reduce(
      (max, d) => (BigInt(d.stream_revision) > max ? BigInt(d.stream_revision) : max),
      0n,
    );
    const events = (await store.readStream(first.stream_id)).filter((e) => e.revision <= upTo);
    await applyEvents(knex, events, {
      schema: "public",
      projector: first.projector,
      retry: new Set(letters.map((d) => d.event_id)),
    });
  }
  const ids = dead.map((d) => d.event_id);
  const still = await knex
    .table("projection_dead_letters")
    .whereIn("event_id", ids)
    .whereNull("retried_at")
    .count({ n: "*" })
    .first();
  const failing = Number(still?.n ?? 0);
  return { retried: ids.length - failing, failing };
}
