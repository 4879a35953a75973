import { z } from "zod";
import { actorSchema } from "../actor";
import type { EventsOf, FactOf } from "../eventTypes";

// The events of a chat user's stream (`chatUser-<id>`) and of an OSS identity's (`ossIdentity-<oss_user_id>`).

const uuid = z.uuid();

export const erasureReason = z.enum([
  "data_subject_request",
  "legal_obligation",
  "consent_withdrawn",
  "other",
]);

/** The chat user's read-model state, carried by a merge so its target row can exist before its own events arrive. */
export const chatUserSnapshotSchema = z.object({
  browser_uuid: uuid.nullable(),
  oss_user_id: z.string().nullable(),
  email: z.string().nullable(),
  is_anonymous: z.boolean(),
  ip_address: z.string(),
  user_agent: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ChatUserSnapshot = z.infer<typeof chatUserSnapshotSchema>;

export const chatUserEventSchemas = {
  ChatUserRegistered: z.object({
    chat_user_id: uuid,
    browser_uuid: uuid.nullable(),
    oss_user_id: z.string().nullable(),
    email: z.string().nullable(),
    is_anonymous: z.boolean(),
    ip_address: z.string(),
    user_agent: z.string().nullable(),
  }),
  ChatUserLinkedToOssUser: z.object({
    chat_user_id: uuid,
    oss_user_id: z.string(),
    email: z.string(),
  }),
  ChatUserMergedInto: z.object({
    chat_user_id: uuid,
    into_chat_user_id: uuid,
    oss_user_id: z.string(),
    email: z.string(),
    into: chatUserSnapshotSchema,
  }),
  /** A data subject's personal data was erased: their keys destroyed. Names who and why, nothing personal. */
  ChatUserErased: z.object({
    chat_user_id: uuid,
    /** The user and every chat user merged into it: the same person's data. */
    erased_chat_user_ids: z.array(uuid).min(1),
    erased_by: actorSchema,
    reason: erasureReason,
    /** A ticket or case number, never free text about the person. */
    reference: z.string().nullable(),
  }),
} as const;

export const ossIdentityEventSchemas = {
  OssIdentityClaimed: z.object({
    oss_user_id: z.string(),
    chat_user_id: uuid,
    email: z.string(),
  }),
  OssIdentityReleased: z.object({
    oss_user_id: z.string(),
    chat_user_id: uuid,
  }),
} as const;

/** The version each type is written with today; older versions are upcast where events are read. */
export const chatUserEventVersions = {
  ChatUserRegistered: 1,
  ChatUserLinkedToOssUser: 1,
  ChatUserMergedInto: 1,
  ChatUserErased: 1,
  OssIdentityClaimed: 1,
  OssIdentityReleased: 1,
} as const;

export type ChatUserEvent = EventsOf<typeof chatUserEventSchemas>;
export type ChatUserFact = FactOf<ChatUserEvent>;
export type OssIdentityEvent = EventsOf<typeof ossIdentityEventSchemas>;
export type OssIdentityFact = FactOf<OssIdentityEvent>;
