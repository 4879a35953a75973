import { randomUUID } from "node:crypto";
import { createStaffKey, type StaffRole } from "../../src/auth/staffKeys";
import { asBrowser, bearer } from "./identity";
import type { TestService } from "./testService";

export interface Visitor {
  readonly browser: string;
  readonly headers: Record<string, string>;
  readonly sessionId: string;
  readonly chatUserId: string;
  readonly position: number;
}

/** An anonymous visitor with a fresh browser and a new waiting chat. */
export async function startVisitorChat(
  svc: TestService,
  options: { topic?: string; priority?: string; browser?: string } = {},
): Promise<Visitor> {
  const browser = options.browser ?? randomUUID();
  const r = await svc.post("/api/oss-chat/start", {
    browser_uuid: browser,
    topic: options.topic ?? "Izin usaha",
    ...(options.priority ? { priority: options.priority } : {}),
  });
  if (r.status !== 201) throw new Error(`start failed: ${r.status} ${JSON.stringify(r.body)}`);
  return {
    browser,
    headers: asBrowser(browser),
    sessionId: r.body.session_id,
    chatUserId: r.body.chat_user_id,
    position: r.body.position,
  };
}

export interface Staff {
  readonly id: string;
  readonly name: string;
  readonly headers: Record<string, string>;
}

export async function staffKey(
  svc: TestService,
  role: StaffRole,
  name = `${role} ${randomUUID().slice(0, 6)}`,
) {
  const key = await createStaffKey(svc.database.knex, { name, role });
  return { id: key.id, name, headers: bearer(key.key) } satisfies Staff;
}

/** PUT, which the test service's helpers do not have. */
export async function put(svc: TestService, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${svc.url}${path}`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed as any };
}
