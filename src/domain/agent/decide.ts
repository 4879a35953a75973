import type { DomainEvent } from "../../events/chatEvents";
import type { AgentRef } from "../chatSession/state";
import type { AgentAvailability, AgentState } from "./state";

/** Setting the status an agent already has changes nothing. */
export function decideAgentStatus(
  command: { readonly agent: AgentRef; readonly status: AgentAvailability },
  state: AgentState,
): DomainEvent[] {
  if (state.status === command.status) return [];
  return [
    {
      type: "AgentStatusChanged",
      data: { agent_id: command.agent.id, agent_name: command.agent.name, status: command.status },
    },
  ];
}
