import type { Knex } from "knex";
import { eventHash, storedHash } from "../eventstore/hashChain";
import type { EventRow } from "../eventstore/postgresEventStore";

export interface BrokenLink {
  readonly stream_id: string;
  readonly stream_revision: number;
  readonly event_id: string;
  readonly global_position: number;
  readonly reason: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly streams: number;
  readonly events: number;
  /** Events written before the log was chained: no hash, at the start of their stream. */
  readonly unchained: number;
  /** The first broken link of each broken stream, in stream order (at most `maxBroken`). */
  readonly broken: BrokenLink[];
}

interface StreamState {
  streamId: string;
  revision: bigint;
  hash: string | null;
  sealed: boolean;
  bad: boolean;
}

type Row = Omit<EventRow, "metadata" | "transaction_text"> & { metadata: Record<string, unknown> };

/**
 * Recomputes the hash chain of one stream, or of every stream, from the stored rows, reading in pages so
 * memory stays constant. A stream's first broken link is reported: the first event whose stored hash, link
 * to the previous hash, or revision does not hold. Later events of that stream are not judged again.
 */
export async function verifyChains(
  knex: Knex,
  options: { streamId?: string; pageSize?: number; maxBroken?: number } = {},
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 1000;
  const maxBroken = options.maxBroken ?? 100;
  const broken: BrokenLink[] = [];
  let streams = 0;
  let events = 0;
  let unchained = 0;
  let current = null as StreamState | null;
  let after: { streamId: string; revision: string } | null = null;
  for (;;) {
    const q = knex
      .table("events")
      .select("global_position", "stream_id", "stream_revision", "event_id", "event_type")
      .select("schema_version", "data", "metadata")
      .orderBy([{ column: "stream_id" }, { column: "stream_revision" }])
      .limit(pageSize);
    if (options.streamId !== undefined) q.where("stream_id", options.streamId);
    if (after) q.whereRaw("(stream_id, stream_revision) > (?, ?::bigint)", [after.streamId, after.revision]);
    const rows = (await q) as Row[];
    for (const row of rows) {
      events++;
      const revision = BigInt(row.stream_revision);
      if (current?.streamId !== row.stream_id) {
        streams++;
        current = { streamId: row.stream_id, revision: -1n, hash: null, sealed: false, bad: false };
      }
      const link = (reason: string): BrokenLink => ({
        stream_id: row.stream_id,
        stream_revision: Number(revision),
        event_id: row.event_id,
        global_position: Number(row.global_position),
        reason,
      });
      const hash = storedHash(row.metadata);
      let problem: string | null = null;
      if (revision !== current.revision + 1n) problem = `revision ${revision} follows ${current.revision}`;
      else if (hash === null) {
        if (current.sealed) problem = "hash missing after chained events";
        else unchained++;
      } else {
        const previous = (row.metadata.previous_hash as string | null | undefined) ?? null;
        if (previous !== current.hash) problem = "previous_hash does not match the previous event's hash";
        else {
          const recomputed = eventHash(
            {
              streamId: row.stream_id,
              revision,
              eventId: row.event_id,
              type: row.event_type,
              schemaVersion: row.schema_version,
              data: row.data,
              metadata: row.metadata,
            },
            previous,
          );
          if (recomputed !== hash) problem = "stored event does not match its hash (altered)";
        }
      }
      if (problem !== null && !current.bad) {
        current.bad = true;
        if (broken.length < maxBroken) broken.push(link(problem));
      }
      current.revision = revision;
      current.hash = hash;
      current.sealed ||= hash !== null;
    }
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) break;
    after = { streamId: last.stream_id, revision: last.stream_revision };
  }
  return { ok: broken.length === 0, streams, events, unchained, broken };
}
