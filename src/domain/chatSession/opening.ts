import { ConflictError, NotFoundError } from "../errors";
import type { ChatSessionEvent } from "./events";
import { type ChatSessionState, type ContactDetails, contactOf } from "./state";

export type StartChatSession = {
  readonly sessionId: string;
  readonly chatUserId: string;
  readonly topic: string;
  readonly priority: "low" | "normal" | "high" | "urgent";
  readonly channel: string;
};

export function decideStart(command: StartChatSession, state: ChatSessionState): ChatSessionEvent[] {
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
export function decideSetContact(command: SetContact, state: ChatSessionState): ChatSessionEvent[] {
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
