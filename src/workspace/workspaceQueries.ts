import type { Knex } from "knex";
import type { MessagesPage, MessageView } from "../queries/messages";

/** The canned responses an agent may use: the shared ones (of a team, if one is given) and their own. */
export async function listCanned(
  knex: Knex,
  agentId: string,
  filter: { readonly q?: string | undefined; readonly team_id?: string | undefined },
) {
  const query = knex
    .table("canned_responses")
    .whereNull("deleted_at")
    .where((w) =>
      w
        .where((s) => {
          s.where("scope", "shared");
          if (filter.team_id !== undefined)
            s.where((t) => t.whereNull("team_id").orWhere("team_id", filter.team_id as string));
        })
        .orWhere((p) => p.where({ scope: "personal", owner_agent_id: agentId })),
    );
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query.where((w) => w.whereILike("shortcut", like).orWhereILike("title", like).orWhereILike("body", like));
  }
  const rows = await query
    .orderBy([{ column: "shortcut" }, { column: "scope" }])
    .limit(500)
    .select(
      "id",
      "scope",
      "owner_agent_id",
      "shortcut",
      "title",
      "body",
      "team_id",
      "language",
      "created_at",
      "updated_at",
    );
  return rows.map((r) => ({
    ...r,
    created_at: (r.created_at as Date).toISOString(),
    updated_at: (r.updated_at as Date).toISOString(),
  }));
}

/** What a session's canned-response variables are filled with; null when there is no such session. */
export async function renderValuesOf(knex: Knex, sessionId: string) {
  const row = await knex
    .table("chat_sessions as s")
    .leftJoin("chat_session_contacts as c", "c.session_id", "s.id")
    .where("s.id", sessionId)
    .whereNull("s.deleted_at")
    .first("s.topic", "c.contact_name");
  if (!row) return null;
  return { topic: row.topic as string, contact_name: (row.contact_name as string | null) ?? null };
}

/** Labels in use on sessions, most used first. */
export async function labelCounts(knex: Knex) {
  const rows = await knex.raw(
    `SELECT label, count(*)::int AS count FROM chat_sessions, unnest(labels) AS label
      WHERE deleted_at IS NULL GROUP BY label ORDER BY count DESC, label LIMIT 1000`,
  );
  return rows.rows as { label: string; count: number }[];
}

/**
 * A page of messages with the agents' notes among them (author_kind "note", seq: the message each follows).
 * A note goes with the page that holds the message it follows; one that follows the page's last message comes
 * on the last page only (it may come again on the next poll: clients keep entries by message_id).
 */
export async function withNotes(
  knex: Knex,
  sessionId: string,
  afterSeq: number,
  limit: number,
  page: MessagesPage,
): Promise<{ messages: (MessageView | NoteView)[]; next_after_seq: number }> {
  const full = page.messages.length >= limit;
  const query = knex.table("chat_notes").where("session_id", sessionId).andWhere("after_seq", ">=", afterSeq);
  if (full) query.andWhere("after_seq", "<", page.next_after_seq);
  const rows = await query
    .orderBy([{ column: "after_seq" }, { column: "created_at" }, { column: "id" }])
    .select("id", "after_seq", "author_name", "body", "created_at");
  const notes: NoteView[] = rows.map((r) => ({
    message_id: r.id as string,
    seq: r.after_seq as number,
    author_kind: "note",
    author_name: r.author_name as string,
    body: r.body as string,
    created_at: (r.created_at as Date).toISOString(),
  }));
  // A note with seq k comes right after message k, before message k + 1 (a stable sort keeps the notes' order).
  const merged = [...page.messages, ...notes].sort(
    (x, y) => x.seq - y.seq || Number(x.author_kind === "note") - Number(y.author_kind === "note"),
  );
  return { messages: merged, next_after_seq: page.next_after_seq };
}

export interface NoteView {
  message_id: string;
  seq: number;
  author_kind: "note";
  author_name: string;
  body: string;
  created_at: string;
}
