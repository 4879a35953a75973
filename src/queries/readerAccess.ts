import type { Knex } from "knex";
import { historyOwner } from "./history";

/** Who reads a session: staff allowed to read any, or a visitor by its browser and OSS user. */
export type SessionReader =
  | { readonly anySession: true }
  | { readonly anySession: false; readonly browserUuid: string | null; readonly ossUserId: string | null };

/**
 * Whether a caller may read a session in the read tables: the browser that started it anonymously, or the
 * OSS user whose chat user holds it now (merged-in sessions included). A browser linked to an account does
 * not read the account's other sessions: those need the account's token.
 */
export async function readerOwns(
  knex: Knex,
  session: {
    readonly session_id: string;
    readonly chat_user_id: string;
    /** The browser that started the session anonymously, when the caller already read it: no query then. */
    readonly anonymousBrowserUuid?: string | null;
    /** The chat user the caller's OSS user holds (historyOwner), when the caller already read it: no query then. */
    readonly readerChatUserId?: string | null;
  },
  caller: { readonly browserUuid: string | null; readonly ossUserId: string | null },
): Promise<boolean> {
  if (caller.browserUuid !== null && session.anonymousBrowserUuid !== undefined) {
    if (session.anonymousBrowserUuid === caller.browserUuid) return true;
  } else if (caller.browserUuid !== null) {
    const started = await knex
      .table("chat_sessions")
      .where({ id: session.session_id, anonymous_browser_uuid: caller.browserUuid })
      .first("id");
    if (started) return true;
  }
  if (caller.ossUserId === null) return false;
  const owner =
    session.readerChatUserId !== undefined
      ? session.readerChatUserId
      : await historyOwner(knex, caller.ossUserId);
  return owner === session.chat_user_id;
}
