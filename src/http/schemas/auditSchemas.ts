import { z } from "zod";
import { isoTime, uuid } from "./common";

/** What the auditors' endpoints answer. */
const auditEvent = z.object({
  global_position: z.number().int(),
  log_position: z.string().describe("<transaction id>.<global position>"),
  stream_id: z.string(),
  stream_revision: z.number().int(),
  event_id: uuid,
  type: z.string(),
  schema_version: z.number().int(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
  recorded_at: isoTime,
});

export const auditPage = z.object({
  events: z.array(auditEvent),
  next: z.string().nullable().describe("Cursor (`after`) of the next page; null at the end"),
});

export const userEventsPage = auditPage.extend({
  chat_user_ids: z.array(uuid).describe("The chat user and the users merged into it"),
});

/** A read-table row as the projections write it (columns of chat_users, chat_sessions, chat_session_contacts). */
const row = z.record(z.string(), z.unknown());

export const sessionState = z.object({
  events_folded: z.number().int(),
  session: row,
  contact: row.nullable(),
  chat_user: row.nullable(),
  /** The transcript as it stood: chat_messages rows by seq. */
  messages: z.array(row),
});

export const chatUserState = z.object({
  events_folded: z.number().int(),
  chat_user: row,
  sessions: z.array(row),
});

export const logCheckpoint = z.object({
  id: z.number().int(),
  taken_at: isoTime,
  log_position: z.string().describe("<commit>.<prepare> of the last event it covers"),
  global_position: z.number().int(),
  streams: z.number().int(),
  events: z.number().int(),
  heads_hash: z.string().describe("SHA-256 over every stream's head"),
});

export const logCheckpointList = z.object({ checkpoints: z.array(logCheckpoint) });

export const verifyReport = z.object({
  ok: z.boolean(),
  streams: z.number().int(),
  events: z.number().int(),
  unchained: z.number().int(),
  broken: z.array(
    z.object({
      stream_id: z.string(),
      stream_revision: z.number().int(),
      event_id: z.string(),
      global_position: z.number().int(),
      reason: z.string(),
    }),
  ),
  checkpoint: logCheckpoint.nullable().describe("The log-head checkpoint checked against, or null"),
});
