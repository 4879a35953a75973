import { randomUUID } from "node:crypto";
import { Client, type Pool } from "pg";
import type { EventMetadata } from "../events/metadata";
import { upcast } from "../events/upcasters";
import type { AppendQueueOptions } from "./appendQueue";
import type { CommittedReads, EventStoreAdapter, LogPosition, RecordedEvent } from "./eventStore";
import { createPostgresAppends } from "./postgresAppend";

const NOTIFY_CHANNEL = "livechat_events";
/** The columns every read of the `events` table selects, as `toRecorded` reads them. */
export const EVENT_COLUMNS = `global_position, stream_id, stream_revision, event_id, event_type, schema_version, data, metadata,
  transaction_id::text AS transaction_text, recorded_at`;

/** A row of the `events` table as the pg driver returns it (int8 as strings). */
export interface EventRow {
  global_position: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  transaction_text: string;
  recorded_at: Date;
}

/** A row of the `events` table as the domain reads it (upcast to the current shape). */
export function toRecorded(row: EventRow): RecordedEvent {
  const position = BigInt(row.global_position);
  return {
    ...upcast(row.event_type, row.schema_version, row.data),
    id: row.event_id,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: BigInt(row.stream_revision),
    position,
    logPosition: { commit: BigInt(row.transaction_text), prepare: position },
    storedVersion: row.schema_version,
    stored: { data: row.data, recordedAt: row.recorded_at },
  };
}

export interface PostgresEventStoreOptions {
  readonly pool: Pool;
  /** Used for a dedicated LISTEN connection while following the log. */
  readonly connectionString: string;
  /** How often a follower polls when no notification arrives. */
  readonly pollIntervalMs?: number;
  readonly onError?: (err: Error) => void;
  /** Concurrent appends coalesced into one call (src/eventstore/appendQueue.ts); false: one call each. */
  readonly appendBatch?: AppendQueueOptions | false;
}

/**
 * Wakes followers after appends commit: this store's own followers at once, other processes' by one NOTIFY
 * at a time (appends that commit while one is in flight share the next). The NOTIFY is sent after the commit,
 * never inside it: there it held a database-wide lock through the WAL flush and serialised every append. It
 * goes on a connection of its own, so under load it does not wait for a pool connection behind the requests'
 * queries (other instances' real-time frames waited seconds for it); if that connection fails, the pool
 * carries the NOTIFYs until it is opened again.
 */
function createAnnouncer(pool: Pool, connectionString: string, onError: ((err: Error) => void) | undefined) {
  const instance = randomUUID();
  const local = new Set<() => void>();
  let inFlight: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let notifier: Promise<Client> | null = null;

  function connection(): Promise<Client | Pool> {
    if (!notifier) {
      const client = new Client({ connectionString });
      client.on("error", (err) => {
        onError?.(err);
        notifier = null;
      });
      notifier = client.connect().then(
        () => client,
        (err: Error) => {
          onError?.(err);
          notifier = null;
          throw err;
        },
      );
    }
    return notifier.catch(() => pool);
  }

  const notifyOthers = (): void => {
    if (closed) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = connection()
      .then((db) => db.query("SELECT pg_notify($1, $2)", [NOTIFY_CHANNEL, instance]))
      .then(
        () => undefined,
        (err: Error) => onError?.(err),
      )
      .finally(() => {
        inFlight = null;
        if (again) {
          again = false;
          notifyOthers();
        }
      });
  };
  return {
    instance,
    /** Registers a follower of this store; returns its unregistration. */
    onAppend(wake: () => void): () => void {
      local.add(wake);
      return () => local.delete(wake);
    },
    appended(): void {
      for (const wake of local) wake();
      notifyOthers();
    },
    /** Sends the NOTIFYs still on their way, then closes the connection. */
    async close(): Promise<void> {
      while (inFlight) await inFlight;
      closed = true;
      const client = await notifier?.catch(() => null);
      await client?.end().catch(() => undefined);
    },
  };
}

/**
 * The event store on Postgres. The global log is ordered by (transaction id, global position) and read only
 * below the oldest transaction still in flight, so a reader never passes an event a slower append will commit.
 */
