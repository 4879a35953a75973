import type { Decider } from "../decider";
import { decideAutoAssign, decideClaim, decideTransfer } from "./assignment";
import {
  type Closer,
  decideClose,
  decideMarkRead,
  decidePostMessage,
  decideRate,
  type Participant,
  type PostMessage,
} from "./conversation";
import type { ChatSessionEvent, ChatSessionFact } from "./events";
import { type AddNote, decideAddNote, decideSetLabels } from "./notesAndLabels";
import { decideSetContact, decideStart, type SetContact, type StartChatSession } from "./opening";
import { type AgentRef, type ChatSessionState, evolveChatSession, initialChatSession } from "./state";

/** What can be asked of a chat session: every command of its stream, one rule each. */
export type ChatSessionCommand =
  | ({ readonly type: "StartChatSession" } & StartChatSession)
  | ({ readonly type: "SetContact" } & SetContact)
  | ({ readonly type: "PostMessage" } & PostMessage)
  | { readonly type: "CloseSession"; readonly by: Closer }
  | { readonly type: "RateSession"; readonly score: number; readonly comment: string | null }
  | { readonly type: "MarkRead"; readonly reader: Participant; readonly upToSeq: number }
  | {
      readonly type: "ClaimSession";
      readonly agent: AgentRef;
      /** The agent's active chats now, and MAX_CHATS_PER_AGENT. */
      readonly activeChats: number;
      readonly maxChats: number;
    }
  | {
      readonly type: "TransferSession";
      readonly by: AgentRef;
      readonly to: AgentRef;
      /** Whether the agent's own stream says it is available. */
      readonly toAvailable: boolean;
    }
  | { readonly type: "AutoAssignSession"; readonly agent: AgentRef }
  | ({ readonly type: "AddNote" } & AddNote)
  | { readonly type: "SetLabels"; readonly labels: readonly string[] };

export function decideChatSession(command: ChatSessionCommand, state: ChatSessionState): ChatSessionEvent[] {
  switch (command.type) {
    case "StartChatSession":
      return decideStart(command, state);
    case "SetContact":
      return decideSetContact(command, state);
    case "PostMessage":
      return decidePostMessage(command, state);
    case "CloseSession":
      return decideClose(command, state);
    case "RateSession":
      return decideRate(command, state);
    case "MarkRead":
      return decideMarkRead(command, state);
    case "ClaimSession":
      return decideClaim(command, state);
    case "TransferSession":
      return decideTransfer(command, state);
    case "AutoAssignSession":
      return decideAutoAssign(command, state);
    case "AddNote":
      return decideAddNote(command, state);
    case "SetLabels":
      return decideSetLabels(command, state);
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled chat session command ${JSON.stringify(unhandled)}`);
    }
  }
}

export const chatSessionDecider: Decider<
  ChatSessionState,
  ChatSessionCommand,
  ChatSessionEvent,
  ChatSessionFact
> = {
  initialState: initialChatSession,
  evolve: evolveChatSession,
  decide: decideChatSession,
};
