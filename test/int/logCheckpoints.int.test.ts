import { randomUUID } from "node:crypto";
import { createStaffKey } from "../../src/auth/staffKeys";
import { logStart } from "../../src/eventstore/eventStore";
import { asBrowser } from "../support/identity";
import { waitFor } from "../support/readModel";
import { runCli } from "../support/runCli";
import { startTestService, type TestService } from "../support/testService";
import { readToEnd } from "./eventStoreContract";

let svc: TestService;
let auditor: Record<string, string>;
beforeAll(async () => {
  svc = await startTestService();
  auditor = {
    authorization: `Bearer ${(await createStaffKey(svc.database.knex, { name: "Audit", role: "auditor" })).key}`,
  };
});
afterAll(async () => svc.stop());

async function sessionWithContact() {
  const browser = randomUUID();
  const s = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Jejak" });
  expect(s.status).toBe(201);
  const c = await svc.post(
    "/api/oss-chat/contact",
    { session_id: s.body.session_id, contact_name: "Rina", contact_email: "rina@example.com" },
    asBrowser(browser),
  );
  expect(c.status).toBe(201);
  return `chatSession-${s.body.session_id}`;
}

/** The log is readable below the oldest transaction in flight on the server: wait until it shows every event. */
async function logReadable() {
  const stored = Number((await svc.database.knex.table("events").count({ n: "*" }).first())?.n);
  await waitFor(async () => (await readToEnd(svc.database.store, logStart)).length === stored);
}

test("deleting a stream's newest event after a checkpoint makes verify fail, naming the stream", async () => {
  const stream = await sessionWithContact();
  await sessionWithContact();
  await logReadable();

  const taken = await runCli(svc.db.url, ["audit", "checkpoint"]);
  expect(taken.code).toBe(0);
  const checkpoint = JSON.parse(taken.stdout);
  expect(checkpoint).toMatchObject({
    id: 1,
    streams: 4,
    events: 6,
    heads_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
  });

  const exported = await svc.get("/api/audit/checkpoints", auditor);
  expect(exported.status).toBe(200);
  expect(exported.body.checkpoints).toEqual([checkpoint]);
  const ndjson = await runCli(svc.db.url, ["audit", "checkpoints"]);
  expect(
    ndjson.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l)),
  ).toEqual([checkpoint]);

  const clean = await svc.get("/api/audit/verify", auditor);
  expect(clean.body).toMatchObject({ ok: true, broken: [], checkpoint: { id: 1 } });

  // The newest event of one stream is deleted, behind the triggers' back (as a superuser could).
  const knex = svc.database.knex;
  await knex.raw("ALTER TABLE events DISABLE TRIGGER events_immutable");
  await knex.table("events").where({ stream_id: stream, stream_revision: 1 }).delete();
  await knex.raw("ALTER TABLE events ENABLE TRIGGER events_immutable");

  const tampered = await svc.get("/api/audit/verify", auditor);
  expect(tampered.body.ok).toBe(false);
  expect(tampered.body.broken).toEqual([
    {
      stream_id: stream,
      stream_revision: 1,
      event_id: null,
      global_position: null,
      reason:
        "newest events missing: checkpoint 1 recorded revision 1 as this stream's head, the log ends at revision 0",
    },
  ]);
  const one = await svc.get(`/api/audit/verify?stream=${stream}`, auditor);
  expect(one.body.ok).toBe(false);

  const cli = await runCli(svc.db.url, ["audit", "verify"]);
  expect(cli.code).toBe(1);
  expect(cli.stderr).toContain(`BROKEN ${stream} revision 1`);
  expect(cli.stderr).toContain("newest events missing");
});

test("a checkpoint covers only what moved since the last one, and the log going on does not break verify", async () => {
  const before = JSON.parse((await runCli(svc.db.url, ["audit", "checkpoint"])).stdout);
  const stream = await sessionWithContact();
  await logReadable();
  const after = JSON.parse((await runCli(svc.db.url, ["audit", "checkpoint"])).stdout);
  expect(after.id).toBe(before.id + 1);
  // A new anonymous chat user and its session: two streams, three events (registered, started, contact set).
  expect(after.events).toBe(before.events + 3);
  expect(after.streams).toBe(before.streams + 2);
  const heads = await svc.database.knex.table("log_checkpoint_heads").where({ stream_id: stream }).first();
  expect(heads).toMatchObject({ revision: "1", checkpoint_id: String(after.id) });
  // Unchanged log: no new checkpoint.
  expect(JSON.parse((await runCli(svc.db.url, ["audit", "checkpoint"])).stdout).id).toBe(after.id);
});
