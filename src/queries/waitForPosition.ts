import type { Knex } from "knex";
import type { EventStore } from "../eventstore/eventStore";

/**
 * Read-your-writes: waits, bounded, until the read tables hold the event a command returned the position of.
 * It checks that event's own stream revision in `stream_revisions`, not a global watermark, so it holds when
 * partitions are applied in parallel too. Resolves true once visible, false on timeout.
 */
export async function waitForPosition(
  deps: { knex: Knex; store: EventStore },
  position: number,
  timeoutMs: number,
  pollMs = 5,
): Promise<boolean> {
  const event = await deps.store.readAt(BigInt(position));
  if (!event) return true; // nothing was written there: there is nothing to wait for
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await deps.knex
      .table("stream_revisions")
      .where({ stream_id: event.streamId })
      .first("revision");
    if (row && BigInt(row.revision) >= event.revision) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
