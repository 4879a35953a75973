import { z } from "zod";
import type { EventsOf, FactOf } from "../eventTypes";

// The events of an agent's stream (`agent-<agent_id>`).

export const agentEventSchemas = {
  AgentStatusChanged: z.object({
    agent_id: z.uuid(),
    agent_name: z.string(),
    status: z.enum(["available", "away"]),
  }),
} as const;

/** The version each type is written with today; older versions are upcast where events are read. */
export const agentEventVersions = { AgentStatusChanged: 1 } as const;

export type AgentEvent = EventsOf<typeof agentEventSchemas>;
export type AgentFact = FactOf<AgentEvent>;
