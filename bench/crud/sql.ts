import type { Pool, PoolClient } from "pg";

/** The seed's writes, straight to the read tables: what a plain CRUD service does inside one transaction. */

export async function startAnonymous(
  db: PoolClient,
  browserUuid: string,
  ip: string,
  userAgent: string | null,
  topic: string,
  priority: string,
) {
  const user = await db.query<{ id: string }>(
    `INSERT INTO chat_users (browser_uuid, is_anonymous, ip_address, user_agent) VALUES ($1, true, $2, $3)
     ON CONFLICT (browser_uuid) DO UPDATE SET updated_at = chat_users.updated_at
     RETURNING coalesce(merged_into_chat_user_id, id) AS id`,
    [browserUuid, ip, userAgent],
  );
  const chatUserId = user.rows[0]!.id;
  return { chatUserId, sessionId: await insertSession(db, chatUserId, topic, priority) };
}

export async function startLoggedIn(
  db: PoolClient,
  oss: { ossUserId: string; email: string },
  ip: string,
  userAgent: string | null,
  topic: string,
  priority: string,
) {
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [oss.ossUserId]);
  const found = await ossChatUser(db, oss.ossUserId);
  const chatUserId =
    found ??
    (
      await db.query<{ id: string }>(
        `INSERT INTO chat_users (oss_user_id, email, is_anonymous, ip_address, user_agent)
         VALUES ($1, $2, false, $3, $4) RETURNING id`,
        [oss.ossUserId, oss.email, ip, userAgent],
      )
    ).rows[0]!.id;
  return { chatUserId, sessionId: await insertSession(db, chatUserId, topic, priority) };
}

async function insertSession(db: PoolClient, chatUserId: string, topic: string, priority: string) {
  const session = await db.query<{ id: string }>(
    "INSERT INTO chat_sessions (chat_user_id, topic, priority) VALUES ($1, $2, $3) RETURNING id",
    [chatUserId, topic, priority],
  );
  return session.rows[0]!.id;
}

export async function ossChatUser(db: Pool | PoolClient, ossUserId: string): Promise<string | null> {
  const row = await db.query<{ id: string }>(
    `SELECT id FROM chat_users WHERE oss_user_id = $1 AND merged_into_chat_user_id IS NULL AND deleted_at IS NULL
     LIMIT 1`,
    [ossUserId],
  );
  return row.rows[0]?.id ?? null;
}

/** The owner check of contact and session detail: the browser's user (or its merge target) or the OSS user's. */
export const OWNS = `(
  s.chat_user_id = (SELECT coalesce(merged_into_chat_user_id, id) FROM chat_users WHERE browser_uuid = $2)
  OR s.chat_user_id = (SELECT id FROM chat_users WHERE oss_user_id = $3 AND merged_into_chat_user_id IS NULL
                       AND deleted_at IS NULL LIMIT 1))`;

export async function upsertContact(
  db: PoolClient,
  c: {
    session_id: string;
    contact_name: string;
    contact_email: string;
    contact_phone: string | null;
    position: string | null;
    company_name: string | null;
  },
) {
  const row = await db.query<{ created: boolean }>(
    `INSERT INTO chat_session_contacts (session_id, contact_name, contact_email, contact_phone, position, company_name)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (session_id) DO UPDATE SET contact_name = excluded.contact_name, contact_email = excluded.contact_email,
       contact_phone = excluded.contact_phone, position = excluded.position, company_name = excluded.company_name,
       updated_at = now()
     RETURNING (xmax = 0) AS created`,
    [c.session_id, c.contact_name, c.contact_email, c.contact_phone, c.position, c.company_name],
  );
  return row.rows[0]!.created;
}

export const SESSION_COLUMNS = `s.id, s.chat_user_id, s.topic, s.priority, s.status, s.channel, s.created_at, s.updated_at,
  c.contact_name, c.contact_email, c.contact_phone, c.position, c.company_name,
  c.created_at AS contact_created_at, c.updated_at AS contact_updated_at`;
export const SESSIONS_WITH_CONTACT = `chat_sessions s
  LEFT JOIN chat_session_contacts c ON c.session_id = s.id AND c.deleted_at IS NULL`;
