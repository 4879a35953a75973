import type { AgentRef } from "../agent/state";
import type { ChatSessionEvent, ChatSessionFact } from "./events";
import { noRecentMessages, type RecentMessages, rememberMessage } from "./recentMessages";

export type ContactDetails = Omit<
  Extract<ChatSessionEvent, { type: "ChatSessionContactUpdated" }>["data"],
  "session_id"
>;

export type { AgentRef };

/** Where a conversation stands: waiting (open, no agent), active (an agent holds it), closed. */
export type ConversationPhase = "waiting" | "active" | "closed";

export type StartedChatSession = {
  readonly status: "started";
  readonly sessionId: string;
  readonly chatUserId: string;
  readonly contact: ContactDetails | null;
  readonly phase: ConversationPhase;
  readonly assignee: AgentRef | null;
  /** The seq of the last message: the next one takes lastSeq + 1. */
  readonly lastSeq: number;
  readonly visitorReadSeq: number;
  readonly agentReadSeq: number;
  readonly recent: RecentMessages;
  /** The labels agents gave it (agents only). */
  readonly labels: readonly string[];
};

export type ChatSessionState = { readonly status: "none" } | StartedChatSession;

export const initialChatSession: ChatSessionState = { status: "none" };

export function contactOf(data: ContactDetails): ContactDetails {
  return {
    contact_name: data.contact_name,
    contact_email: data.contact_email,
    contact_phone: data.contact_phone,
    position: data.position,
    company_name: data.company_name,
  };
}

export function evolveChatSession(state: ChatSessionState, event: ChatSessionFact): ChatSessionState {
  switch (event.type) {
    case "ChatSessionStarted":
      return {
        status: "started",
        sessionId: event.data.session_id,
        chatUserId: event.data.chat_user_id,
        contact: null,
        phase: "waiting",
        assignee: null,
        lastSeq: 0,
        visitorReadSeq: 0,
        agentReadSeq: 0,
        recent: noRecentMessages,
        labels: [],
      };
    case "ChatSessionContactSet":
    case "ChatSessionContactUpdated":
      return state.status === "started" ? { ...state, contact: contactOf(event.data) } : state;
    case "ChatMessagePosted": {
      if (state.status !== "started") return state;
      const d = event.data;
      const posted = { messageId: d.message_id, seq: d.seq, createdAt: event.occurredAt };
      return {
        ...state,
        lastSeq: d.seq,
        recent:
          d.client_message_id === null
            ? state.recent
            : rememberMessage(state.recent, d.client_message_id, posted),
      };
    }
    case "ChatSessionAssigned":
      if (state.status !== "started") return state;
      return {
        ...state,
        phase: "active",
        assignee: { id: event.data.agent_id, name: event.data.agent_name },
      };
    case "ChatSessionClosed":
      return state.status === "started" ? { ...state, phase: "closed" } : state;
    case "ChatMessagesRead":
      if (state.status !== "started") return state;
      return event.data.reader_kind === "visitor"
        ? { ...state, visitorReadSeq: event.data.up_to_seq }
        : { ...state, agentReadSeq: event.data.up_to_seq };
    case "ChatLabelsSet":
      return state.status === "started" ? { ...state, labels: event.data.labels } : state;
    case "ChatSessionRated":
    case "ChatNoteAdded":
      return state;
    default: {
      // Every event of the session's stream is handled above; anything else read from it changes nothing.
      const _unhandled: never = event;
      return state;
    }
  }
}
