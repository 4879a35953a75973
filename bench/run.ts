/**
 * `npm run bench`: the product against a plain CRUD baseline over HTTP, our event store's appends against
 * emmett-postgresql's, and the rebuild rate against a raw COPY, all in one run on one Postgres
 * (BENCH_DATABASE_URL's server, or the embedded default). Writes bench/results/latest.json and latest.md.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { migrationSource } from "../migrations/index";
import { createKnex, migrateLatest } from "../src/db/database";
import { type AppendResults, runAppend } from "./append";
import { type HttpResults, runHttp } from "./http";
import { type KafkaResults, runKafka } from "./kafka";
import { type MessageResults, runMessages } from "./messages";
import { openBenchServer } from "./postgres";
import { type RebuildResults, runRebuild } from "./rebuild";
import { machine, markdown, summary } from "./report";
import { phaseLoads, withLoad } from "./rounds";
import { type ServerProcess, spawnServer } from "./servers";
import { webBundleSizes } from "./webBundles";
import { runWs, type WsResults, wsMarkdown } from "./ws";

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v === undefined || v === "" ? fallback : Number(v);
};
const log = (msg: string) => console.log(`[bench] ${msg}`);

async function main() {
  const settings = {
    /** Seconds per interleaved round (each product/baseline pair runs `rounds` of them, A B A B …). */
    duration_s: num("BENCH_DURATION_S", 4),
    rounds: num("BENCH_ROUNDS", 5),
    /** The fixed StartChat rate the projection lags (direct and Kafka) are measured at. */
    lag_rate: num("BENCH_LAG_RATE", 200),
    connections: num("BENCH_CONNECTIONS", 32),
    append_writers: 16,
    append_rounds: num("BENCH_APPEND_ROUNDS", num("BENCH_ROUNDS", 5)),
    append_run_s: num("BENCH_APPEND_S", 3),
    rebuild_events: num("BENCH_EVENTS", 200_000),
    rebuild_batch: num("BENCH_REBUILD_BATCH", 20_000),
    rebuild_rounds: num("BENCH_REBUILD_ROUNDS", num("BENCH_ROUNDS", 5)),
    ws_rate: num("BENCH_WS_RATE", 500),
    ws_duration_s: num("BENCH_WS_DURATION_S", 10),
    ws_sessions: num("BENCH_WS_SESSIONS", 50),
    ws_sockets: num("BENCH_WS_SOCKETS", 10_000),
    long_chat_messages: num("BENCH_LONG_CHAT", 5000),
  };
  const only = new Set((process.env.BENCH_ONLY ?? "web,http,messages,kafka,append,rebuild,ws").split(","));
  const server = await openBenchServer();
  const m = machine(await server.version(), server.label);
  log(`${m.cpus} × ${m.cpu_model}, Node ${m.node}, PostgreSQL ${m.postgres} on ${m.postgres_server}`);
  let http: HttpResults | null = null;
  let append: AppendResults | null = null;
  let rebuild: RebuildResults | null = null;
  let kafka: KafkaResults | null = null;
  let messages: MessageResults | null = null;
  let ws: WsResults | null = null;
  const running: ServerProcess[] = [];
  // Seconds, not minutes: the browser bundles' gzipped sizes (budgets in the README).
  const web = only.has("web") ? webBundleSizes(log) : {};
  try {
    if (only.has("http")) {
      const secret = randomBytes(32).toString("base64url");
      const esUrl = await server.createDatabase("es");
      const crudUrl = await server.createDatabase("crud");
      const knex = createKnex(crudUrl, 1); // the baseline writes the same tables, created by our migrations
      await migrateLatest(knex, migrationSource);
      await knex.destroy();
      const es = await spawnServer("es", esUrl, secret);
      running.push(es);
      const crud = await spawnServer("crud", crudUrl, secret);
      running.push(crud);
      http = await withLoad(
        "http",
        () =>
          runHttp({
            es: { name: "es", server: es, databaseUrl: esUrl, chats: [] },
            crud: { name: "crud", server: crud, databaseUrl: crudUrl, chats: [] },
            secret,
            connections: settings.connections,
            durationS: settings.duration_s,
            rounds: settings.rounds,
            lagRate: settings.lag_rate,
            log,
          }),
        log,
      );
      for (const s of running.splice(0)) await s.stop();
    }
    if (only.has("messages")) {
      const secret = randomBytes(32).toString("base64url");
      const esUrl = await server.createDatabase("es_messages");
      const crudUrl = await server.createDatabase("crud_messages");
      const knex = createKnex(crudUrl, 1);
      await migrateLatest(knex, migrationSource);
      await knex.destroy();
      const es = await spawnServer("es", esUrl, secret);
      running.push(es);
      const crud = await spawnServer("crud", crudUrl, secret);
      running.push(crud);
      messages = await withLoad(
        "messages",
        () =>
          runMessages({
            es,
            crud,
            connections: settings.connections,
            durationS: settings.duration_s,
            rounds: settings.rounds,
            longChatMessages: settings.long_chat_messages,
            log,
          }),
        log,
      );
      for (const s of running.splice(0)) await s.stop();
    }
    if (only.has("kafka")) {
      // The fixed rate the direct mode's lag is measured at too, so the two lags compare at the same load.
      const kafkaDb = await server.createDatabase("kafka");
      kafka = await withLoad(
        "kafka",
        () =>
          runKafka({
            databaseUrl: kafkaDb,
            rateRps: num("BENCH_KAFKA_RATE", settings.lag_rate),
            durationS: Math.max(settings.duration_s, 10),
            connections: settings.connections,
            log,
          }),
        log,
      );
    }
    if (only.has("append")) {
      const appendDb = await server.createDatabase("append");
      append = await withLoad(
        "append",
        () =>
          runAppend({
            databaseUrl: appendDb,
            writers: settings.append_writers,
            rounds: settings.append_rounds,
            runS: settings.append_run_s,
            log,
          }),
        log,
      );
    }
    if (only.has("rebuild")) {
      const rebuildDb = await server.createDatabase("rebuild");
      rebuild = await withLoad(
        "rebuild",
        () =>
          runRebuild({
            databaseUrl: rebuildDb,
            events: settings.rebuild_events,
            batchSize: settings.rebuild_batch,
            rounds: settings.rebuild_rounds,
            log,
          }),
        log,
      );
    }
    // The real-time phase is the last and the most sensitive to the box (10,000 sockets, two instances): a
    // failure there is logged and tried once more on a fresh database, and does not cost the run's results.
    for (let attempt = 1; only.has("ws") && ws === null && attempt <= 2; attempt++) {
      try {
        const wsDb = await server.createDatabase(`ws${attempt}`);
        ws = await withLoad(
          `ws${attempt > 1 ? ` (attempt ${attempt})` : ""}`,
          () =>
            runWs({
              databaseUrl: wsDb,
              rate: settings.ws_rate,
              durationS: settings.ws_duration_s,
              sessions: settings.ws_sessions,
              sockets: settings.ws_sockets,
              log,
            }),
          log,
        );
      } catch (err) {
        log(`ws phase failed (attempt ${attempt} of 2): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    for (const s of running) await s.stop();
    await server.close();
  }
  const dir = path.join(__dirname, "results");
  // BENCH_OUT names the results for a targeted run (bench/results/<name>.json) so it leaves latest.json alone.
  const outName = process.env.BENCH_OUT ?? "latest";
  await mkdir(dir, { recursive: true });
  const wsKeys = ws ? { ...ws, details: undefined, ws: ws.details } : {};
  // The real-time phase or the bundle sizes alone (BENCH_ONLY=ws, web or ws,web) update their keys in the last
  // full results instead of erasing them.
  const wsOnly = [...only].every((p) => p === "ws" || p === "web") && (ws !== null || !only.has("ws"));
  const previous = wsOnly ? await readJson(path.join(dir, `${outName}.json`)) : null;
  const result = previous
    ? { ...previous, ...wsKeys, ...web, phases: [...((previous.phases as unknown[]) ?? []), ...phaseLoads] }
    : { ...summary(m, settings, http, append, rebuild, kafka, messages, phaseLoads), ...wsKeys, ...web };
  await writeFile(path.join(dir, `${outName}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const earlier = previous ? await readFile(path.join(dir, `${outName}.md`), "utf8").catch(() => "") : null;
  const table = [
    earlier === null
      ? markdown(result as ReturnType<typeof summary>)
      : earlier
          .split("\n")
          .filter(
            (line) =>
              !(ws !== null && line.startsWith("WebSocket delivery")) &&
              !(only.has("web") && line.startsWith("Browser bundles")),
          )
          .join("\n")
          .trimEnd(),
    ws ? wsMarkdown(ws) : null,
    only.has("web")
      ? `Browser bundles (gzip): ${Object.entries(web)
          .map(([k, v]) => `${k.replace("_js_gzip_kb", "")} ${v} kB`)
          .join(", ")} (budgets: widget 60 kB, console 150 kB)`
      : null,
  ]
    .filter((part) => part !== null && part !== "")
    .join("\n\n");
  await writeFile(path.join(dir, `${outName}.md`), `${table}\n`);
  console.log(`\n${table}`);
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    return null;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
