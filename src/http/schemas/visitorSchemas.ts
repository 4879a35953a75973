import { z } from "zod";
import { isoTime, uuid } from "./common";
import { conversationDetail } from "./conversation";
import type { chatStartedBody, contactSetBody, userLinkedBody } from "./visitor";

/** What the widget's endpoints answer; the OpenAPI document and its tests are generated from these. */
const position = z.number().int().describe("Log position of the write: pass it as min_position to read it");

export const startChatResponse = z.object({
  session_id: uuid,
  chat_user_id: uuid,
  status: z.literal("waiting"),
  message: z.string(),
  requires_contact: z.boolean(),
  position,
});

export const setContactResponse = z.object({
  session_id: uuid,
  created: z.boolean(),
  message: z.string(),
  position,
});

export const linkUserResponse = z.object({
  chat_user_id: uuid,
  oss_user_id: z.string(),
  merged: z.boolean(),
  message: z.string(),
  position: position.nullable().describe("null when the browser was already linked (nothing was written)"),
});

const contactView = z.object({
  contact_name: z.string(),
  contact_email: z.string(),
  contact_phone: z.string().nullable(),
  position: z.string().nullable(),
  company_name: z.string().nullable(),
  created_at: isoTime,
  updated_at: isoTime,
});

export const sessionView = z.object({
  session_id: uuid,
  chat_user_id: uuid,
  topic: z.string(),
  priority: z.enum(["low", "normal", "high", "urgent"]),
  status: z.string(),
  channel: z.string(),
  contact: contactView.nullable(),
  created_at: isoTime,
  updated_at: isoTime,
});

export const historyResponse = z.object({
  sessions: z.array(sessionView),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const sessionDetailResponse = sessionView.extend({
  ...conversationDetail,
  chat_user: z.object({
    chat_user_id: uuid,
    browser_uuid: z.string().nullable(),
    oss_user_id: z.string().nullable(),
    email: z.string().nullable(),
    is_anonymous: z.boolean(),
    created_at: isoTime,
    updated_at: isoTime,
  }),
  labels: z
    .array(z.string())
    .optional()
    .describe("The session's labels: present for staff callers only (agent-only data)"),
});

// The answers the routes build must fit these schemas: a field added there and not here fails to compile.
// (Query answers type `priority` as a string; the test of real answers checks them against the enum.)
type Fits<Body, Schema extends z.ZodType> = Body extends z.output<Schema> ? true : never;
export const answersFitTheirSchemas: [
  Fits<ReturnType<typeof chatStartedBody>, typeof startChatResponse>,
  Fits<ReturnType<typeof contactSetBody>, typeof setContactResponse>,
  Fits<ReturnType<typeof userLinkedBody>, typeof linkUserResponse>,
] = [true, true, true];
