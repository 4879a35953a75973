import { z } from "zod";
import { uuidField } from "../../commands/fields";

const MAX_BODY = 4000;
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
  .refine((s) => s.isWellFormed(), "must be well-formed Unicode");

export const postMessageBody = z.object({
  client_message_id: uuidField.optional(),
  body: messageBody,
});

export const visitorPostMessageBody = postMessageBody.extend({ session_id: uuidField });

export const messagesQuery = z.object({
  id: uuidField,
  after_seq: z.coerce.number("must be a number").int().min(0).default(0),
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
    .nullish(),
});

export const readBody = z.object({
  up_to_seq: z.number("must be a whole number").int().min(0).max(2_000_000_000),
});

export const transferBody = z.object({ to_agent_id: uuidField });

export const agentStatusBody = z.object({
  status: z.enum(["available", "away"], "must be available or away"),
});

const minPosition = z.coerce.number("must be a number").int().min(0).optional();

export const agentSessionsQuery = z.object({
  status: z.enum(["waiting", "active", "closed"], "must be waiting, active or closed").default("active"),
  min_position: minPosition,
});

export const queueQuery = z.object({ min_position: minPosition });
