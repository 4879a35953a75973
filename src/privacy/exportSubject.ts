import type { Knex } from "knex";
import { mergedUserIds, readAuditEvents } from "../audit/auditLog";
import type { EventLog } from "../eventstore/eventStore";
import { type Audience, agentOnlyTables, eventVisibleTo, sessionRowFor } from "../workspace/visibility";

/** Read tables whose rows belong to a session, exported with it; agents' notes only in the staff export. */
const SESSION_TABLES = ["chat_session_contacts", "chat_messages", "chat_notes"] as const;

export interface SubjectExport {
  readonly chat_user_id: string;
  readonly exported_at: string;
  /** The user and the chat users merged into it. */
  readonly chat_user_ids: string[];
  readonly chat_users: Record<string, unknown>[];
  readonly sessions: Record<string, unknown>[];
  /** Everything recorded about the person, in log order, opened: where each request came from, and when. */
  readonly events: {
    readonly global_position: number;
    readonly stream_id: string;
    readonly type: string;
    readonly occurred_at: unknown;
    readonly actor: unknown;
    readonly ip: unknown;
    readonly user_agent: unknown;
    readonly data: unknown;
  }[];
}

/**
 * All of a person's data for the right of access: their rows in every read table and every event recorded
 * about them, with personal fields opened ("[erased]" once erased). Null when no such chat user exists.
 * `audience`: "agent" for the staff export (with agents' notes and labels), "visitor" for the person's own
 * export, which src/workspace/visibility.ts cuts to what a visitor may see.
 */
export async function exportChatUser(
  deps: { readonly knex: Knex; readonly store: EventLog },
  chatUserId: string,
  now: Date = new Date(),
  audience: Audience = "agent",
): Promise<SubjectExport | null> {
  const { knex } = deps;
  const ids = await mergedUserIds(deps.store, chatUserId);
  const users = await knex.table("chat_users").whereIn("id", ids).orderBy("created_at");
  const events: SubjectExport["events"] = [];
  // The store opens what it reads: personal fields in clear, or "[erased]".
  for await (const page of readAuditEvents(deps.store, { kind: "owners", ownerIds: ids })) {
    for (const e of page) {
      if (!eventVisibleTo(audience, e.type)) continue;
      const m = e.metadata;
      events.push({
        global_position: e.global_position,
        stream_id: e.stream_id,
        type: e.type,
        occurred_at: m.occurred_at,
        actor: m.actor,
        ip: m.ip,
        user_agent: m.user_agent,
        data: e.data,
      });
    }
  }
  if (users.length === 0 && events.length === 0) return null;
  const sessions: Record<string, unknown>[] = await knex
    .table("chat_sessions")
    .whereIn("chat_user_id", ids)
    .orderBy([{ column: "created_at" }, { column: "id" }]);
  const sessionIds = sessions.map((s) => String(s.id));
  const byTable = await Promise.all(
    SESSION_TABLES.filter((t) => audience === "agent" || !agentOnlyTables.includes(t)).map(async (table) => ({
      table,
      rows: (await knex.table(table).whereIn("session_id", sessionIds)) as Record<string, unknown>[],
    })),
  );
  return {
    chat_user_id: chatUserId,
    exported_at: now.toISOString(),
    chat_user_ids: ids,
    chat_users: users,
    sessions: sessions.map((s) => ({
      ...sessionRowFor(audience, s),
      ...Object.fromEntries(
        byTable.map(({ table, rows }) => [table, rows.filter((r) => r.session_id === s.id)]),
      ),
    })),
    events,
  };
}
