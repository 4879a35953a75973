import type { Knex } from "knex";
import { csatAverage, metricOf, type SeriesMetric, type Summary } from "./figures";

/** The filter every report query shares: sessions started in [from, to), of one agent if given. */
export interface ReportFilter {
  readonly from: Date;
  readonly to: Date;
  readonly agentId?: string;
}

const TIMES = ["wait_ms", "first_response_ms", "handle_ms"] as const;
const SORT_MEMORY = "64MB";

/** The SQL of the summary's aggregates (nearest-rank medians and p90 by integer rank, as figures.ts defines). */
function aggregates(): string {
  const ranks = TIMES.map((c) => {
    const sorted = `(array_agg(${c} ORDER BY ${c}) FILTER (WHERE ${c} IS NOT NULL))`;
    const n = `count(${c})`;
    return `${n} AS ${c}_count,
      ${sorted}[(${n} * 5 + 9) / 10] AS ${c}_median,
      ${sorted}[(${n} * 9 + 9) / 10] AS ${c}_p90`;
  }).join(",\n");
  return `count(*) AS sessions_started,
    count(closed_at) AS sessions_closed,
    count(*) FILTER (WHERE abandoned) AS abandoned,
    count(*) FILTER (WHERE no_response) AS no_response,
    ${ranks},
    count(csat) AS csat_count,
    coalesce(sum(csat), 0) AS csat_sum,
    ${[1, 2, 3, 4, 5].map((n) => `count(*) FILTER (WHERE csat = ${n}) AS csat_${n}`).join(", ")},
    coalesce(sum(messages_visitor), 0) AS messages_visitor,
    coalesce(sum(messages_agent), 0) AS messages_agent,
    coalesce(sum(transfers), 0) AS transfers`;
}

type AggregateRow = Record<string, string | number | null>;

const num = (v: unknown) => Number(v ?? 0);
const seconds = (v: unknown) => (v === null || v === undefined ? null : Number(v) / 1000);

function toSummary(r: AggregateRow): Summary {
  const time = (c: (typeof TIMES)[number]) => ({
    count: num(r[`${c}_count`]),
    median_s: seconds(r[`${c}_median`]),
    p90_s: seconds(r[`${c}_p90`]),
  });
  return {
    sessions_started: num(r.sessions_started),
    sessions_closed: num(r.sessions_closed),
    abandoned: num(r.abandoned),
    no_response: num(r.no_response),
    wait_s: time("wait_ms"),
    first_response_s: time("first_response_ms"),
    handle_s: time("handle_ms"),
    csat_count: num(r.csat_count),
    csat_avg: csatAverage(num(r.csat_sum), num(r.csat_count)),
    csat_distribution: {
      "1": num(r.csat_1),
      "2": num(r.csat_2),
      "3": num(r.csat_3),
      "4": num(r.csat_4),
      "5": num(r.csat_5),
    },
    messages_visitor: num(r.messages_visitor),
    messages_agent: num(r.messages_agent),
    transfers: num(r.transfers),
  };
}

function where(filter: ReportFilter): { sql: string; bindings: Knex.RawBinding[] } {
  const bindings: Knex.RawBinding[] = [filter.from, filter.to];
  let sql = "started_at >= ? AND started_at < ?";
  if (filter.agentId !== undefined) {
    sql += " AND agent_id = ?";
    bindings.push(filter.agentId);
  }
  return { sql, bindings };
}

