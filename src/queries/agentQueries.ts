import type { Knex } from "knex";

/** Priorities as the queue orders them: urgent first. */
const PRIORITY_RANK = "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END";

export interface QueuedSession {
  session_id: string;
  topic: string;
  priority: string;
  created_at: string;
}

/** Waiting sessions (open, unassigned): urgent > high > normal > low, then oldest first. */
export async function getQueue(knex: Knex, label?: string, limit = 100): Promise<QueuedSession[]> {
  const query = knex.table("chat_sessions");
  if (label !== undefined) query.whereRaw("labels @> ARRAY[?]::text[]", [label]);
  const rows = await query
    .where({ status: "waiting" })
    .whereNull("assigned_agent_id")
    .whereNull("deleted_at")
    .orderByRaw(`${PRIORITY_RANK}, created_at, id`)
    .limit(limit)
    .select("id", "topic", "priority", "created_at");
  return rows.map((r) => ({
    session_id: r.id,
    topic: r.topic,
    priority: r.priority,
    created_at: (r.created_at as Date).toISOString(),
  }));
}

/** How many active chats an agent holds, as the read model shows them (what MAX_CHATS_PER_AGENT limits). */
export async function activeChatCount(knex: Knex, agentId: string): Promise<number> {
  const row = await knex
    .table("chat_sessions")
    .where({ assigned_agent_id: agentId, status: "active" })
    .whereNull("deleted_at")
    .count({ n: "*" })
    .first();
  return Number(row?.n ?? 0);
}

/** An agent's own chats with a status, each with the visitor's messages the agent has not read. */
export async function getAgentSessions(knex: Knex, agentId: string, status: string, label?: string) {
  const query = knex.table("chat_sessions as s");
  if (label !== undefined) query.whereRaw("s.labels @> ARRAY[?]::text[]", [label]);
  const rows = await query
    .where({ "s.assigned_agent_id": agentId, "s.status": status })
    .whereNull("s.deleted_at")
    .orderBy([{ column: "s.last_message_at", order: "desc", nulls: "last" }, "s.created_at"])
    .limit(500)
    .select(
      "s.id",
      "s.topic",
      "s.priority",
      "s.status",
      "s.created_at",
      "s.last_message_at",
      "s.labels",
      knex.raw(
        `(SELECT count(*) FROM chat_messages m
           WHERE m.session_id = s.id AND m.seq > s.agent_read_seq AND m.author_kind = 'visitor')::int AS unread`,
      ),
    );
  return rows.map((r) => ({
    session_id: r.id as string,
    topic: r.topic as string,
    priority: r.priority as string,
    status: r.status as string,
    created_at: (r.created_at as Date).toISOString(),
    last_message_at: r.last_message_at ? (r.last_message_at as Date).toISOString() : null,
    unread_for_agent: r.unread as number,
    labels: r.labels as string[],
  }));
}
