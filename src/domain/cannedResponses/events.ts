import { z } from "zod";
import type { EventsOf, FactOf } from "../eventTypes";

// The events of a canned-response set's stream (`cannedResponses-shared`, `cannedResponses-<agent_id>`).

const scope = z.enum(["personal", "shared"]);

export const cannedResponseEventSchemas = {
  /** A canned response was created or changed. */
  CannedResponseSaved: z.object({
    canned_response_id: z.uuid(),
    scope,
    /** The agent a personal response belongs to; null for a shared one. */
    owner_agent_id: z.string().nullable(),
    shortcut: z.string(),
    title: z.string(),
    body: z.string(),
    team_id: z.string().nullable(),
    language: z.enum(["id", "en"]).nullable(),
  }),
  CannedResponseDeleted: z.object({
    canned_response_id: z.uuid(),
    scope,
    owner_agent_id: z.string().nullable(),
  }),
} as const;

export const cannedResponseEventVersions = {
  CannedResponseSaved: 1,
  CannedResponseDeleted: 1,
} as const;

export type CannedResponseEvent = EventsOf<typeof cannedResponseEventSchemas>;
export type CannedResponseFact = FactOf<CannedResponseEvent>;
