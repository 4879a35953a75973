import { loadCheckpoint } from "../../src/db/checkpoints";
import { toFact } from "../../src/events/facts";
import { compareLogPositions, logStart } from "../../src/eventstore/eventStore";
import { inPeriod, localParts, metricOf, seriesMetrics, summarize } from "../../src/reports/figures";
import { applyReportBatch, REPORTS_PROJECTOR, rebuildReportFacts } from "../../src/reports/reportProjector";
import { foldSessionFacts, type SessionFacts } from "../../src/reports/sessionFacts";
import { put, type Staff, staffKey, startVisitorChat } from "../support/conversation";
import { waitFor } from "../support/readModel";
import { startTestService, type TestService } from "../support/testService";
import { readToEnd } from "./eventStoreContract";

let svc: TestService;
let supervisor: Staff;
let ops: Staff;
let auditor: Staff;
let agents: Staff[];

/** A small seeded generator, so a failing run can be repeated (the seed is printed on failure via the test name). */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.REPORTS_SEED ?? Date.now() % 100_000);
const random = prng(SEED);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
const chance = (p: number) => random() < p;

async function logFacts(): Promise<SessionFacts[]> {
  const events = await readToEnd(svc.database.store, logStart);
  return [...foldSessionFacts(events.map(toFact)).values()];
}

/** Waits until the reports projector has applied the whole log. */
async function reportsCaughtUp(): Promise<void> {
  const events = await readToEnd(svc.database.store, logStart);
  const head = events.at(-1)?.logPosition ?? logStart;
  await waitFor(async () => {
    const at = await loadCheckpoint(svc.database.knex, REPORTS_PROJECTOR);
    return at !== null && compareLogPositions(at, head) >= 0;
  });
}

/** One conversation with random steps through the real API. */
async function randomSession(): Promise<void> {
  const v = await startVisitorChat(svc);
  const say = (body: string) =>
    svc.post("/api/oss-chat/message", { session_id: v.sessionId, body }, v.headers);
  for (let i = Math.floor(random() * 3); i > 0; i--) await say("halo");
  let holder: Staff | null = null;
  if (chance(0.75)) {
    holder = pick(agents);
    // 409: auto-routing (an agent was briefly available for a transfer) assigned it first; the log says to whom.
    const claimed = await svc.post(`/api/agent/sessions/${v.sessionId}/claim`, {}, holder.headers);
    if (claimed.status !== 200) holder = null;
  }
  if (holder) {
    for (let i = Math.floor(random() * 3); i > 0; i--) {
      const who = chance(0.5) ? "agent" : "visitor";
      if (who === "visitor") await say("ya");
      else await svc.post(`/api/agent/sessions/${v.sessionId}/messages`, { body: "baik" }, holder.headers);
      if (chance(0.2)) {
        const to = pick(agents.filter((a) => a !== holder));
        // A transfer needs an available target; it goes back to away so new chats wait for a claim.
        expect((await put(svc, "/api/agent/status", { status: "available" }, to.headers)).status).toBe(200);
        const moved = await svc.post(
          `/api/agent/sessions/${v.sessionId}/transfer`,
          { to_agent_id: to.id },
          holder.headers,
        );
        if (moved.status !== 200) throw new Error(`transfer: ${moved.status} ${JSON.stringify(moved.body)}`);
        expect((await put(svc, "/api/agent/status", { status: "away" }, to.headers)).status).toBe(200);
        holder = to;
      }
    }
  }
  if (chance(0.8)) {
    const closer = holder && chance(0.5) ? holder.headers : v.headers;
    const path =
      closer === v.headers
        ? `/api/oss-chat/session/${v.sessionId}/close`
        : `/api/agent/sessions/${v.sessionId}/close`;
    expect((await svc.post(path, {}, closer)).status).toBe(200);
    for (let i = Math.floor(random() * 3); i > 0; i--)
      await svc.post(
        `/api/oss-chat/session/${v.sessionId}/rating`,
        { score: 1 + Math.floor(random() * 5) },
        v.headers,
      );
  }
}

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== undefined) as [string, string][],
  ).toString();

const figuresOf = (body: Record<string, unknown>) => {
  const { from: _f, to: _t, tz: _z, agent_id: _a, team_id: _team, business_hours: _b, ...figures } = body;
  return figures;
};

beforeAll(async () => {
  svc = await startTestService();
  supervisor = await staffKey(svc, "supervisor", "Sari");
  ops = await staffKey(svc, "ops", "Oki");
  auditor = await staffKey(svc, "auditor", "Adi");
  agents = [
    await staffKey(svc, "agent", "Dewi"),
    await staffKey(svc, "agent", "Budi"),
    await staffKey(svc, "agent", "Rina"),
  ];
  for (let i = 0; i < 30; i++) await randomSession();
  await reportsCaughtUp();
}, 120_000);
afterAll(async () => svc.stop());

