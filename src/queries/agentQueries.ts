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

/** What a list of the agent's chats may narrow by. */
export interface AgentSessionFilter {
  /** Part of the topic, any case. */
  readonly q?: string | undefined;
  readonly limit?: number | undefined;
  /** A label the chat carries. */
  readonly label?: string | undefined;
}

/** `%`, `_` and `\\` of a search term taken literally in LIKE. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * An agent's own chats with a status, each with the visitor's messages the agent has not read, the contact's name
 * and the last message; closed chats newest closed first, others by their last message.
 */
export async function getAgentSessions(
  knex: Knex,
  agentId: string,
  status: string,
  filter: AgentSessionFilter = {},
) {
  const query = knex
    .table("chat_sessions as s")
    .leftJoin("chat_session_contacts as c", function () {
      this.on("c.session_id", "=", "s.id").andOnNull("c.deleted_at");
    })
    .joinRaw(
      `LEFT JOIN LATERAL (SELECT m.body, m.author_kind, m.created_at FROM chat_messages m
         WHERE m.session_id = s.id AND m.seq = s.last_seq) lm ON true`,
    )
    .where({ "s.assigned_agent_id": agentId, "s.status": status })
    .whereNull("s.deleted_at");
  if (filter.q !== undefined) query.whereILike("s.topic", `%${likeLiteral(filter.q)}%`);
  if (filter.label !== undefined) query.whereRaw("s.labels @> ARRAY[?]::text[]", [filter.label]);
  const rows = await query
    .orderBy(
      status === "closed"
        ? [
            { column: "s.closed_at", order: "desc", nulls: "last" },
            { column: "s.created_at", order: "desc" },
          ]
        : [{ column: "s.last_message_at", order: "desc", nulls: "last" }, "s.created_at"],
    )
    .limit(filter.limit ?? 500)
    .select(
      "s.id",
      "s.topic",
      "s.priority",
      "s.status",
      "s.created_at",
      "s.last_message_at",
      "s.labels",
      "s.last_seq",
      "s.closed_at",
      "c.contact_name",
      "lm.body as last_body",
      "lm.author_kind as last_author_kind",
      "lm.created_at as last_created_at",
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
    contact_name: (r.contact_name as string | null) ?? null,
    last_seq: r.last_seq as number,
    last_message:
      r.last_body == null
        ? null
        : {
            body: r.last_body as string,
            author_kind: r.last_author_kind as string,
            created_at: (r.last_created_at as Date).toISOString(),
          },
    closed_at: r.closed_at ? (r.closed_at as Date).toISOString() : null,
  }));
}

export interface AgentListEntry {
  agent_id: string;
  name: string;
  status: "available" | "away";
  active_chats: number;
}

/**
 * Every live agent key with its availability (away until it says otherwise) and its active chats, for the
 * console's transfer list: available first, then the fewest chats, then by name.
 */
export async function getAgents(knex: Knex): Promise<AgentListEntry[]> {
  const rows = await knex
    .table("staff_api_keys as k")
    .leftJoin("chat_agents as a", "a.id", "k.id")
    .where({ "k.role": "agent" })
    .whereNull("k.revoked_at")
    .select(
      "k.id",
      "k.name",
      knex.raw("COALESCE(a.status, 'away') AS status"),
      knex.raw(
        `(SELECT count(*) FROM chat_sessions s
           WHERE s.assigned_agent_id = k.id AND s.status = 'active' AND s.deleted_at IS NULL)::int AS active_chats`,
      ),
    )
    .orderByRaw(
      "CASE COALESCE(a.status, 'away') WHEN 'available' THEN 0 ELSE 1 END, active_chats, k.name, k.id",
    )
    .limit(1000);
  return rows.map((r) => ({
    agent_id: r.id as string,
    name: r.name as string,
    status: r.status as "available" | "away",
    active_chats: r.active_chats as number,
  }));
}

/** The agent's own availability as the read table has it (away until it says otherwise). */
export async function getAgentStatus(knex: Knex, agentId: string): Promise<"available" | "away"> {
  const row = await knex.table("chat_agents").where({ id: agentId }).first("status");
  return (row?.status as "available" | "away" | undefined) ?? "away";
}
