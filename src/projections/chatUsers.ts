import type { Fact } from "../events/chatEvents";
import type { Projection, RowOp } from "./rowOps";

/** chat_users: one row per chat user; a merged user is soft-deleted and points at its merge target. */
export const chatUsersProjection: Projection = {
  name: "chat_users",
  table: "chat_users",
  project(event: Fact): RowOp[] {
    const t = event.occurredAt;
    switch (event.type) {
      case "ChatUserRegistered": {
        const d = event.data;
        return [
          {
            kind: "upsert",
            table: "chat_users",
            conflict: ["id"],
            onConflict: "replace",
            row: {
              id: d.chat_user_id,
              browser_uuid: d.browser_uuid,
              oss_user_id: d.oss_user_id,
              email: d.email,
              is_anonymous: d.is_anonymous,
              ip_address: d.ip_address,
              user_agent: d.user_agent,
              merged_into_chat_user_id: null,
              created_at: t,
              updated_at: t,
              deleted_at: null,
            },
          },
        ];
      }
      case "ChatUserLinkedToOssUser":
        return [
          {
            kind: "update",
            table: "chat_users",
            where: { id: event.data.chat_user_id },
            set: {
              oss_user_id: event.data.oss_user_id,
              email: event.data.email,
              is_anonymous: false,
              updated_at: t,
            },
          },
        ];
      case "ChatUserMergedInto": {
        const d = event.data;
        return [
          // The target's row may not be projected yet where events are applied in parallel (one Kafka
          // partition per owner): the merge carries its state, and its own events overwrite it later.
          {
            kind: "upsert",
            table: "chat_users",
            conflict: ["id"],
            onConflict: "keep",
            row: { id: d.into_chat_user_id, ...d.into, merged_into_chat_user_id: null, deleted_at: null },
          },
          {
            kind: "update",
            table: "chat_users",
            where: { id: d.chat_user_id },
            set: {
              oss_user_id: d.oss_user_id,
              email: d.email,
              is_anonymous: false,
              merged_into_chat_user_id: d.into_chat_user_id,
              updated_at: t,
              deleted_at: t,
            },
          },
        ];
      }
      case "ChatUserErased":
        return [{ kind: "erase", table: "chat_users", chatUserIds: event.data.erased_chat_user_ids }];
      default:
        // Every other event leaves this table as it is.
        return [];
    }
  },
};