describe(`reports equal the figures recomputed from the event log (seed ${SEED})`, () => {
  test("summary, agents, timeseries and CSV for random periods and agents", async () => {
    const facts = await logFacts();
    const starts = facts.map((f) => Date.parse(f.started_at)).sort((a, b) => a - b);
    for (let round = 0; round < 12; round++) {
      const a = pick(starts);
      const b = pick(starts);
      const from = new Date(Math.min(a, b));
      const to = new Date(Math.max(a, b) + (chance(0.5) ? 1 : 0));
      const agent = chance(0.4) ? pick(agents) : undefined;
      const selected = facts.filter((f) => inPeriod(f, from, to) && (!agent || f.agent_id === agent.id));
      const expected = summarize(selected);
      const params = { from: from.toISOString(), to: to.toISOString(), tz: "Asia/Jakarta" };

      const summary = await svc.get(
        `/api/reports/summary?${query({ ...params, agent_id: agent?.id })}`,
        supervisor.headers,
      );
      expect(summary.status).toBe(200);
      expect(figuresOf(summary.body)).toEqual(expected);

      const perAgent = await svc.get(`/api/reports/agents?${query(params)}`, ops.headers);
      expect(perAgent.status).toBe(200);
      const inRange = facts.filter((f) => inPeriod(f, from, to) && f.agent_id !== null);
      const ids = [...new Set(inRange.map((f) => f.agent_id as string))].sort();
      expect(perAgent.body.agents.map((r: { agent_id: string }) => r.agent_id)).toEqual(ids);
      for (const row of perAgent.body.agents) {
        const { agent_id: id, agent_name: _n, ...figures } = row;
        expect(figures).toEqual(summarize(inRange.filter((f) => f.agent_id === id)));
      }

      const metric = pick(seriesMetrics);
      const interval = pick(["hour", "day", "week"] as const);
      const series = await svc.get(
        `/api/reports/timeseries?${query({ ...params, metric, interval, agent_id: agent?.id })}`,
        supervisor.headers,
      );
      expect(series.status).toBe(200);
      // Buckets by local wall time in Jakarta (no DST): the hour or day of the start; weeks checked below.
      if (interval !== "week") {
        const keyOf = (iso: string) => {
          const p = localParts(new Date(iso), "Asia/Jakarta");
          return interval === "day" ? `${p.date}T00:00` : `${p.date}T${p.hour}:00`;
        };
        const groups = new Map<string, SessionFacts[]>();
        for (const f of selected)
          groups.set(keyOf(f.started_at), [...(groups.get(keyOf(f.started_at)) ?? []), f]);
        const want = [...groups.entries()]
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([local, fs]) => ({ local, value: metricOf(summarize(fs), metric) }));
        expect(
          series.body.buckets.map((b: { local: string; value: number | null }) => ({
            local: b.local,
            value: b.value,
          })),
        ).toEqual(want);
      } else {
        const total = series.body.buckets.length === 0 ? null : series.body.buckets;
        if (metric === "sessions_started")
          expect((total ?? []).reduce((s: number, b: { value: number }) => s + b.value, 0)).toBe(
            selected.length,
          );
      }

      const csv = await svc.get(
        `/api/reports/sessions?${query({ ...params, agent_id: agent?.id, format: "csv" })}`,
        supervisor.headers,
      );
      expect(csv.status).toBe(200);
      expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
      const lines = String(csv.body).trim().split("\n");
      expect(lines[0]?.split(",")).toContain("wait_s");
      expect(lines.length - 1).toBe(selected.length);
      expect(String(csv.body)).not.toContain("Izin usaha"); // the topic, a visitor's words, is not exported
    }
  });
});

