import type { DomainEvent, EventData, Fact } from "../events/chatEvents";
import { ConflictError, NotFoundError } from "./errors";
import { noRecentMessages, type RecentMessages, rememberMessage } from "./recentMessages";

export type ContactDetails = Omit<EventData<"ChatSessionContactUpdated">, "session_id">;

export interface AgentRef {
  readonly id: string;
  readonly name: string;
}

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

function contactOf(data: ContactDetails): ContactDetails {
  return {
    contact_name: data.contact_name,
    contact_email: data.contact_email,
    contact_phone: data.contact_phone,
    position: data.position,
    company_name: data.company_name,
  };
}

export function evolveChatSession(state: ChatSessionState, event: Fact): ChatSessionState {
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
    case "AgentStatusChanged":
    case "ChatUserRegistered":
    case "ChatUserLinkedToOssUser":
    case "ChatUserMergedInto":
    case "OssIdentityClaimed":
    case "OssIdentityReleased":
    case "ChatUserErased":
    case "RetentionApplied":
    case "ChatNoteAdded":
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

export type StartChatSession = {
  readonly sessionId: string;
  readonly chatUserId: string;
  readonly topic: string;
  readonly priority: "low" | "normal" | "high" | "urgent";
  readonly channel: string;
};

export function decideStart(command: StartChatSession, state: ChatSessionState): DomainEvent[] {
  if (state.status !== "none") throw new ConflictError("A chat session with this id exists already");
  return [
    {
      type: "ChatSessionStarted",
      data: {
        session_id: command.sessionId,
        chat_user_id: command.chatUserId,
        topic: command.topic,
        priority: command.priority,
        channel: command.channel,
      },
    },
  ];
}

export type SetContact = { readonly contactId: string; readonly contact: ContactDetails };

function sameContact(a: ContactDetails, b: ContactDetails): boolean {
  return (
    a.contact_name === b.contact_name &&
    a.contact_email === b.contact_email &&
    a.contact_phone === b.contact_phone &&
    a.position === b.position &&
    a.company_name === b.company_name
  );
}

/** One contact per session: the first sets it, later ones update it, an identical one changes nothing. */
export function decideSetContact(command: SetContact, state: ChatSessionState): DomainEvent[] {
  if (state.status === "none") throw new NotFoundError("Chat session not found");
  const contact = contactOf(command.contact);
  if (state.contact === null) {
    return [
      {
        type: "ChatSessionContactSet",
        data: { session_id: state.sessionId, contact_id: command.contactId, ...contact },
      },
    ];
  }
  if (sameContact(state.contact, contact)) return [];
  return [{ type: "ChatSessionContactUpdated", data: { session_id: state.sessionId, ...contact } }];
}
