import { z } from "zod";
import { uuidField } from "../../commands/fields";
import { hasControlCharacters, label, messageBody } from "./conversation";

const SHORTCUT = /^[a-z0-9_-]{2,32}$/;

const text = (max: number) =>
  z
    .string("must be a string")
    .refine((s) => s.trim().length > 0, "is required")
    .refine((s) => [...s].length <= max, `must be at most ${max} characters`)
    .refine((s) => !hasControlCharacters(s.replace(/[\n\r\t]/g, "")), "must not contain control characters")
    .refine((s) => s.isWellFormed(), "must be well-formed Unicode");

const shortcut = z.string("must be a string").regex(SHORTCUT, "must be 2–32 characters of a-z, 0-9, _ or -");
/** Teams do not exist yet (issue 21): a team id is kept on a canned response and accepted as a filter. */
const teamId = z.string("must be a string").min(1).max(64);
const language = z.enum(["id", "en"], "must be id or en");

export const noteBody = z.object({ body: messageBody });
export const labelsBody = z.object({
  labels: z.array(label, "must be an array").max(10, "must be at most 10"),
});

export const cannedCreateBody = z.object({
  shortcut,
  title: text(200),
  body: text(4000),
  team_id: teamId.nullish(),
  language: language.nullish(),
  scope: z.enum(["personal", "shared"], "must be personal or shared"),
});
export const cannedUpdateBody = z.object({
  shortcut: shortcut.optional(),
  title: text(200).optional(),
  body: text(4000).optional(),
  team_id: teamId.nullish(),
  language: language.nullish(),
});
export const cannedListQuery = z.object({
  q: z.string("must be a string").max(200).optional(),
  team_id: teamId.optional(),
});
export const cannedIdParam = z.object({ id: uuidField });
export const renderParams = z.object({ id: uuidField, cid: uuidField });

const isoDate = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" });
export const searchQuery = z.object({
  q: z.string("must be a string").trim().min(1, "is required").max(200),
  status: z.enum(["waiting", "active", "closed"], "must be waiting, active or closed").optional(),
  label: label.optional(),
  team_id: teamId.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number("must be a number").int().min(1).max(50).default(20),
  cursor: z.string().max(500).optional(),
});

// Answers.
const uuidOut = z.string().describe("UUID");
const isoOut = z.string().describe("ISO 8601 UTC instant");
const positionOut = z
  .number()
  .int()
  .describe("Log position of the write: pass it as min_position to read it");

export const noteResponse = z.object({
  note_id: uuidOut,
  created_at: isoOut,
  position: positionOut,
});
export const labelsResponse = z.object({
  session_id: uuidOut,
  labels: z.array(z.string()),
  position: positionOut,
});
export const labelCountsResponse = z.object({
  labels: z.array(z.object({ label: z.string(), count: z.number().int() })),
});
export const cannedResponseView = z.object({
  id: uuidOut,
  scope: z.enum(["personal", "shared"]),
  owner_agent_id: z.string().nullable(),
  shortcut: z.string(),
  title: z.string(),
  body: z.string().describe("Plain text with {{variables}}"),
  team_id: z.string().nullable(),
  language: z.enum(["id", "en"]).nullable(),
});
export const cannedSavedResponse = cannedResponseView.extend({ position: positionOut });
export const cannedListResponse = z.object({
  canned_responses: z.array(cannedResponseView.extend({ created_at: isoOut, updated_at: isoOut })),
});
export const renderResponse = z.object({
  canned_response_id: uuidOut,
  session_id: uuidOut,
  text: z
    .string()
    .describe("The body with the session's values filled in; unknown variables stay as written"),
  unresolved: z.array(z.string()).describe("Variables left as written"),
});
export const searchResponse = z.object({
  results: z.array(
    z.object({
      session_id: uuidOut,
      topic: z.string(),
      status: z.string(),
      team: z.string().nullable().describe("Always null until teams exist (issue 21)"),
      contact_name: z.string().nullable(),
      last_message_at: isoOut.nullable(),
      snippet: z.string().describe("Plain text, never HTML"),
      matches: z.array(
        z.object({
          field: z
            .string()
            .describe(
              "message, note, topic, contact_name, contact_email, contact_phone, company_name or labels",
            ),
          start: z.number().int().describe("Offset in snippet (UTF-16 code units)"),
          end: z.number().int(),
        }),
      ),
      seq: z.number().int().nullable().describe("The matching message's seq (a note: the seq it follows)"),
      score: z.number(),
    }),
  ),
  next_cursor: z.string().nullable(),
});
export const agentMessagesResponse = z.object({
  messages: z.array(
    z.object({
      message_id: uuidOut,
      seq: z.number().int().min(0).describe("A note's seq is the message it follows"),
      author_kind: z.enum(["visitor", "agent", "system", "note"]),
      author_name: z.string().nullable(),
      body: z.string().describe("Plain text: show it as text, never as HTML"),
      created_at: isoOut,
    }),
  ),
  next_after_seq: z.number().int().describe("Pass as after_seq to read on"),
});