describe("the projection", () => {
  test("applying the log again changes nothing; a rebuild gives the same rows", async () => {
    const rows = () => svc.database.knex.table("report_session_facts").orderBy("session_id").select("*");
    const before = await rows();
    expect(before.length).toBe((await logFacts()).length);
    const events = await readToEnd(svc.database.store, logStart);
    const head = events.at(-1)?.logPosition ?? logStart;
    expect(await applyReportBatch(svc.database.knex, events, head)).toBe(0);
    expect(await rows()).toEqual(before);
    await svc.database.knex.table("report_session_facts").update({ messages_visitor: 999 });
    expect(await rebuildReportFacts(svc.database.knex, svc.database.store)).toBe(before.length);
    expect(await rows()).toEqual(before);
  });

  test("day buckets follow a DST zone: Europe/Amsterdam's 23-hour day on 2026-03-29", async () => {
    const knex = svc.database.knex;
    const fact = (id: string, startedAt: string) => ({
      session_id: id,
      channel: "web",
      priority: "normal",
      started_at: startedAt,
      last_revision: 0,
    });
    await knex.table("report_session_facts").insert([
      fact("00000000-0000-4000-8000-00000000d001", "2026-03-28T22:30:00Z"), // 23:30 CET, 28 March
      fact("00000000-0000-4000-8000-00000000d002", "2026-03-28T23:30:00Z"), // 00:30 CET, 29 March
      fact("00000000-0000-4000-8000-00000000d003", "2026-03-29T21:30:00Z"), // 23:30 CEST, 29 March
      fact("00000000-0000-4000-8000-00000000d004", "2026-03-29T22:30:00Z"), // 00:30 CEST, 30 March
    ]);
    try {
      const res = await svc.get(
        `/api/reports/timeseries?${query({ from: "2026-03-28T00:00:00Z", to: "2026-03-31T00:00:00Z", tz: "Europe/Amsterdam", metric: "sessions_started", interval: "day" })}`,
        supervisor.headers,
      );
      expect(res.status).toBe(200);
      expect(res.body.buckets).toEqual([
        { start: "2026-03-27T23:00:00.000Z", local: "2026-03-28T00:00", value: 1 },
        { start: "2026-03-28T23:00:00.000Z", local: "2026-03-29T00:00", value: 2 },
        { start: "2026-03-29T22:00:00.000Z", local: "2026-03-30T00:00", value: 1 },
      ]);
    } finally {
      await knex
        .table("report_session_facts")
        .whereIn(
          "session_id",
          ["d001", "d002", "d003", "d004"].map((n) => `00000000-0000-4000-8000-00000000${n}`),
        )
        .delete();
    }
  });
});

describe("access and bad input", () => {
  const range = { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" };
  test("supervisor and ops read every figure; an agent only their own; others not at all", async () => {
    const path = `/api/reports/summary?${query(range)}`;
    expect((await svc.get(path)).status).toBe(401);
    expect((await svc.get(path, auditor.headers)).status).toBe(403);
    expect((await svc.get(path, ops.headers)).status).toBe(200);
    expect((await svc.get(path, supervisor.headers)).body.agent_id).toBeNull();
    const [dewi, budi] = agents as [Staff, Staff];
    const own = await svc.get(path, dewi.headers);
    expect(own.status).toBe(200);
    expect(own.body.agent_id).toBe(dewi.id);
    expect((await svc.get(`${path}&agent_id=${budi.id}`, dewi.headers)).status).toBe(403);
    const mine = await svc.get(
      `/api/reports/agents?${query({ from: "2000-01-01T00:00:00Z", to: "2000-12-31T00:00:00Z" })}`,
      dewi.headers,
    );
    expect(mine.status).toBe(200);
    const all = await svc.get(
      `/api/reports/sessions?${query({ from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() })}`,
      dewi.headers,
    );
    const agentCol = String(all.body).split("\n")[0]?.split(",").indexOf("agent_id") as number;
    const rows = String(all.body).trim().split("\n").slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.split(",")[agentCol]).toBe(dewi.id);
  });

  test.each([
    ["from after to", { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, "to"],
    ["more than 366 days", { from: "2025-01-01T00:00:00Z", to: "2026-01-03T00:00:00Z" }, "to"],
    ["unknown zone", { ...range, tz: "Mars/Olympus" }, "tz"],
    ["not a date-time", { ...range, from: "yesterday" }, "from"],
    ["unknown metric", { ...range, metric: "happiness" }, "metric"],
    ["unknown interval", { ...range, metric: "sessions_started", interval: "month" }, "interval"],
  ])("%s → 400 naming the field", async (_name, params, field) => {
    const path = field === "metric" || field === "interval" ? "timeseries" : "summary";
    const res = await svc.get(
      `/api/reports/${path}?${query(params as Record<string, string>)}`,
      supervisor.headers,
    );
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe("live operations metrics", () => {
  test("/metrics: queue length and oldest wait, chats active, agents available, as the read tables have them", async () => {
    const waiting = await startVisitorChat(svc);
    await waitFor(
      async () =>
        (await svc.database.knex.table("chat_sessions").where({ id: waiting.sessionId }).first()) !==
        undefined,
    );
    const counts = await svc.database.knex.raw(
      "SELECT count(*) FILTER (WHERE status = 'waiting') AS w, count(*) FILTER (WHERE status = 'active') AS a FROM chat_sessions",
    );
    const res = await svc.get("/metrics", ops.headers);
    expect(res.status).toBe(200);
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(String(res.body))?.[1]);
    expect(value("livechat_queue_length")).toBe(Number(counts.rows[0].w));
    expect(value("livechat_chats_active")).toBe(Number(counts.rows[0].a));
    expect(value("livechat_queue_oldest_wait_seconds")).toBeGreaterThan(0);
    expect(value("livechat_agents_available")).toBe(0); // every test agent went back to away
  });
});
