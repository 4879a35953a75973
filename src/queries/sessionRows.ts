export interface ContactView {
  contact_name: string;
  contact_email: string;
  contact_phone: string | null;
  position: string | null;
  company_name: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionView {
  session_id: string;
  chat_user_id: string;
  topic: string;
  priority: string;
  status: string;
  channel: string;
  contact: ContactView | null;
  created_at: string;
  updated_at: string;
}

interface SessionRow {
  id: string;
  chat_user_id: string;
  topic: string;
  priority: string;
  status: string;
  channel: string;
  created_at: Date;
  updated_at: Date;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  position: string | null;
  company_name: string | null;
  contact_created_at: Date | null;
  contact_updated_at: Date | null;
}

/**
 * Sessions joined with their contact, as the query endpoints show them: the select list and the FROM clause
 * of their statements (sent as they are, see queryRows), `s` the session and `c` its contact.
 */
export const SESSION_COLUMNS = `s.id, s.chat_user_id, s.topic, s.priority, s.status, s.channel, s.created_at, s.updated_at,
  c.contact_name, c.contact_email, c.contact_phone, c.position, c.company_name,
  c.created_at AS contact_created_at, c.updated_at AS contact_updated_at`;
export const SESSIONS_WITH_CONTACT = `chat_sessions s
  LEFT JOIN chat_session_contacts c ON c.session_id = s.id AND c.deleted_at IS NULL`;

export function toSessionView(row: SessionRow): SessionView {
  return {
    session_id: row.id,
    chat_user_id: row.chat_user_id,
    topic: row.topic,
    priority: row.priority,
    status: row.status,
    channel: row.channel,
    contact:
      row.contact_name === null || row.contact_email === null
        ? null
        : {
            contact_name: row.contact_name,
            contact_email: row.contact_email,
            contact_phone: row.contact_phone,
            position: row.position,
            company_name: row.company_name,
            created_at: (row.contact_created_at as Date).toISOString(),
            updated_at: (row.contact_updated_at as Date).toISOString(),
          },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export type { SessionRow };
