import type { DomainEvent, Fact } from "../events/chatEvents";
import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import type { AgentRef } from "./chatSession";
import type { CommandDeps } from "./deps";
import { appendDecided, loadStream, retryOnConflict } from "./handler";

export type AgentAvailability = "available" | "away";

/** An agent's stream: whether it takes chats. An agent that never said so is away. */
export type AgentState = { readonly status: "none" } | { readonly status: AgentAvailability };

export const initialAgent: AgentState = { status: "none" };

export function evolveAgent(state: AgentState, event: Fact): AgentState {
  switch (event.type) {
    case "AgentStatusChanged":
      return { status: event.data.status };
    case "ChatUserRegistered":
    case "ChatUserLinkedToOssUser":
    case "ChatUserMergedInto":
    case "OssIdentityClaimed":
    case "OssIdentityReleased":
    case "ChatSessionStarted":
    case "ChatSessionContactSet":
    case "ChatSessionContactUpdated":
    case "ChatMessagePosted":
    case "ChatSessionAssigned":
    case "ChatSessionClosed":
    case "ChatSessionRated":
    case "ChatMessagesRead":
    case "ChatUserErased":
    case "RetentionApplied":
    case "ChatNoteAdded":
    case "ChatLabelsSet":
    case "CannedResponseSaved":
    case "CannedResponseDeleted":
    case "LogReencrypted":
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

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

export async function setAgentStatus(
  deps: CommandDeps,
  agent: AgentRef,
  status: AgentAvailability,
  ctx: RequestContext,
) {
  const stream = streams.agent(agent.id);
  return retryOnConflict(async () => {
    const loaded = await loadStream(deps.store, stream, evolveAgent, initialAgent);
    const events = decideAgentStatus({ agent, status }, loaded.state);
    // The agent owns its stream: the bus keeps one agent's status changes in order.
    const position = await appendDecided(deps.store, stream, loaded, events, ctx, agent.id);
    return { agent_id: agent.id, status, position: Number(position) };
  });
}
