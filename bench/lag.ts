import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { percentile, round } from "./load";

export interface LagResult {
  readonly samples: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

/**
 * Projection lag while a load runs: in each of `loops` loops, every `everyMs` a StartChat of its own (at most 50/s
 * in all by default), then the time from its response to
 * its session's stream revision being visible in `stream_revisions` (the row the read model commits with it).
 */
export function sampleLag(baseUrl: string, databaseUrl: string, everyMs = 80, loops = 4) {
  const lags: number[] = [];
  /** Each sample: when its StartChat was answered and when its row showed (performance.now() ms). */
  const timeline: { answered: number; visible: number }[] = [];
  let running = true;
  // Several sampling loops side by side: on a busy machine one loop's StartChat alone can take a second, and a
  // p99 of a handful of samples is its worst sample.
  const done = Promise.all(Array.from({ length: loops }, () => sampleLoop()));
  async function sampleLoop() {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      while (running) {
        const started = performance.now();
        const res = await fetch(`${baseUrl}/api/oss-chat/start`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ browser_uuid: randomUUID(), topic: "Lag sample", priority: "normal" }),
        });
        const body = (await res.json()) as { session_id?: string };
        const answered = performance.now();
        if (res.status === 201 && body.session_id) {
          const stream = `chatSession-${body.session_id}`;
          for (;;) {
            const row = await db.query("SELECT 1 FROM stream_revisions WHERE stream_id = $1", [stream]);
            if (row.rowCount) break;
            if (performance.now() - answered > 30_000) throw new Error(`projection never showed ${stream}`);
            await new Promise((r) => setTimeout(r, 1));
          }
          const visible = performance.now();
          lags.push(visible - answered);
          timeline.push({ answered, visible });
        }
        const wait = everyMs - (performance.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      await db.end();
    }
  }
  return {
    timeline,
    async stop(): Promise<LagResult> {
      running = false;
      await done;
      return {
        samples: lags.length,
        p50_ms: round(percentile(lags, 50)),
        p99_ms: round(percentile(lags, 99)),
        max_ms: round(Math.max(...lags)),
      };
    },
  };
}

/** Waits until the projector has applied everything appended so far. */
export async function waitForProjector(databaseUrl: string, timeoutMs = 120_000): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await db.query(
        `SELECT coalesce((SELECT max(position) FROM stream_revisions), 0) >=
                coalesce((SELECT max(global_position) FROM events), 0) AS caught_up`,
      );
      if (rows[0].caught_up) return;
      if (Date.now() > deadline) throw new Error("the projector did not catch up");
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await db.end();
  }
}

/** The global position of the newest event appended so far (0 for none). */
export async function headPosition(db: Client): Promise<bigint> {
  const { rows } = await db.query("SELECT coalesce(max(global_position), 0)::text AS head FROM events");
  return BigInt(rows[0].head);
}

/** Whether every event in (after, upTo] has been applied to the read tables (by its stream's revision). */
export async function appliedUpTo(db: Client, after: bigint, upTo: bigint): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS behind FROM events e LEFT JOIN stream_revisions r ON r.stream_id = e.stream_id
     WHERE e.global_position > $1 AND e.global_position <= $2
       AND (r.revision IS NULL OR r.revision < e.stream_revision)`,
    [after.toString(), upTo.toString()],
  );
  return rows[0].behind === 0;
}
