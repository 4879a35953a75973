import type { Fact } from "../events/chatEvents";
import type { Projection, RowOp } from "./rowOps";

/** chat_session_contacts: at most one row per session (UNIQUE(session_id)). */
export const chatSessionContactsProjection: Projection = {
  name: "chat_session_contacts",
  table: "chat_session_contacts",
  project(event: Fact): RowOp[] {
    const t = event.occurredAt;
    switch (event.type) {
      case "ChatSessionContactSet": {
        const d = event.data;
        return [
          {
            kind: "upsert",
            table: "chat_session_contacts",
            conflict: ["session_id"],
            onConflict: "replace",
            row: {
              id: d.contact_id,
              session_id: d.session_id,
              contact_name: d.contact_name,
              contact_email: d.contact_email,
              contact_phone: d.contact_phone,
              position: d.position,
              company_name: d.company_name,
              created_at: t,
              updated_at: t,
              deleted_at: null,
            },
          },
        ];
      }
      case "ChatSessionContactUpdated": {
        const d = event.data;
        return [
          {
            kind: "update",
            table: "chat_session_contacts",
            where: { session_id: d.session_id },
            set: {
              contact_name: d.contact_name,
              contact_email: d.contact_email,
              contact_phone: d.contact_phone,
              position: d.position,
              company_name: d.company_name,
              updated_at: t,
            },
          },
        ];
      }
      case "ChatUserErased":
        return [
          { kind: "erase", table: "chat_session_contacts", chatUserIds: event.data.erased_chat_user_ids },
        ];
      default:
        // Every other event leaves this table as it is.
        return [];
    }
  },
};
