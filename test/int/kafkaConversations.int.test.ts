import { randomUUID } from "node:crypto";
import { type CliProcess, spawnCli } from "../support/cliProcess";
import { put, type Staff, staffKey, startVisitorChat } from "../support/conversation";
import { type Distributed, startDistributed } from "../support/distributed";
import { freshReplay, snapshotTables, waitFor } from "../support/readModel";
import type { TestService } from "../support/testService";

// Conversations in distributed mode: API → Postgres event store → relay → Kafka → two projector workers.
let distributed: Distributed;
let api: TestService;
let env: Record<string, string>;
let workers: CliProcess[];

beforeAll(async () => {
  distributed = await startDistributed("lc_kafka_conv");
  ({ api, env, workers } = distributed);
}, 180_000);

afterAll(async () => distributed?.stop(), 60_000);

const caughtUp = () => distributed.caughtUp();

/** Every posted message is in chat_messages exactly once, seq 1..N per session, and a replay agrees. */
async function expectEveryMessageOnce(name: string) {
  await waitFor(caughtUp, 90_000);
  const posted = await api.database.knex.raw(
    "select count(*)::int as n from events where event_type = 'ChatMessagePosted'",
  );
  const rows = await api.database.knex.raw(
    `select session_id, count(*)::int as n, min(seq) as lo, max(seq) as hi, count(distinct seq)::int as distinct_seq
     from chat_messages group by session_id`,
  );
  const total = rows.rows.reduce((sum: number, r: { n: number }) => sum + r.n, 0);
  expect(total).toBe(posted.rows[0].n);
  for (const r of rows.rows) expect([r.lo, r.hi, r.distinct_seq]).toEqual([1, r.n, r.n]);
  expect(await snapshotTables(api.database.knex)).toEqual(await freshReplay(api.database, name));
  const dead = await api.database.knex.table("projection_dead_letters").count({ n: "*" }).first();
  expect(Number(dead?.n)).toBe(0);
}

describe("conversations through Kafka", () => {
  test("visitor and agent chat with read-your-writes through relay, Kafka and two projector workers", async () => {
    const agent: Staff = await staffKey(api, "agent", "Dewi");
    expect((await put(api, "/api/agent/status", { status: "available" }, agent.headers)).status).toBe(200);
    const v = await startVisitorChat(api);
    const hello = await api.post(
      "/api/oss-chat/message",
      { session_id: v.sessionId, body: "Halo" },
      v.headers,
    );
    expect(hello.status).toBe(201);
    const claim = await api.post(`/api/agent/sessions/${v.sessionId}/claim`, {}, agent.headers);
    expect(claim.status).toBe(200);
    const reply = await api.post(
      `/api/agent/sessions/${v.sessionId}/messages`,
      { body: "Ada yang bisa dibantu?" },
      agent.headers,
    );
    expect(reply.status).toBe(201);
    const page = await api.get(
      `/api/oss-chat/session/${v.sessionId}/messages?min_position=${reply.body.position}`,
      v.headers,
    );
    expect(page.headers.get("x-read-model-stale")).toBeNull();
    expect(
      page.body.messages.map((m: { seq: number; author_kind: string }) => [m.seq, m.author_kind]),
    ).toEqual([
      [1, "visitor"],
      [2, "agent"],
    ]);
    const detail = await api.get(
      `/api/oss-chat/session/${v.sessionId}?min_position=${reply.body.position}`,
      v.headers,
    );
    expect(detail.body).toMatchObject({
      status: "active",
      assigned_agent: { id: agent.id },
      unread_for_visitor: 1,
    });
    await expectEveryMessageOnce("replay_kafka_chat");
  });

  test("a projector worker killed with SIGKILL during concurrent posts: no message lost or doubled", async () => {
    const chats = await Promise.all(Array.from({ length: 8 }, () => startVisitorChat(api)));
    const load = Promise.all(
      chats.map(async (v) => {
        for (let i = 0; i < 25; i += 5) {
          const burst = await Promise.all(
            Array.from({ length: 5 }, (_, j) =>
              api.post(
                "/api/oss-chat/message",
                { session_id: v.sessionId, client_message_id: randomUUID(), body: `pesan ${i + j}` },
                v.headers,
              ),
            ),
          );
          for (const r of burst) expect(r.status).toBe(201);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const victim = workers[1] as CliProcess;
    await victim.kill("SIGKILL");
    await load;
    const restarted = spawnCli("projector", env);
    workers[1] = restarted;
    await restarted.waitForOutput(/projector worker joined/);
    await expectEveryMessageOnce("replay_kafka_kill");
    const counts = await api.database.knex
      .table("chat_messages")
      .whereIn(
        "session_id",
        chats.map((c) => c.sessionId),
      )
      .groupBy("session_id")
      .select("session_id", api.database.knex.raw("count(*)::int as n"));
    expect(counts.map((c) => c.n)).toEqual(Array(8).fill(25));
  });
});