export async function reportSummary(knex: Knex, filter: ReportFilter): Promise<Summary> {
  const w = where(filter);
  // The ranks sort each time figure's values: a year of sessions sorts in memory with more than the default 4 MB.
  return knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL work_mem = '${SORT_MEMORY}'`);
    const result = await trx.raw(
      `SELECT ${aggregates()} FROM report_session_facts WHERE ${w.sql}`,
      w.bindings,
    );
    return toSummary(result.rows[0]);
  });
}

export interface Bucket {
  /** The bucket's start as a UTC instant, and as local wall time in the requested zone. */
  readonly start: string;
  readonly local: string;
  readonly value: number | null;
}

/** One bucket per hour, day or ISO week (from Monday) in the zone, holding sessions that started in it; empty buckets are left out. */
export async function reportTimeseries(
  knex: Knex,
  filter: ReportFilter,
  metric: SeriesMetric,
  interval: "hour" | "day" | "week",
  tz: string,
): Promise<Bucket[]> {
  const w = where(filter);
  const result = await knex.raw(
    `SELECT date_trunc(?, started_at, ?) AS bucket,
            to_char(date_trunc(?, started_at, ?) AT TIME ZONE ?, 'YYYY-MM-DD"T"HH24:MI') AS local,
            ${aggregates()}
       FROM report_session_facts WHERE ${w.sql}
      GROUP BY 1, 2 ORDER BY 1`,
    [interval, tz, interval, tz, tz, ...w.bindings],
  );
  return result.rows.map((r: AggregateRow & { bucket: Date; local: string }) => {
    const value = metricOf(toSummary(r), metric);
    return { start: new Date(r.bucket).toISOString(), local: r.local, value };
  });
}

/** Per agent (the agent holding each session last): the summary of the sessions they handled. */
export async function reportAgents(
  knex: Knex,
  filter: ReportFilter,
): Promise<({ agent_id: string; agent_name: string | null } & Summary)[]> {
  const w = where(filter);
  const result = await knex.raw(
    `SELECT f.agent_id, max(a.name) AS agent_name, ${aggregates()}
       FROM report_session_facts f LEFT JOIN chat_agents a ON a.id = f.agent_id
      WHERE f.agent_id IS NOT NULL AND ${w.sql.replaceAll("started_at", "f.started_at").replaceAll("agent_id =", "f.agent_id =")}
      GROUP BY f.agent_id ORDER BY f.agent_id`,
    w.bindings,
  );
  return result.rows.map((r: AggregateRow & { agent_id: string; agent_name: string | null }) => ({
    agent_id: r.agent_id,
    agent_name: r.agent_name,
    ...toSummary(r),
  }));
}

/** The CSV export's columns: ids, times and figures; no personal data (no topic, contact or message text). */
export const SESSION_COLUMNS = [
  "session_id",
  "channel",
  "priority",
  "agent_id",
  "started_at",
  "first_assigned_at",
  "first_visitor_message_at",
  "first_response_at",
  "closed_at",
  "wait_s",
  "first_response_s",
  "handle_s",
  "abandoned",
  "no_response",
  "messages_visitor",
  "messages_agent",
  "transfers",
  "csat",
] as const;

/** The sessions of the period in start order, a page at a time (keyset on started_at, session_id). */
export async function* reportSessionRows(
  knex: Knex,
  filter: ReportFilter,
  pageSize = 1000,
): AsyncGenerator<Record<(typeof SESSION_COLUMNS)[number], unknown>[]> {
  let after: { started_at: Date; session_id: string } | null = null;
  for (;;) {
    const w = where(filter);
    let sql = w.sql;
    const bindings = [...w.bindings];
    if (after) {
      sql += " AND (started_at, session_id) > (?, ?)";
      bindings.push(after.started_at, after.session_id);
    }
    const result = await knex.raw(
      `SELECT * FROM report_session_facts WHERE ${sql} ORDER BY started_at, session_id LIMIT ${pageSize}`,
      bindings,
    );
    const rows = result.rows as Record<string, unknown>[];
    if (rows.length === 0) return;
    const last = rows.at(-1) as Record<string, unknown>;
    after = { started_at: last.started_at as Date, session_id: String(last.session_id) };
    const iso = (v: unknown) => (v === null ? null : (v as Date).toISOString());
    const secs = (v: unknown) => (v === null ? null : Number(v) / 1000);
    yield rows.map((r) => ({
      session_id: r.session_id,
      channel: r.channel,
      priority: r.priority,
      agent_id: r.agent_id,
      started_at: iso(r.started_at),
      first_assigned_at: iso(r.first_assigned_at),
      first_visitor_message_at: iso(r.first_visitor_message_at),
      first_response_at: iso(r.first_response_at),
      closed_at: iso(r.closed_at),
      wait_s: secs(r.wait_ms),
      first_response_s: secs(r.first_response_ms),
      handle_s: secs(r.handle_ms),
      abandoned: r.abandoned,
      no_response: r.no_response,
      messages_visitor: r.messages_visitor,
      messages_agent: r.messages_agent,
      transfers: r.transfers,
      csat: r.csat,
    }));
    if (rows.length < pageSize) return;
  }
}
