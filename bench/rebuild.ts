import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { migrationSource } from "../migrations/index";
import { createKnex, createPool, migrateLatest } from "../src/db/database";
import { logStart } from "../src/eventstore/eventStore";
import { createPostgresEventStore } from "../src/eventstore/postgresEventStore";
import { foldedReplay } from "../src/ops/foldedReplay";
import { createReadModelTables } from "../src/projections/schema";
import { writeEventLog } from "./eventLog";
import { round } from "./load";
import { median, type RoundRatio, roundRatio } from "./rounds";

export interface RebuildResults {
  readonly events: number;
  readonly batch_size: number;
  readonly rebuild_s: number;
  readonly rebuild_events_per_s: number;
  /** Of the rebuild's time: reading (and upcasting) the log and folding it in memory, and writing the rows. */
  readonly read_s: number;
  readonly apply_s: number;
  readonly rows: number;
  readonly copy_s: number;
  readonly copy_rows_per_s: number;
  /** Rebuild speed over COPY speed for the same final rows: COPY's time over the rebuild's. */
  readonly ratio: number;
  /** The median of the per-round ratios and their spread (rounds interleaved: replay, COPY, replay, …). */
  readonly spread: RoundRatio;
}

/** The tables in the order their foreign keys need. */
const TABLES = ["chat_users", "chat_sessions", "chat_session_contacts", "stream_revisions"] as const;

/**
 * Replays a generated log through the rebuild's code path (foldedReplay: windows of the log folded in memory,
 * final rows upserted in bulk, checkpointed per window) into fresh tables, then
 * writes the same final rows into other fresh tables with a raw server-side COPY: the machine's limit for them.
 */
export async function runRebuild(opts: {
  databaseUrl: string;
  events: number;
  batchSize: number;
  rounds: number;
  log: (msg: string) => void;
}): Promise<RebuildResults> {
  const knex = createKnex(opts.databaseUrl, 4);
  await migrateLatest(knex, migrationSource);
  const t0 = performance.now();
  await writeEventLog(knex, opts.events);
  opts.log(`rebuild: generated ${opts.events} events in ${round((performance.now() - t0) / 1000)} s`);
  await knex.raw("VACUUM ANALYZE events");
  const store = createPostgresEventStore({
    pool: createPool(opts.databaseUrl, 2),
    connectionString: opts.databaseUrl,
  });

  // Server-side files: written by COPY TO (not timed), read by the timed COPY FROM.
  const prefix = `/tmp/lc_bench_${randomBytes(4).toString("hex")}`;
  let rows = 0;
  let replayed = 0;
  const rebuilds: { s: number; readMs: number }[] = [];
  const copies: number[] = [];
  // Interleaved rounds (replay, COPY, replay, COPY, …), each into fresh tables.
  for (let r = 0; r < opts.rounds; r++) {
    await createReadModelTables(knex, `rebuilt${r}`);
    const started = performance.now();
    // The rebuild's own replay into empty tables (src/ops/rebuild.ts runs it for a fresh shadow schema).
    const folded = await foldedReplay({
      knex,
      store,
      schema: `rebuilt${r}`,
      checkpoint: `bench_rebuild_${r}`,
      from: logStart,
      windowEvents: opts.batchSize,
    });
    replayed = folded.events;
    const rebuildS = (performance.now() - started) / 1000;
    rebuilds.push({ s: rebuildS, readMs: folded.readAndFoldMs });
    if (r === 0) {
      for (const table of TABLES) {
        const x = await knex.raw(`COPY rebuilt0.${table} TO '${prefix}_${table}.copy'`);
        rows += x.rowCount as number;
      }
    }
    await createReadModelTables(knex, `copied${r}`);
    const copyStarted = performance.now();
    for (const table of TABLES) await knex.raw(`COPY copied${r}.${table} FROM '${prefix}_${table}.copy'`);
    const copyS = (performance.now() - copyStarted) / 1000;
    copies.push(copyS);
    opts.log(
      `rebuild round ${r + 1}: ${replayed} events in ${round(rebuildS, 2)} s; COPY of the same ${rows} rows in ${round(copyS, 2)} s`,
    );
    await knex.raw(`DROP SCHEMA rebuilt${r} CASCADE`);
    await knex.raw(`DROP SCHEMA copied${r} CASCADE`);
  }
  await store.close();
  // The files are on the server's machine: removable here when that is this machine (the embedded default).
  for (const table of TABLES) await rm(`${prefix}_${table}.copy`, { force: true }).catch(() => undefined);
  const spread = roundRatio(
    rebuilds.map((x, i) => (copies[i] as number) / x.s),
    3,
  );
  const rebuildS = median(rebuilds.map((x) => x.s));
  const readMs = median(rebuilds.map((x) => x.readMs));
  const copyS = median(copies);
  await knex.destroy();
  return {
    events: replayed,
    batch_size: opts.batchSize,
    rebuild_s: round(rebuildS, 2),
    rebuild_events_per_s: round(replayed / rebuildS),
    read_s: round(readMs / 1000, 2),
    apply_s: round(rebuildS - readMs / 1000, 2),
    rows,
    copy_s: round(copyS, 2),
    copy_rows_per_s: round(rows / copyS),
    ratio: spread.median,
    spread,
  };
}
