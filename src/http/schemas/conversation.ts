import { z } from "zod";
import { uuidField } from "../../commands/fields";

const MAX_BODY = 4000;
/** hasControlCharacters as a JSON Schema pattern (what the OpenAPI document says), and that, not blank. */
const NO_CONTROL = "[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*";
const NO_CONTROL_PATTERN = `^${NO_CONTROL}$`;
const MESSAGE_PATTERN = `^(?=[\\s\\S]*\\S)${NO_CONTROL}$`;
/** Control characters (C0, DEL, C1) other than tab, line feed and carriage return: no place in a chat message. */
export function hasControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** A message body: 1 to 4000 characters (code points) of text, not blank, no control characters. */
export const messageBody = z
  .string("must be a string")
  .refine((s) => s.trim().length > 0, "is required")
  .superRefine((s, ctx) => {
    if ([...s].length > MAX_BODY) {
      ctx.addIssue({ code: "too_big", origin: "string", maximum: MAX_BODY, inclusive: true, input: s });
    }
  })
  .refine((s) => !hasControlCharacters(s), "must not contain control characters")
  .refine((s) => s.isWellFormed(), "must be well-formed Unicode")
  .meta({ minLength: 1, maxLength: MAX_BODY, pattern: MESSAGE_PATTERN });

export const postMessageBody = z.object({
  client_message_id: uuidField.optional(),
  body: messageBody,
});

export const visitorPostMessageBody = postMessageBody.extend({ session_id: uuidField });

/** The largest message seq: the read tables keep seqs in 32-bit integer columns. */
export const MAX_SEQ = 2_147_483_647;

export const messagesQuery = z.object({
  id: uuidField,
  after_seq: z.coerce.number("must be a number").int().min(0).max(MAX_SEQ).default(0),
  limit: z.coerce.number("must be a number").int().min(1).max(200).default(50),
  min_position: z.coerce.number("must be a number").int().min(0).optional(),
});

export const sessionIdParam = z.object({ id: uuidField });

export const ratingBody = z.object({
  score: z.number("must be a whole number from 1 to 5").int().min(1).max(5),
  comment: z
    .string("must be a string")
    .max(1000, "must be at most 1000 characters")
    .refine((s) => !hasControlCharacters(s), "must not contain control characters")
    .refine((s) => s.isWellFormed(), "must be well-formed Unicode")
    .meta({ pattern: NO_CONTROL_PATTERN })
    .nullish(),
});

export const readBody = z.object({
  up_to_seq: z.number("must be a whole number").int().min(0).max(MAX_SEQ),
});

export const transferBody = z.object({ to_agent_id: uuidField });

export const agentStatusBody = z.object({
  status: z.enum(["available", "away"], "must be available or away"),
});

/** A session label: 1–32 of a-z, 0-9 and -. */
export const label = z
  .string("must be a string")
  .regex(/^[a-z0-9-]{1,32}$/, "must be 1–32 characters of a-z, 0-9 or -");
const sessionLabelQuery = { label: label.optional() };

const minPosition = z.coerce.number("must be a number").int().min(0).optional();

export const agentSessionsQuery = z.object({
  status: z.enum(["waiting", "active", "closed"], "must be waiting, active or closed").default("active"),
  q: z
    .string("must be a string")
    .trim()
    .min(1, "must not be blank")
    .max(200, "must be at most 200 characters")
    .refine((s) => !hasControlCharacters(s), "must not contain control characters")
    .optional()
    .describe("Only sessions whose topic contains this, in any case"),
  limit: z.coerce.number("must be a number").int().min(1).max(500).default(500),
  min_position: minPosition,
  ...sessionLabelQuery,
});

export const queueQuery = z.object({ min_position: minPosition, ...sessionLabelQuery });

// What the conversation endpoints answer; the OpenAPI document and its tests are generated from these.
const uuidOut = z.string().describe("UUID");
const isoOut = z.string().describe("ISO 8601 UTC instant");
const positionOut = z
  .number()
  .int()
  .describe("Log position of the write: pass it as min_position to read it");
const agentRef = z.object({ id: uuidOut, name: z.string() });

export const postMessageResponse = z.object({
  message_id: uuidOut,
  session_id: uuidOut,
  seq: z.number().int().min(1),
  created_at: isoOut,
  position: positionOut,
});

export const messagesResponse = z.object({
  messages: z.array(
    z.object({
      message_id: uuidOut,
      seq: z.number().int().min(1),
      author_kind: z.enum(["visitor", "agent", "system"]),
      author_name: z.string().nullable(),
      body: z.string().describe("Plain text: show it as text, never as HTML"),
      created_at: isoOut,
    }),
  ),
  next_after_seq: z.number().int().describe("Pass as after_seq to read on"),
});

export const closedResponse = z.object({ status: z.literal("closed"), position: positionOut });

export const ratedResponse = z.object({
  session_id: uuidOut,
  score: z.number().int(),
  comment: z.string().nullable(),
  position: positionOut,
});

export const readResponse = z.object({
  session_id: uuidOut,
  up_to_seq: z.number().int(),
  position: positionOut.nullable(),
});

export const assignedResponse = z.object({
  session_id: uuidOut,
  status: z.literal("active"),
  assigned_agent: agentRef,
  position: positionOut,
});

export const queueResponse = z.object({
  sessions: z.array(
    z.object({
      session_id: uuidOut,
      topic: z.string(),
      priority: z.enum(["low", "normal", "high", "urgent"]),
      created_at: isoOut,
    }),
  ),
});

export const agentSessionsResponse = z.object({
  sessions: z.array(
    z.object({
      session_id: uuidOut,
      topic: z.string(),
      priority: z.enum(["low", "normal", "high", "urgent"]),
      status: z.string(),
      created_at: isoOut,
      last_message_at: isoOut.nullable(),
      unread_for_agent: z.number().int(),
      labels: z.array(z.string()).describe("Agent-only labels"),
      contact_name: z.string().nullable().describe("The session's contact, once the visitor gave one"),
      last_seq: z.number().int().describe("The seq of the last message: subscribe after it for live ones"),
      last_message: z
        .object({
          body: z.string().describe("Plain text: show it as text, never as HTML"),
          author_kind: z.enum(["visitor", "agent", "system"]),
          created_at: isoOut,
        })
        .nullable(),
      closed_at: isoOut.nullable(),
    }),
  ),
});

export const agentStatusResponse = z.object({
  agent_id: uuidOut,
  status: z.enum(["available", "away"]),
  position: positionOut.nullable(),
});

/** Session detail fields the conversation adds. */
export const conversationDetail = {
  assigned_agent: agentRef.nullable(),
  last_message_at: isoOut.nullable(),
  unread_for_visitor: z.number().int(),
};
