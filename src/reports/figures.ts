import { type SessionFacts, sessionFigures } from "./sessionFacts";

/** A time figure over a period: nearest-rank median and p90 in seconds, over `count` sessions. */
export interface TimeFigure {
  readonly count: number;
  readonly median_s: number | null;
  readonly p90_s: number | null;
}

export interface Summary {
  readonly sessions_started: number;
  readonly sessions_closed: number;
  readonly abandoned: number;
  readonly no_response: number;
  readonly wait_s: TimeFigure;
  readonly first_response_s: TimeFigure;
  readonly handle_s: TimeFigure;
  readonly csat_count: number;
  readonly csat_avg: number | null;
  readonly csat_distribution: Record<"1" | "2" | "3" | "4" | "5", number>;
  readonly messages_visitor: number;
  readonly messages_agent: number;
  readonly transfers: number;
}

/** 1-based nearest rank of the p-th percentile (p in tenths) of n values: ceil(n × p / 10), integers only. */
export const nearestRank = (n: number, tenths: number) => Math.floor((n * tenths + 9) / 10);

export function timeFigure(sortedMs: readonly number[]): TimeFigure {
  const n = sortedMs.length;
  const at = (rank: number) => (n === 0 ? null : (sortedMs[rank - 1] as number) / 1000);
  return { count: n, median_s: at(nearestRank(n, 5)), p90_s: at(nearestRank(n, 9)) };
}

/** The average rating to two decimals, from the sum and count of the latest ratings. */
export const csatAverage = (sum: number, count: number) =>
  count === 0 ? null : Math.round((sum * 100) / count) / 100;

/** Whether a session started in [from, to): a session belongs to the period of its start. */
export const inPeriod = (f: SessionFacts, from: Date, to: Date) => {
  const t = Date.parse(f.started_at);
  return t >= from.getTime() && t < to.getTime();
};

/** The summary of the sessions given (already selected by period and agent): the reference definition. */
export function summarize(sessions: readonly SessionFacts[]): Summary {
  const wait: number[] = [];
  const first: number[] = [];
  const handle: number[] = [];
  const dist = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  let closed = 0;
  let abandoned = 0;
  let noResponse = 0;
  let csatSum = 0;
  let csatCount = 0;
  let mv = 0;
  let ma = 0;
  let transfers = 0;
  for (const f of sessions) {
    const g = sessionFigures(f);
    if (f.closed_at !== null) closed++;
    if (g.abandoned) abandoned++;
    if (g.no_response) noResponse++;
    if (g.wait_ms !== null) wait.push(g.wait_ms);
    if (g.first_response_ms !== null) first.push(g.first_response_ms);
    if (g.handle_ms !== null) handle.push(g.handle_ms);
    if (f.csat !== null) {
      csatSum += f.csat;
      csatCount++;
      dist[String(f.csat) as keyof typeof dist]++;
    }
    mv += f.messages_visitor;
    ma += f.messages_agent;
    transfers += f.transfers;
  }
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  return {
    sessions_started: sessions.length,
    sessions_closed: closed,
    abandoned,
    no_response: noResponse,
    wait_s: timeFigure(sorted(wait)),
    first_response_s: timeFigure(sorted(first)),
    handle_s: timeFigure(sorted(handle)),
    csat_count: csatCount,
    csat_avg: csatAverage(csatSum, csatCount),
    csat_distribution: dist,
    messages_visitor: mv,
    messages_agent: ma,
    transfers,
  };
}

/** The metrics a time series can show: a count or sum per bucket, or a time figure's median. */
export const seriesMetrics = [
  "sessions_started",
  "sessions_closed",
  "abandoned",
  "no_response",
  "messages_visitor",
  "messages_agent",
  "transfers",
  "csat_count",
  "csat_avg",
  "wait_s_median",
  "first_response_s_median",
  "handle_s_median",
] as const;
export type SeriesMetric = (typeof seriesMetrics)[number];

/** A metric's value from a bucket's summary. */
export function metricOf(summary: Summary, metric: SeriesMetric): number | null {
  switch (metric) {
    case "wait_s_median":
      return summary.wait_s.median_s;
    case "first_response_s_median":
      return summary.first_response_s.median_s;
    case "handle_s_median":
      return summary.handle_s.median_s;
    default:
      return summary[metric];
  }
}

export const MAX_RANGE_DAYS = 366;

/** Whether the zone is one the runtime (and so the API) knows: an IANA name like Asia/Jakarta. */
export function isKnownZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The local calendar date (YYYY-MM-DD) and hour of an instant in a zone. */
export function localParts(instant: Date, tz: string): { date: string; hour: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: String(parts.hour) };
}
