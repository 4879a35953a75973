import { createHash } from "node:crypto";
import type { Knex } from "knex";
import { streams } from "../domain/streams";
import type { EventStore } from "../eventstore/eventStore";
import { canonicalJson, eventHash, storedHash } from "../eventstore/hashChain";
import { blankEvent, sealEvents } from "./eventCipher";
import { type KeyStore, SubjectErasedError } from "./keyStore";

export interface ReencryptProgress {
  readonly done: number;
  readonly total: number;
}

export interface ReencryptResult {
  /** Streams whose stored bytes this run changed. */
  readonly rewritten: number;
  /** Streams checked by this run (rewritten or already sealed). */
  readonly checked: number;
  readonly events: number;
  readonly root_before: string | null;
  readonly root_after: string | null;
}

export class BrokenChainError extends Error {
  constructor(
    readonly streamId: string,
    revision: string,
  ) {
    super(`stream ${streamId}: its hash chain is broken at revision ${revision}; it is not re-sealed`);
    this.name = "BrokenChainError";
  }
}

interface Row {
  readonly global_position: string;
  readonly stream_id: string;
  readonly stream_revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

const hashOf = (r: Row, metadata: Record<string, unknown>, previous: string | null) =>
  eventHash(
    {
      streamId: r.stream_id,
      revision: BigInt(r.stream_revision),
      eventId: r.event_id,
      type: r.type,
      schemaVersion: r.schema_version,
      data: r.data,
      metadata,
    },
    previous,
  );

/** The revision where a stream's stored chain breaks, or null when it holds. */
function brokenAt(rows: readonly Row[]): string | null {
  let previous: string | null = null;
  for (const r of rows) {
    const hash = storedHash(r.metadata);
    if (hash === null) continue;
    if ((r.metadata.previous_hash ?? null) !== previous || hashOf(r, r.metadata, previous) !== hash)
      return r.stream_revision;
    previous = hash;
  }
  return null;
}

/** Chains a stream's events again over their new stored form; events written before chaining stay unchained. */
function rechain(rows: readonly Row[]): Row[] {
  let previous: string | null = null;
  return rows.map((r) => {
    if (storedHash(r.metadata) === null) return r;
    const { hash: _h, previous_hash: _p, ...base } = r.metadata;
    const hash = hashOf(r, base, previous);
    const metadata = { ...base, previous_hash: previous, hash };
    previous = hash;
    return { ...r, metadata };
  });
}

/** Seals one stored event; a subject erased already has no key, so their plaintext is blanked instead. */
async function reseal(row: Row, keys: KeyStore): Promise<Row> {
  try {
    return (await sealEvents([row], keys))[0] as Row;
  } catch (err) {
    if (err instanceof SubjectErasedError) return blankEvent(row);
    throw err;
  }
}

const headOf = (rows: readonly Row[]) => {
  for (let i = rows.length - 1; i >= 0; i--) {
    const h = storedHash((rows[i] as Row).metadata);
    if (h !== null) return h;
  }
  return null;
};

/** Rewrites one stream in one transaction, under the controlled exception the events trigger allows. */
async function reencryptStream(knex: Knex, keys: KeyStore, streamId: string) {
  return knex.transaction(async (trx) => {
    await trx.raw("SET LOCAL livechat.reencrypting = 'on'");
    const rows: Row[] = await trx
      .table("events")
      .where("stream_id", streamId)
      .orderBy("stream_revision")
      .forUpdate()
      .select(
        "global_position",
        "stream_id",
        "stream_revision",
        "event_id",
        "event_type as type",
        "schema_version",
        "data",
        "metadata",
      );
    const broken = brokenAt(rows);
    if (broken !== null) throw new BrokenChainError(streamId, broken);
    const resealed = rechain(await Promise.all(rows.map((r) => reseal(r, keys))));
    let changed = 0;
    for (const [i, row] of resealed.entries()) {
      const before = rows[i] as Row;
      if (canonicalJson([row.data, row.metadata]) === canonicalJson([before.data, before.metadata])) continue;
      changed++;
      await trx
        .table("events")
        .where("global_position", row.global_position)
        .update({ data: JSON.stringify(row.data), metadata: JSON.stringify(row.metadata) });
    }
    await trx.table("pii_reencrypted_streams").insert({
      stream_id: streamId,
      events: changed,
      head_hash_before: headOf(rows),
      head_hash_after: headOf(resealed),
    });
    return changed;
  });
}

/** SHA-256 over every recorded stream's head hash (before or after), in stream order: one number per side. */
async function root(knex: Knex, column: "head_hash_before" | "head_hash_after"): Promise<string> {
  const digest = createHash("sha256");
  let after = "";
  for (;;) {
    const rows: { stream_id: string; head: string | null }[] = await knex
      .table("pii_reencrypted_streams")
      .where("stream_id", ">", after)
      .orderBy("stream_id")
      .limit(1000)
      .select("stream_id", `${column} as head`);
    for (const r of rows) digest.update(`${r.stream_id}\t${r.head ?? ""}\n`);
    const last = rows.at(-1);
    if (!last) break;
    after = last.stream_id;
  }
  return digest.digest("hex");
}

/**
 * The one-time re-encryption of events written in plaintext, stream by stream, each in one transaction: the
 * stream's chain is checked first (a broken one is left alone and reported), its personal fields sealed, its
 * chain recomputed, and its old and new head hashes recorded. Interrupted, it resumes after the last stream
 * done. At the end, `LogReencrypted` records both roots over all recorded heads. Run with the API stopped:
 * a running writer remembers the old head hashes.
 */
export async function reencryptLog(
  deps: { readonly knex: Knex; readonly keys: KeyStore; readonly store: EventStore },
  options: {
    readonly now?: Date;
    readonly onProgress?: (p: ReencryptProgress) => void;
    /** Stop after this many streams (a run in several maintenance windows); the next run resumes. */
    readonly maxStreams?: number;
  } = {},
): Promise<ReencryptResult> {
  const { knex } = deps;
  const pending = () =>
    knex
      .table("events as e")
      .whereNotExists(knex.table("pii_reencrypted_streams as r").whereRaw("r.stream_id = e.stream_id"))
      .whereNot("e.stream_id", streams.privacy("reencryption"));
  const counted = await pending().countDistinct({ n: "e.stream_id" }).first();
  const total = Number(counted?.n ?? 0);
  let checked = 0;
  let rewritten = 0;
  let events = 0;
  options.onProgress?.({ done: 0, total });
  const budget = options.maxStreams ?? Number.POSITIVE_INFINITY;
  while (checked < budget) {
    const batch: { stream_id: string }[] = await pending()
      .distinct("e.stream_id")
      .orderBy("e.stream_id")
      .limit(Math.min(200, budget - checked));
    if (batch.length === 0) break;
    for (const { stream_id } of batch) {
      const changed = await reencryptStream(knex, deps.keys, stream_id);
      checked++;
      if (changed > 0) rewritten++;
      events += changed;
      options.onProgress?.({ done: checked, total: Math.max(total, checked) });
    }
  }
  if (checked >= budget && (await pending().first("e.stream_id")) !== undefined) {
    return { rewritten, checked, events, root_before: null, root_after: null };
  }
  // Recorded once the rewriting is complete, also when an earlier, interrupted run did the rewriting.
  const everRewritten = await knex
    .table("pii_reencrypted_streams")
    .where("events", ">", 0)
    .first("stream_id");
  const [rootBefore, rootAfter] = [await root(knex, "head_hash_before"), await root(knex, "head_hash_after")];
  const previous = (await deps.store.readStream(streams.privacy("reencryption"))).at(-1);
  const recordedAlready = previous?.type === "LogReencrypted" && previous.data.root_after === rootAfter;
  if (!everRewritten || recordedAlready) {
    return { rewritten, checked, events, root_before: rootBefore, root_after: rootAfter };
  }
  const recorded = await knex.table("pii_reencrypted_streams").count({ n: "*" }).first();
  const now = (options.now ?? new Date()).toISOString();
  await deps.store.append(
    streams.privacy("reencryption"),
    [
      {
        type: "LogReencrypted",
        data: { streams: Number(recorded?.n ?? 0), events, root_before: rootBefore, root_after: rootAfter },
        metadata: {
          occurred_at: now,
          correlation_id: `reencryption-${now}`,
          causation_id: null,
          actor: { kind: "system", id: "reencryption" },
          ip: null,
          user_agent: null,
          owner_id: "system",
        },
      },
    ],
    "any",
  );
  return { rewritten, checked, events, root_before: rootBefore, root_after: rootAfter };
}
