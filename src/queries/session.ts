import type { Knex } from "knex";
import { z } from "zod";
import { uuidField } from "../commands/fields";
import { unreadCount } from "./messages";
import { type SessionRow, type SessionView, sessionsWithContact, toSessionView } from "./sessionRows";

export const sessionInput = z.object({
  id: uuidField,
  min_position: z.coerce.number().int().min(0).optional(),
});
export type SessionInput = z.infer<typeof sessionInput>;

export interface ChatUserView {
  chat_user_id: string;
  browser_uuid: string | null;
  oss_user_id: string | null;
  email: string | null;
  is_anonymous: boolean;
  created_at: string;
  updated_at: string;
}

export type SessionDetailView = SessionView & {
  chat_user: ChatUserView;
  assigned_agent: { id: string; name: string } | null;
  last_message_at: string | null;
  unread_for_visitor: number;
};

/** One session with its contact and its chat user, or null. */
export async function getSession(knex: Knex, sessionId: string): Promise<SessionDetailView | null> {
  const row = (await sessionsWithContact(knex).where("s.id", sessionId).first()) as SessionRow | undefined;
  if (!row) return null;
  const user = await knex
    .table("chat_users")
    .where({ id: row.chat_user_id })
    .first("id", "browser_uuid", "oss_user_id", "email", "is_anonymous", "created_at", "updated_at");
  if (!user) return null;
  const conversation = await knex
    .table("chat_sessions")
    .where({ id: sessionId })
    .first("assigned_agent_id", "assigned_agent_name", "last_message_at", "visitor_read_seq");
  return {
    ...toSessionView(row),
    assigned_agent:
      conversation?.assigned_agent_id == null
        ? null
        : { id: conversation.assigned_agent_id, name: conversation.assigned_agent_name },
    last_message_at: conversation?.last_message_at
      ? (conversation.last_message_at as Date).toISOString()
      : null,
    unread_for_visitor: await unreadCount(knex, sessionId, "visitor", conversation?.visitor_read_seq ?? 0),
    chat_user: {
      chat_user_id: user.id,
      browser_uuid: user.browser_uuid,
      oss_user_id: user.oss_user_id,
      email: user.email,
      is_anonymous: user.is_anonymous,
      created_at: (user.created_at as Date).toISOString(),
      updated_at: (user.updated_at as Date).toISOString(),
    },
  };
}
