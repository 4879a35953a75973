import type { Fact } from "../events/chatEvents";
import { ERASED } from "../events/recorded";
import type { Projection, RowOp } from "./rowOps";

/** chat_notes: one row per private note; erasure blanks the bodies of the person's sessions' notes. */
export const chatNotesProjection: Projection = {
  name: "chat_notes",
  table: "chat_notes",
  project(event: Fact): RowOp[] {
    switch (event.type) {
      case "ChatNoteAdded": {
        const d = event.data;
        const row = {
          id: d.note_id,
          session_id: d.session_id,
          after_seq: d.after_seq,
          author_id: d.author_id,
          author_name: d.author_name,
          body: d.body,
          created_at: event.occurredAt,
        };
        return [{ kind: "upsert", table: "chat_notes", conflict: ["id"], onConflict: "keep", row }];
      }
      case "ChatUserErased":
        return [{ kind: "erase", table: "chat_notes", chatUserIds: event.data.erased_chat_user_ids }];
      default:
        // Every other event leaves this table as it is.
        return [];
    }
  },
};

/** canned_responses: the live ones, and deleted ones marked (so a replay and the live table agree). */
export const cannedResponsesProjection: Projection = {
  name: "canned_responses",
  table: "canned_responses",
  project(event: Fact): RowOp[] {
    const t = event.occurredAt;
    switch (event.type) {
      case "CannedResponseSaved": {
        const d = event.data;
        const fields = {
          scope: d.scope,
          owner_agent_id: d.owner_agent_id,
          shortcut: d.shortcut,
          title: d.title,
          body: d.body,
          team_id: d.team_id,
          language: d.language,
          updated_at: t,
          deleted_at: null,
        };
        return [
          // Created with this event's time; a later save changes everything but when it was made.
          {
            kind: "upsert",
            table: "canned_responses",
            conflict: ["id"],
            onConflict: "keep",
            row: { id: d.canned_response_id, ...fields, created_at: t },
          },
          { kind: "update", table: "canned_responses", where: { id: d.canned_response_id }, set: fields },
        ];
      }
      case "CannedResponseDeleted":
        return [
          {
            kind: "update",
            table: "canned_responses",
            where: { id: event.data.canned_response_id },
            set: { deleted_at: t, updated_at: t },
          },
        ];
      default:
        // Every other event leaves this table as it is.
        return [];
    }
  },
};

const doc = (id: string, sessionId: string, field: string, body: string, at: string, seq: number | null) =>
  ({
    kind: "upsert",
    table: "search_documents",
    conflict: ["id"],
    onConflict: "replace",
    row: { id, session_id: sessionId, field, seq, body, created_at: at },
  }) as const satisfies RowOp;

/** The searchable contact fields, each its own document so a match names its field. */
const CONTACT_FIELDS = ["contact_name", "contact_email", "contact_phone", "company_name"] as const;

/**
 * search_documents: every text an agent searches, one row each: messages and notes (by their ids), and per
 * session its topic, contact fields and labels (by session id and field). Postgres derives the tsvector and
 * the word list (src/projections/workspaceSchema.ts). Erasure blanks the person's rows, retention the bodies.
 */
export const searchDocumentsProjection: Projection = {
  name: "search_documents",
  table: "search_documents",
  project(event: Fact): RowOp[] {
    const t = event.occurredAt;
    switch (event.type) {
      case "ChatSessionStarted": {
        const d = event.data;
        return [doc(`${d.session_id}:topic`, d.session_id, "topic", d.topic, t, null)];
      }
      case "ChatSessionContactSet":
      case "ChatSessionContactUpdated": {
        const d = event.data;
        return CONTACT_FIELDS.map((f) => doc(`${d.session_id}:${f}`, d.session_id, f, d[f] ?? "", t, null));
      }
      case "ChatMessagePosted": {
        const d = event.data;
        return [doc(d.message_id, d.session_id, "message", d.body, t, d.seq)];
      }
      case "ChatNoteAdded": {
        const d = event.data;
        return [doc(d.note_id, d.session_id, "note", d.body, t, d.after_seq)];
      }
      case "ChatLabelsSet": {
        const d = event.data;
        return [doc(`${d.session_id}:labels`, d.session_id, "labels", d.labels.join(" "), t, null)];
      }
      case "ChatUserErased":
        return [{ kind: "erase", table: "search_documents", chatUserIds: event.data.erased_chat_user_ids }];
      case "RetentionApplied":
        return event.data.session_ids.map((sessionId) => ({
          kind: "update" as const,
          table: "search_documents" as const,
          where: { session_id: sessionId, field: "message" },
          set: { body: ERASED },
        }));
      default:
        // Every other event leaves this table as it is.
        return [];
    }
  },
};
