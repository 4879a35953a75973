import type { Decider } from "../decider";
import type { AgentEvent, AgentFact } from "./events";
import { type AgentAvailability, type AgentRef, type AgentState, evolveAgent, initialAgent } from "./state";

/** What can be asked of an agent's stream. */
export type AgentCommand = {
  readonly type: "SetAgentStatus";
  readonly agent: AgentRef;
  readonly status: AgentAvailability;
};

/** Setting the status an agent already has changes nothing. */
export function decideAgentStatus(
  command: { readonly agent: AgentRef; readonly status: AgentAvailability },
  state: AgentState,
): AgentEvent[] {
  if (state.status === command.status) return [];
  return [
    {
      type: "AgentStatusChanged",
      data: { agent_id: command.agent.id, agent_name: command.agent.name, status: command.status },
    },
  ];
}

export function decideAgent(command: AgentCommand, state: AgentState): AgentEvent[] {
  switch (command.type) {
    case "SetAgentStatus":
      return decideAgentStatus(command, state);
    default: {
      const unhandled: never = command.type;
      throw new Error(`unhandled agent command ${JSON.stringify(unhandled)}`);
    }
  }
}

export const agentDecider: Decider<AgentState, AgentCommand, AgentEvent, AgentFact> = {
  initialState: initialAgent,
  evolve: evolveAgent,
  decide: decideAgent,
};
