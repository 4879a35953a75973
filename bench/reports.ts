/**
 * `npx tsx bench/reports.ts`: report_summary_p95_ms — GET /api/reports/summary's query (reportSummary) over
 * BENCH_REPORT_SESSIONS (200,000) report fact rows spread over a year, for BENCH_REPORT_QUERIES (200) random
 * periods (half a random 30 days, half the whole year; every fifth for one agent). The rows are written with
 * SQL, not through the projector: this measures the read. Prints one JSON line with the key.
 */
import { performance } from "node:perf_hooks";
import { migrationSource } from "../migrations/index";
import { createKnex, migrateLatest } from "../src/db/database";
import { reportSummary } from "../src/reports/reportQueries";
import { openBenchServer } from "./postgres";

const num = (name: string, fallback: number) => Number(process.env[name] || fallback);

async function main() {
  const sessions = num("BENCH_REPORT_SESSIONS", 200_000);
  const queries = num("BENCH_REPORT_QUERIES", 200);
  const server = await openBenchServer();
  const knex = createKnex(await server.createDatabase("reports"), 2);
  try {
    await migrateLatest(knex, migrationSource);
    const yearStart = Date.UTC(2025, 0, 1);
    const year = 365 * 86_400_000;
    await knex.raw(
      `INSERT INTO report_session_facts (session_id, channel, priority, started_at, agent_id, first_assigned_at,
         closed_at, first_visitor_message_at, first_response_at, messages_visitor, messages_agent, transfers, csat,
         wait_ms, first_response_ms, handle_ms, abandoned, no_response, last_revision)
       SELECT gen_random_uuid(), 'web', 'normal', s.t, a.agent, s.t + w.wait, s.t + w.wait + w.handle,
              s.t, s.t + w.first, 3, 3, (i % 7 = 0)::int, 1 + i % 5,
              extract(epoch FROM w.wait) * 1000, extract(epoch FROM w.first) * 1000,
              extract(epoch FROM w.handle) * 1000, false, false, 6
         FROM generate_series(1, ?) AS i,
         LATERAL (SELECT to_timestamp(? / 1000.0 + random() * ? / 1000.0) AS t) s,
         LATERAL (SELECT (random() * 600) * interval '1 second' AS wait,
                         (random() * 300) * interval '1 second' AS first,
                         (60 + random() * 1800) * interval '1 second' AS handle) w,
         LATERAL (SELECT ('00000000-0000-4000-8000-0000000000' || lpad((i % 40)::text, 2, '0'))::uuid AS agent) a`,
      [sessions, yearStart, year],
    );
    await knex.raw("ANALYZE report_session_facts");
    const times: number[] = [];
    for (let q = 0; q < queries; q++) {
      const whole = q % 2 === 0;
      const from = whole ? yearStart : yearStart + Math.random() * (year - 30 * 86_400_000);
      const to = whole ? yearStart + year : from + 30 * 86_400_000;
      const agentId =
        q % 5 === 0 ? `00000000-0000-4000-8000-0000000000${String(q % 40).padStart(2, "0")}` : undefined;
      const started = performance.now();
      await reportSummary(knex, { from: new Date(from), to: new Date(to), agentId });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => Math.round((times[Math.ceil(times.length * p) - 1] as number) * 10) / 10;
    console.log(
      JSON.stringify({
        sessions,
        queries,
        report_summary_p50_ms: at(0.5),
        report_summary_p95_ms: at(0.95),
        max_ms: at(1),
      }),
    );
  } finally {
    await knex.destroy();
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
