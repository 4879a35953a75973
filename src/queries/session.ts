import type { Knex } from "knex";
import { z } from "zod";
import { uuidField } from "../commands/fields";
import { queryRows } from "../db/rawQuery";
import { NotFoundError } from "../domain/errors";
import { readerOwns, type SessionReader } from "./readerAccess";
import {
  SESSION_COLUMNS,
  SESSIONS_WITH_CONTACT,
  type SessionRow,
  type SessionView,
  toSessionView,
} from "./sessionRows";

export const sessionInput = z.object({
  id: uuidField,
  min_position: z.coerce.number().int().min(0).optional(),
});

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
  /** Agent-only: src/workspace/visibility.ts strips it from what a visitor gets. */
  labels: string[];
};

/** The session detail for a reader who may read it; a session it may not read is "not found". */
export async function getReadableSession(
  knex: Knex,
  reader: SessionReader,
  sessionId: string,
): Promise<SessionDetailView> {
  // The reader's own chat user comes with the read: the ownership check needs no statement of its own.
  const found = await getSessionForReader(knex, sessionId, reader.anySession ? null : reader.ossUserId);
  const readable =
    found !== null &&
    (reader.anySession ||
      (await readerOwns(
        knex,
        {
          ...found.view,
          anonymousBrowserUuid: found.anonymousBrowserUuid,
          readerChatUserId: found.readerChatUserId,
        },
        reader,
      )));
  if (!found || !readable) throw new NotFoundError("Chat session not found");
  return found.view;
}

const SESSION_DETAIL = `SELECT ${SESSION_COLUMNS}, s.anonymous_browser_uuid,
    u.browser_uuid AS user_browser_uuid, u.oss_user_id AS user_oss_user_id, u.email AS user_email,
    u.is_anonymous AS user_is_anonymous, u.created_at AS user_created_at, u.updated_at AS user_updated_at,
    s.assigned_agent_id, s.assigned_agent_name, s.last_message_at, s.labels,
    (SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id AND m.seq > s.visitor_read_seq
       AND m.author_kind <> 'visitor')::int AS unread_for_visitor,
    (SELECT id FROM chat_users
      WHERE oss_user_id = $2 AND merged_into_chat_user_id IS NULL AND deleted_at IS NULL LIMIT 1)
      AS reader_chat_user_id
  FROM ${SESSIONS_WITH_CONTACT} JOIN chat_users u ON u.id = s.chat_user_id
  WHERE s.deleted_at IS NULL AND s.id = $1`;

/**
 * The session detail, the browser that started the session anonymously and, for a reader logged in as an OSS
 * user, that user's chat user (both for readerOwns), in one statement: the session, its contact and its chat
 * user joined.
 */
export async function getSessionForReader(
  knex: Knex,
  sessionId: string,
  readerOssUserId: string | null = null,
): Promise<{
  view: SessionDetailView;
  anonymousBrowserUuid: string | null;
  readerChatUserId: string | null;
} | null> {
  const [row] = await queryRows<
    SessionRow & {
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
      labels: string[];
      reader_chat_user_id: string | null;
    }
  >(knex, SESSION_DETAIL, [sessionId, readerOssUserId]);
  if (!row) return null;
  return {
    anonymousBrowserUuid: row.anonymous_browser_uuid,
    readerChatUserId: row.reader_chat_user_id,
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
      labels: row.labels,
    },
  };
}
