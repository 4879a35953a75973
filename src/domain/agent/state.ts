import type { AgentFact } from "./events";

export type AgentAvailability = "available" | "away";

/** An agent as sessions name it: its key id and display name. */
export interface AgentRef {
  readonly id: string;
  readonly name: string;
}

/** An agent's stream: whether it takes chats. An agent that never said so is away. */
export type AgentState = { readonly status: "none" } | { readonly status: AgentAvailability };

export const initialAgent: AgentState = { status: "none" };

export function evolveAgent(state: AgentState, event: AgentFact): AgentState {
  switch (event.type) {
    case "AgentStatusChanged":
      return { status: event.data.status };
    default: {
      // Every event of the agent's stream is handled above; anything else read from it changes nothing.
      const _unhandled: never = event.type;
      return state;
    }
  }
}
