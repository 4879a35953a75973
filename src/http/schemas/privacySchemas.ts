import { z } from "zod";
import { isoTime, uuid } from "./common";

/** What the data-subject endpoints answer. */
export const erasureResult = z.object({
  chat_user_id: uuid,
  erased: z.boolean().describe("false: erased before, nothing changed"),
  erased_chat_user_ids: z.array(uuid),
  keys_destroyed: z.number().int(),
  sessions_closed: z.number().int().describe("The subject's waiting or active chats the erasure closed"),
  position: z.number().int().nullable(),
});

export const subjectExport = z.object({
  chat_user_id: uuid,
  exported_at: isoTime,
  chat_user_ids: z.array(uuid),
  chat_users: z.array(z.record(z.string(), z.unknown())),
  sessions: z.array(z.record(z.string(), z.unknown())),
  events: z.array(
    z.object({
      global_position: z.number().int(),
      stream_id: z.string(),
      type: z.string(),
      occurred_at: z.unknown(),
      actor: z.unknown(),
      ip: z.unknown(),
      user_agent: z.unknown(),
      data: z.unknown(),
    }),
  ),
});
