import type { DomainEvent, EventData, Fact } from "../events/chatEvents";
import { ConflictError, NotFoundError } from "./errors";

export type ContactDetails = Omit<EventData<"ChatSessionContactUpdated">, "session_id">;

export type ChatSessionState =
  | { readonly status: "none" }
  | {
      readonly status: "started";
      readonly sessionId: string;
      readonly chatUserId: string;
      readonly contact: ContactDetails | null;
    };

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
      };
    case "ChatSessionContactSet":
    case "ChatSessionContactUpdated":
      return state.status === "started" ? { ...state, contact: contactOf(event.data) } : state;
    case "ChatUserRegistered":
    case "ChatUserLinkedToOssUser":
    case "ChatUserMergedInto":
    case "OssIdentityClaimed":
    case "OssIdentityReleased":
    case "ChatUserErased":
    case "RetentionApplied":
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