export function createPostgresEventStore(options: PostgresEventStoreOptions): EventStoreAdapter {
  const { pool } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", (err) => options.onError?.(err));

  const announcer = createAnnouncer(pool, options.connectionString, options.onError);
  const appends = createPostgresAppends(pool, { batch: options.appendBatch });
  const append: typeof appends.append = async (...args) => {
    const result = await appends.append(...args);
    announcer.appended();
    return result;
  };
  const appendToStreams: typeof appends.appendToStreams = async (...args) => {
    const result = await appends.appendToStreams(...args);
    announcer.appended();
    return result;
  };

  async function readStream(streamId: string, fromRevision = 0n) {
    const result = await pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_revision >= $2 ORDER BY stream_revision`,
      [streamId, fromRevision.toString()],
    );
    return result.rows.map(toRecorded);
  }

  async function readLastEvent(streamId: string) {
    const result = await pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_revision DESC LIMIT 1`,
      [streamId],
    );
    const row = result.rows[0];
    return row ? toRecorded(row) : null;
  }

  async function readAll(after: LogPosition, maxCount: number) {
    const result = await pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id, global_position
       LIMIT $3`,
      [after.commit.toString(), after.prepare.toString(), maxCount],
    );
    return result.rows.map(toRecorded);
  }

  async function readAt(position: bigint) {
    const result = await pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE global_position = $1`,
      [position.toString()],
    );
    const row = result.rows[0];
    return row ? toRecorded(row) : null;
  }

  async function* follow(after: LogPosition, opts: { signal: AbortSignal; batchSize?: number }) {
    const batchSize = opts.batchSize ?? 500;
    const listener = new Client({ connectionString: options.connectionString });
    let wake: (() => void) | null = null;
    // A notification that arrives while a batch is read or applied must not be lost: it is remembered here.
    let announced = false;
    // While a commit that was announced is not readable yet (held below an older transaction still in
    // flight), look again soon, backing off up to the poll interval, rather than wait a whole interval.
    let backoffMs = 0;
    const notified = () => {
      announced = true;
      wake?.();
    };
    // This store's own appends wake it directly; their NOTIFY is for other processes.
    const unregister = announcer.onAppend(notified);
    listener.on("notification", (msg) => {
      if (msg.payload !== announcer.instance) notified();
    });
    listener.on("error", (err) => options.onError?.(err)); // polling carries on if the listening connection drops
    opts.signal.addEventListener("abort", notified);
    await listener.connect();
    await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
    let position = after;
    try {
      while (!opts.signal.aborted) {
        const wasAnnounced = announced;
        announced = false;
        const batch = await readAll(position, batchSize);
        const last = batch.at(-1);
        if (last) {
          position = last.logPosition;
          backoffMs = 0;
          yield batch;
          if (batch.length === batchSize) continue;
        } else if (wasAnnounced || backoffMs > 0) {
          backoffMs = backoffMs * 2 >= pollIntervalMs ? 0 : Math.max(2, backoffMs * 2);
        }
        if (announced) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoffMs > 0 ? backoffMs : pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      opts.signal.removeEventListener("abort", notified);
      unregister();
      await listener.end().catch(() => undefined);
    }
  }

  const committed: CommittedReads = {
    async headPosition() {
      const head = await pool.query<{ head: string }>(
        "SELECT coalesce(max(global_position), 0)::text AS head FROM events",
      );
      return BigInt(head.rows[0]?.head ?? "0");
    },
    async positionsAfter(after) {
      const recent = await pool.query<{ p: string }>(
        "SELECT global_position::text AS p FROM events WHERE global_position > $1",
        [after.toString()],
      );
      return recent.rows.map((r) => BigInt(r.p));
    },
    async readCommitted(after, positions, maxCount, onUnreadable) {
      const result = await pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events
         WHERE global_position > $1 OR global_position = ANY($2::bigint[])
         ORDER BY global_position LIMIT $3`,
        [after.toString(), positions.map(String), maxCount],
      );
      const read: bigint[] = [];
      const events: RecordedEvent[] = [];
      for (const row of result.rows) {
        const position = BigInt(row.global_position);
        read.push(position);
        try {
          events.push(toRecorded(row));
        } catch (err) {
          onUnreadable(position, err);
        }
      }
      return { positions: read, events };
    },
    async listen(wake, onError) {
      const listener = new Client({ connectionString: options.connectionString });
      listener.on("notification", () => wake());
      listener.on("error", onError);
      await listener.connect();
      await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
      return () => listener.end().catch(() => undefined);
    },
  };

  return {
    append,
    appendToStreams,
    committed,
    storesDataKeys: true,
    readStream,
    readLastEvent,
    readAll,
    readAt,
    follow,
    async close() {
      await announcer.close();
      await pool.end();
    },
  };
}
