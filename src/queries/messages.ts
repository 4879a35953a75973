import type { Knex } from "knex";

export interface MessageView {
  message_id: string;
  seq: number;
  author_kind: "visitor" | "agent" | "system";
  author_name: string | null;
  body: string;
  created_at: string;
}

export interface MessagesPage {
  messages: MessageView[];
  /** Pass as after_seq to read on; equal to the given after_seq when nothing newer exists yet. */
  next_after_seq: number;
}

/** A session's messages after a seq, ascending by seq. */
export async function getMessages(
  knex: Knex,
  sessionId: string,
  afterSeq: number,
  limit: number,
): Promise<MessagesPage> {
  const rows = await knex
    .table("chat_messages")
    .where("session_id", sessionId)
    .andWhere("seq", ">", afterSeq)
    .orderBy("seq")
    .limit(limit)
    .select("id", "seq", "author_kind", "author_name", "body", "created_at");
  const messages = rows.map((r) => ({
    message_id: r.id as string,
    seq: r.seq as number,
    author_kind: r.author_kind,
    author_name: r.author_name as string | null,
    body: r.body as string,
    created_at: (r.created_at as Date).toISOString(),
  }));
  return { messages, next_after_seq: messages.at(-1)?.seq ?? afterSeq };
}

/** Messages of the other side after a read mark: a visitor's unread are the agents' and the system's. */
export async function unreadCount(
  knex: Knex,
  sessionId: string,
  reader: "visitor" | "agent",
  readSeq: number,
): Promise<number> {
  const query = knex.table("chat_messages").where("session_id", sessionId).andWhere("seq", ">", readSeq);
  if (reader === "visitor") query.whereNot("author_kind", "visitor");
  else query.where("author_kind", "visitor");
  const row = await query.count<{ n: string }[]>({ n: "*" }).first();
  return Number(row?.n ?? 0);
}
