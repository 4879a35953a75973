import type { DomainEvent } from "../events/chatEvents";
import type { RequestContext } from "../events/metadata";
import type { AgentRef, ChatSessionState } from "./chatSession";
import { startedOrNotFound } from "./conversation";
import { type ConversationDeps, changeSession } from "./sessionCommand";

/** A private note follows the session's last message; any status, any agent (one team until teams exist). */
export function decideAddNote(
  command: { readonly noteId: string; readonly author: AgentRef; readonly body: string },
  state: ChatSessionState,
): DomainEvent[] {
  const session = startedOrNotFound(state);
  return [
    {
      type: "ChatNoteAdded",
      data: {
        session_id: session.sessionId,
        note_id: command.noteId,
        after_seq: session.lastSeq,
        author_id: command.author.id,
        author_name: command.author.name,
        body: command.body,
      },
    },
  ];
}

/** The labels as a set: each once, sorted, so the same set given in another order changes nothing. */
export function labelSet(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort();
}

/** Replaces the session's labels; the same set again appends nothing. */
export function decideSetLabels(command: { readonly labels: readonly string[] }, state: ChatSessionState) {
  const session = startedOrNotFound(state);
  const labels = labelSet(command.labels);
  if (labels.join(",") === labelSet(session.labels).join(",")) return [];
  return [{ type: "ChatLabelsSet", data: { session_id: session.sessionId, labels } }] satisfies DomainEvent[];
}

export async function addNote(
  deps: ConversationDeps,
  sessionId: string,
  author: AgentRef,
  body: string,
  ctx: RequestContext,
) {
  const noteId = deps.newId();
  const change = await changeSession(deps, sessionId, ctx, (s) => decideAddNote({ noteId, author, body }, s));
  return { note_id: noteId, created_at: change.at, position: change.position };
}

export async function setLabels(
  deps: ConversationDeps,
  sessionId: string,
  labels: readonly string[],
  ctx: RequestContext,
) {
  const change = await changeSession(deps, sessionId, ctx, (s) => decideSetLabels({ labels }, s));
  return { session_id: sessionId, labels: labelSet(labels), position: change.position };
}
