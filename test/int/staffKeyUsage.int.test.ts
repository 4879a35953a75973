import { createStaffKey } from "../../src/auth/staffKeys";
import { waitFor } from "../support/readModel";
import { runCli } from "../support/runCli";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc.stop());

const lastUsed = async (id: string): Promise<Date | null> =>
  (await svc.database.knex.table("staff_api_keys").where({ id }).first("last_used_at")).last_used_at;

test("a key's use sets last_used_at (once a minute at most) and keys list shows it", async () => {
  const key = await createStaffKey(svc.database.knex, { name: "Ops on call", role: "ops" });
  const unused = await createStaffKey(svc.database.knex, { name: "Spare", role: "ops" });
  expect(await lastUsed(key.id)).toBeNull();
  const auth = { authorization: `Bearer ${key.key}` };
  expect((await svc.get("/api/admin/projections", auth)).status).toBe(200);
  await waitFor(async () => (await lastUsed(key.id)) !== null);
  const first = (await lastUsed(key.id)) as Date;

  // Within the minute, further uses write nothing.
  for (let i = 0; i < 3; i++) expect((await svc.get("/api/admin/projections", auth)).status).toBe(200);
  await new Promise((r) => setTimeout(r, 300));
  expect(await lastUsed(key.id)).toEqual(first);
  expect(await lastUsed(unused.id)).toBeNull();

  const list = await runCli(svc.db.url, ["keys", "list"]);
  expect(list.code).toBe(0);
  const line = list.stdout.split("\n").find((l) => l.startsWith(key.id)) ?? "";
  expect(line).toContain(`last used ${first.toISOString()}`);
  const spare = list.stdout.split("\n").find((l) => l.startsWith(unused.id)) ?? "";
  expect(spare).toContain("last used -");
});
