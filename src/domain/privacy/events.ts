import { z } from "zod";
import type { EventsOf } from "../eventTypes";

// The records of privacy operations that concern no one stream (`privacy-retention`, `privacy-reencryption`).
// Erasing a chat user is an event of its own stream: ChatUserErased (../chatUser/events.ts).

export const privacyEventSchemas = {
  /** Message bodies of sessions closed longer ago than the retention period were shredded (their keys destroyed). */
  RetentionApplied: z.object({
    retention_days: z.number().int().min(1),
    closed_before: z.string(),
    session_ids: z.array(z.uuid()),
  }),
  /** Events written in plaintext were re-encrypted in place: the chains' roots before and after. */
  LogReencrypted: z.object({
    streams: z.number().int().min(0),
    events: z.number().int().min(0),
    root_before: z.string(),
    root_after: z.string(),
  }),
} as const;

/** The version each type is written with today; older versions are upcast where events are read. */
export const privacyEventVersions = { RetentionApplied: 1, LogReencrypted: 1 } as const;

export type PrivacyEvent = EventsOf<typeof privacyEventSchemas>;
