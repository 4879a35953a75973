import type { Knex } from "knex";
import { z } from "zod";
import { uuidField } from "../commands/fields";
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
  /** Agents' and system messages after the visitor's read mark. */
  unread_for_visitor: number;
};

/** One session with its contact and its chat user, or null. */
export async function getSession(knex: Knex, sessionId: string): Promise<SessionDetailView | null> {
  return (await getSessionForReader(knex, sessionId))?.view ?? null;
}

/**
 * The session detail and the browser that started the session anonymously (for readerOwns), in one query:
 * the session, its contact and its chat user joined.
 */
export async function getSessionForReader(
  knex: Knex,
  sessionId: string,
): Promise<{ view: SessionDetailView; anonymousBrowserUuid: string | null } | null> {
  const row = (await sessionsWithContact(knex)
    .join("chat_users as u", "u.id", "s.chat_user_id")
    .where("s.id", sessionId)
    .select(
      "s.anonymous_browser_uuid",
      "u.browser_uuid as user_browser_uuid",
      "u.oss_user_id as user_oss_user_id",
      "u.email as user_email",
      "u.is_anonymous as user_is_anonymous",
      "u.created_at as user_created_at",
      "u.updated_at as user_updated_at",
      "s.assigned_agent_id",
      "s.assigned_agent_name",
      "s.last_message_at",
      knex.raw(
        `(SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id AND m.seq > s.visitor_read_seq
           AND m.author_kind <> 'visitor')::int AS unread_for_visitor`,
      ),
    )
    .first()) as
    | (SessionRow & {
        anonymous_browser_uuid: string | null;
        user_browser_uuid: string | null;
        user_oss_user_id: string | null;
        user_email: string | null;
        user_is_anonymous: boolean;
        user_created_at: Date;
        user_updated_at: Date;
        assigned_agent_id: string | null;
        assigned_agent_name: string | null;
        last_message_at: Date | null;
        unread_for_visitor: number;
      })
    | undefined;
  if (!row) return null;
  return {
    anonymousBrowserUuid: row.anonymous_browser_uuid,
    view: {
      ...toSessionView(row),
      chat_user: {
        chat_user_id: row.chat_user_id,
        browser_uuid: row.user_browser_uuid,
        oss_user_id: row.user_oss_user_id,
        email: row.user_email,
        is_anonymous: row.user_is_anonymous,
        created_at: row.user_created_at.toISOString(),
        updated_at: row.user_updated_at.toISOString(),
      },
      assigned_agent:
        row.assigned_agent_id === null
          ? null
          : { id: row.assigned_agent_id, name: row.assigned_agent_name ?? "" },
      last_message_at: row.last_message_at?.toISOString() ?? null,
      unread_for_visitor: row.unread_for_visitor,
    },
  };
}
