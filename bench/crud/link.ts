import type { PoolClient } from "pg";
import type { OssIdentity } from "../../src/auth/identityTokens";
import { ossChatUser } from "./sql";

type Linked =
  | { status: 200; body: { chat_user_id: string; oss_user_id: string; merged: boolean; message: string } }
  | { status: 404 | 409; error: string };

/** Links the browser's chat user to the OSS user, or merges it into the OSS user's chat user: one transaction. */
export async function linkBrowser(db: PoolClient, browserUuid: string, oss: OssIdentity): Promise<Linked> {
  const found = await db.query<{
    id: string;
    oss_user_id: string | null;
    merged_into_chat_user_id: string | null;
  }>("SELECT id, oss_user_id, merged_into_chat_user_id FROM chat_users WHERE browser_uuid = $1 FOR UPDATE", [
    browserUuid,
  ]);
  const user = found.rows[0];
  if (!user) return { status: 404, error: "No chat user exists for this browser_uuid" };
  if (user.oss_user_id !== null && user.oss_user_id !== oss.ossUserId) {
    return { status: 409, error: "This browser is already linked to another OSS user" };
  }
  const done = (chatUserId: string, merged: boolean): Linked => ({
    status: 200,
    body: {
      chat_user_id: chatUserId,
      oss_user_id: oss.ossUserId,
      merged,
      message: merged
        ? "Anonymous chat history merged into the OSS user's chat user"
        : "Anonymous chat user linked to the OSS user",
    },
  });
  if (user.merged_into_chat_user_id !== null) return done(user.merged_into_chat_user_id, true);
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [oss.ossUserId]);
  const into = await ossChatUser(db, oss.ossUserId);
  if (into !== null && into !== user.id) {
    await db.query("UPDATE chat_sessions SET chat_user_id = $2, updated_at = now() WHERE chat_user_id = $1", [
      user.id,
      into,
    ]);
    await db.query(
      `UPDATE chat_users SET oss_user_id = $2, email = $3, is_anonymous = false, merged_into_chat_user_id = $4,
         updated_at = now(), deleted_at = now() WHERE id = $1`,
      [user.id, oss.ossUserId, oss.email, into],
    );
    return done(into, true);
  }
  if (user.oss_user_id === null) {
    await db.query(
      "UPDATE chat_users SET oss_user_id = $2, email = $3, is_anonymous = false, updated_at = now() WHERE id = $1",
      [user.id, oss.ossUserId, oss.email],
    );
  }
  return done(user.id, false);
}
