import { createHash } from "node:crypto";
import type { Knex } from "knex";
import { type EventLog, type LogPosition, logStart } from "../eventstore/eventStore";
import { storedHash } from "../eventstore/hashChain";
import { formatCursor, parseCursor } from "./auditLog";

/** Where a stream's chain ends: its last revision and that event's hash. */
export interface StreamHead {
  readonly revision: bigint;
  readonly hash: string | null;
}

/** One checkpoint of the log's head, as exported (NDJSON / JSON) for keeping elsewhere. */
export interface LogCheckpoint {
  readonly id: number;
  readonly taken_at: string;
  /** The last event it covers: "<commit>.<prepare>". */
  readonly log_position: string;
  readonly global_position: number;
  readonly streams: number;
  readonly events: number;
  /** SHA-256 over every stream's head (see headsHash). */
  readonly heads_hash: string;
}

/** A checkpoint with the stream heads it recorded, for verify. */
export interface CheckpointToVerify {
  readonly checkpoint: LogCheckpoint;
  readonly position: LogPosition;
  readonly heads: ReadonlyMap<string, StreamHead>;
}

/** Held while a checkpoint is taken, so two processes never write one at once. */
const CHECKPOINT_LOCK_KEY = 7_246_002;
const CHUNK = 1000;

/**
 * The hash over stream heads: SHA-256 of one JSON line `["<stream id>","<revision>","<hash>"|null]` per stream,
 * sorted by stream id. Anyone can recompute it from an export of the log.
 */
export function headsHash(heads: Iterable<readonly [string, StreamHead]>): string {
  const lines = [...heads]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([stream, h]) => `${JSON.stringify([stream, h.revision.toString(), h.hash])}\n`);
  const hash = createHash("sha256");
  for (const line of lines) hash.update(line);
  return hash.digest("hex");
}

function toCheckpoint(row: Record<string, unknown>): LogCheckpoint {
  return {
    id: Number(row.id),
    taken_at: new Date(row.taken_at as string).toISOString(),
    log_position: String(row.log_position),
    global_position: Number(row.global_position),
    streams: Number(row.streams),
    events: Number(row.events),
    heads_hash: String(row.heads_hash),
  };
}

/** Every checkpoint, oldest first. */
export async function listLogCheckpoints(knex: Knex): Promise<LogCheckpoint[]> {
  return (await knex.table("log_checkpoints").orderBy("id")).map(toCheckpoint);
}

/** The latest checkpoint with its recorded heads, or null when none was taken. */
export async function latestCheckpointToVerify(knex: Knex): Promise<CheckpointToVerify | null> {
  const row = await knex.table("log_checkpoints").orderBy("id", "desc").first();
  if (!row) return null;
  const rows: { stream_id: string; revision: string; hash: string | null }[] = await knex
    .table("log_checkpoint_heads")
    .select("stream_id", "revision", "hash");
  const checkpoint = toCheckpoint(row);
  return {
    checkpoint,
    position: parseCursor(checkpoint.log_position) ?? logStart,
    heads: new Map(rows.map((r) => [r.stream_id, { revision: BigInt(r.revision), hash: r.hash }])),
  };
}

/**
 * Takes a checkpoint of the log's head: reads the log after the previous checkpoint through the event-store
 * port, records the heads of the streams that moved, and the hash over all heads. Returns null when another
 * process is taking one, or the previous checkpoint when the log has not moved since.
 */
export async function takeLogCheckpoint(knex: Knex, log: EventLog): Promise<LogCheckpoint | null> {
  return knex.transaction(async (trx) => {
    const locked = await trx.raw("SELECT pg_try_advisory_xact_lock(?) AS ok", [CHECKPOINT_LOCK_KEY]);
    if (!locked.rows[0]?.ok) return null;
    const previous = await trx.table("log_checkpoints").orderBy("id", "desc").first();
    let position = previous ? (parseCursor(previous.log_position) ?? logStart) : logStart;
    let globalPosition = previous ? BigInt(previous.global_position) : 0n;
    const moved = new Map<string, StreamHead>();
    let events = 0;
    for (;;) {
      const chunk = await log.readAll(position, CHUNK);
      for (const e of chunk) {
        moved.set(e.streamId, { revision: e.revision, hash: storedHash(e.metadata) });
        position = e.logPosition;
        globalPosition = e.position;
        events++;
      }
      if (chunk.length < CHUNK) break;
    }
    if (previous && events === 0) return toCheckpoint(previous);
    const [inserted] = await trx
      .table("log_checkpoints")
      .insert({
        log_position: formatCursor(position),
        global_position: globalPosition.toString(),
        streams: 0,
        events: (BigInt(previous?.events ?? 0) + BigInt(events)).toString(),
        heads_hash: "0".repeat(64),
      })
      .returning("id");
    const id = Number(inserted.id);
    const rows = [...moved].map(([stream_id, h]) => ({
      stream_id,
      revision: h.revision.toString(),
      hash: h.hash,
      checkpoint_id: id,
    }));
    for (let i = 0; i < rows.length; i += 1000)
      await trx
        .table("log_checkpoint_heads")
        .insert(rows.slice(i, i + 1000))
        .onConflict("stream_id")
        .merge();
    const heads: { stream_id: string; revision: string; hash: string | null }[] = await trx
      .table("log_checkpoint_heads")
      .select("stream_id", "revision", "hash");
    const hash = headsHash(heads.map((h) => [h.stream_id, { revision: BigInt(h.revision), hash: h.hash }]));
    const [row] = await trx
      .table("log_checkpoints")
      .where({ id })
      .update({ heads_hash: hash, streams: heads.length })
      .returning("*");
    return toCheckpoint(row);
  });
}
