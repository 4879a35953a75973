import { z } from "zod";
import { uuidField } from "../../commands/fields";
import { isoTime, uuid } from "./common";
import { sessionDetailResponse, sessionView } from "./visitorSchemas";

/** What the console's read endpoints answer (the agent routes' other schemas are in conversation.ts). */
const agentRef = z.object({ id: uuid, name: z.string() });
const availability = z.enum(["available", "away"]);

export const agentsResponse = z.object({
  agents: z.array(
    z.object({
      agent_id: uuid,
      name: z.string(),
      status: availability.describe("away until the agent says otherwise"),
      active_chats: z.number().int().min(0),
    }),
  ),
});

export const ownStatusResponse = z.object({ agent_id: uuid, name: z.string(), status: availability });

const activityEntry = z.discriminatedUnion("kind", [
  z.object({
    kind: z.enum(["claimed", "transferred", "routed"]),
    at: isoTime,
    agent: agentRef,
    from_agent_id: uuid.nullable().describe("The agent who held it before a transfer"),
  }),
  z.object({ kind: z.literal("closed"), at: isoTime, by: z.enum(["visitor", "agent", "system"]) }),
  z.object({ kind: z.literal("rated"), at: isoTime, score: z.number().int().min(1).max(5) }),
]);

export const agentSessionDetailResponse = sessionDetailResponse.extend({
  last_seq: z.number().int(),
  visitor_read_seq: z.number().int().describe("The visitor's read receipt: messages up to this seq are read"),
  agent_read_seq: z.number().int(),
  closed_at: isoTime.nullable(),
  rating: z.object({ score: z.number().int(), comment: z.string().nullable() }).nullable(),
  activity: z.array(activityEntry).describe("Assignments, close and ratings, oldest first"),
});

export const userSessionsQuery = z.object({
  id: uuidField,
  limit: z.coerce.number("must be a number").int().min(1).max(100).default(20),
  offset: z.coerce.number("must be a number").int().min(0).max(1_000_000).default(0),
});

export const userSessionsResponse = z.object({
  sessions: z.array(
    sessionView.extend({
      assigned_agent: agentRef.nullable(),
      closed_at: isoTime.nullable(),
      last_seq: z.number().int(),
    }),
  ),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
