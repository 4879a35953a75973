import { ConflictError } from "../errors";
import { startedOrNotFound } from "./conversation";
import type { ChatSessionEvent } from "./events";
import type { AgentRef, ChatSessionState } from "./state";

function assigned(
  sessionId: string,
  agent: AgentRef,
  reason: "claim" | "transfer" | "auto",
  from: string | null,
): ChatSessionEvent {
  return {
    type: "ChatSessionAssigned",
    data: { session_id: sessionId, agent_id: agent.id, agent_name: agent.name, reason, from_agent_id: from },
  };
}

/**
 * An agent takes a waiting session; claiming one's own again changes nothing; another's is taken (409), and so
 * is one more chat for an agent who already holds `maxChats` active ones (MAX_CHATS_PER_AGENT).
 */
export function decideClaim(
  command: { readonly agent: AgentRef; readonly activeChats: number; readonly maxChats: number },
  state: ChatSessionState,
): ChatSessionEvent[] {
  const session = startedOrNotFound(state);
  if (session.phase === "closed") throw new ConflictError("Chat session is closed");
  if (session.assignee?.id === command.agent.id) return [];
  if (session.assignee !== null) throw new ConflictError("Chat session is held by another agent");
  if (command.activeChats >= command.maxChats) throw new ConflictError(AT_CAPACITY);
  return [assigned(session.sessionId, command.agent, "claim", null)];
}

const AT_CAPACITY = "The agent already holds as many active chats as allowed";

/** The agent holding a session hands it to another agent who is available (not away). */
export function decideTransfer(
  command: { readonly by: AgentRef; readonly to: AgentRef; readonly toAvailable: boolean },
  state: ChatSessionState,
): ChatSessionEvent[] {
  const session = startedOrNotFound(state);
  if (session.phase === "closed") throw new ConflictError("Chat session is closed");
  if (session.assignee?.id !== command.by.id) {
    throw new ConflictError("Only the agent assigned to this chat may transfer it");
  }
  if (command.to.id === command.by.id) return [];
  if (!command.toAvailable) throw new ConflictError("The agent to transfer to is away");
  return [assigned(session.sessionId, command.to, "transfer", command.by.id)];
}

/** Auto-routing gives a session that is still waiting to an agent; one taken meanwhile is left alone. */
export function decideAutoAssign(
  command: { readonly agent: AgentRef },
  state: ChatSessionState,
): ChatSessionEvent[] {
  if (state.status === "none" || state.phase !== "waiting") return [];
  return [assigned(state.sessionId, command.agent, "auto", null)];
}
