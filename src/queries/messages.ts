import type { Knex } from "knex";
import { NotFoundError } from "../domain/errors";
import { readerOwns, type SessionReader } from "./readerAccess";

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

/** A session's messages for a reader who may read it; a session it may not read is "not found". */
export async function getReadableMessages(
  knex: Knex,
  reader: SessionReader,
  page: { readonly sessionId: string; readonly afterSeq: number; readonly limit: number },
): Promise<MessagesPage> {
  const session = await knex.table("chat_sessions").where({ id: page.sessionId }).first("chat_user_id");
  const readable =
    session !== undefined &&
    (reader.anySession ||
      (await readerOwns(knex, { session_id: page.sessionId, chat_user_id: session.chat_user_id }, reader)));
  if (!readable) throw new NotFoundError("Chat session not found");
  return getMessages(knex, page.sessionId, page.afterSeq, page.limit);
}
