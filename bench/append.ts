import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { getPostgreSQLEventStore } from "@event-driven-io/emmett-postgresql";
import { Pool } from "pg";
import { migrationSource } from "../migrations/index";
import { createKnex, migrateLatest } from "../src/db/database";
import type { EventToAppend, ExpectedRevision } from "../src/eventstore/eventStore";
import { createPostgresEventStore } from "../src/eventstore/postgresEventStore";
import { round } from "./load";
import { interleave, type RoundRatio, roundRatio } from "./rounds";

export interface AppendResults {
  readonly writers: number;
  readonly rounds: number;
  readonly run_s: number;
  readonly ours_events_per_s: number;
  readonly emmett_events_per_s: number;
  /** The median of the per-round ratios. */
  readonly ratio: number;
  readonly spread: RoundRatio;
}

/** Each writer appends one event at a time to its own streams, opening a new stream every 10 events. */
const EVENTS_PER_STREAM = 10;

function sessionStarted(): { type: "ChatSessionStarted"; data: any } {
  return {
    type: "ChatSessionStarted",
    data: {
      session_id: randomUUID(),
      chat_user_id: randomUUID(),
      topic: "Pertanyaan tentang izin usaha",
      priority: "normal",
      channel: "web",
    },
  };
}

const metadata = () => ({
  occurred_at: new Date().toISOString(),
  correlation_id: randomUUID(),
  causation_id: null,
  actor: { kind: "anonymous" as const, id: randomUUID() },
  ip: "127.0.0.1",
  user_agent: "bench",
  owner_id: randomUUID(),
});

/** Runs `writers` loops of single-event appends for `seconds`; returns the number of events appended. */
async function race(
  writers: number,
  seconds: number,
  appendOne: (w: number) => Promise<void>,
): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < until) {
        await appendOne(w);
        count++;
      }
    }),
  );
  return count;
}

/**
 * Our Postgres event store against emmett-postgresql's, on one database, with the same pool size: single-event
 * appends from `writers` concurrent writers, in alternating runs of equal length.
 */
export async function runAppend(opts: {
  databaseUrl: string;
  writers: number;
  rounds: number;
  runS: number;
  log: (msg: string) => void;
}): Promise<AppendResults> {
  const knex = createKnex(opts.databaseUrl, 2);
  await migrateLatest(knex, migrationSource);
  await knex.destroy();
  const ours = createPostgresEventStore({
    pool: new Pool({ connectionString: opts.databaseUrl, max: opts.writers }),
    connectionString: opts.databaseUrl,
  });
  const emmettPool = new Pool({ connectionString: opts.databaseUrl, max: opts.writers });
  const emmett = getPostgreSQLEventStore(opts.databaseUrl, { connectionOptions: { pool: emmettPool } });
  await emmett.schema.migrate();

  const oursStreams = Array.from({ length: opts.writers }, () => ({
    id: "",
    n: 0,
    expected: "no_stream" as ExpectedRevision,
  }));
  const appendOurs = async (w: number) => {
    const s = oursStreams[w]!;
    if (s.n % EVENTS_PER_STREAM === 0)
      Object.assign(s, { id: `chatSession-${randomUUID()}`, expected: "no_stream" });
    const event = { ...sessionStarted(), id: randomUUID(), metadata: metadata() } as EventToAppend;
    const r = await ours.append(s.id, [event], s.expected);
    s.expected = r.nextRevision;
    s.n++;
  };
  const emmettStreams = Array.from({ length: opts.writers }, () => ({
    id: "",
    n: 0,
    expected: "STREAM_DOES_NOT_EXIST" as any,
  }));
  const appendEmmett = async (w: number) => {
    const s = emmettStreams[w]!;
    if (s.n % EVENTS_PER_STREAM === 0)
      Object.assign(s, { id: `chatSession-${randomUUID()}`, expected: "STREAM_DOES_NOT_EXIST" });
    const r = await emmett.appendToStream(s.id, [{ ...sessionStarted(), metadata: metadata() }], {
      expectedStreamVersion: s.expected,
    });
    s.expected = r.nextExpectedStreamVersion;
    s.n++;
  };

  await race(opts.writers, 1, appendOurs); // warm-up: connections, plans, JIT
  await race(opts.writers, 1, appendEmmett);
  // Interleaved rounds (ours, emmett, ours, emmett, …); the ratio is the median of the per-round ratios.
  const r = await interleave(
    opts.rounds,
    () => race(opts.writers, opts.runS, appendOurs),
    () => race(opts.writers, opts.runS, appendEmmett),
  );
  const oursCount = r.a.reduce((a, b) => a + b, 0);
  const emmettCount = r.b.reduce((a, b) => a + b, 0);
  const spread = roundRatio(r.a.map((n, i) => n / (r.b[i] as number)));
  opts.log(
    `append: ours ${r.a.map((n) => round(n / opts.runS)).join(" ")} events/s, emmett ` +
      `${r.b.map((n) => round(n / opts.runS)).join(" ")}; ratio ${spread.median} (${spread.min}–${spread.max})`,
  );
  await ours.close();
  await emmett.close();
  await emmettPool.end().catch(() => undefined);
  const total = opts.rounds * opts.runS;
  const oursRate = oursCount / total;
  const emmettRate = emmettCount / total;
  return {
    writers: opts.writers,
    rounds: opts.rounds,
    run_s: opts.runS,
    ours_events_per_s: round(oursRate),
    emmett_events_per_s: round(emmettRate),
    ratio: spread.median,
    spread,
  };
}
