import { startedOrNotFound } from "./conversation";
import type { ChatSessionEvent } from "./events";
import type { AgentRef, ChatSessionState } from "./state";

export type AddNote = { readonly noteId: string; readonly author: AgentRef; readonly body: string };

/** A private note follows the session's last message; any status, any agent (one team until teams exist). */
export function decideAddNote(command: AddNote, state: ChatSessionState): ChatSessionEvent[] {
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
export function decideSetLabels(
  command: { readonly labels: readonly string[] },
  state: ChatSessionState,
): ChatSessionEvent[] {
  const session = startedOrNotFound(state);
  const labels = labelSet(command.labels);
  if (labels.join(",") === labelSet(session.labels).join(",")) return [];
  return [{ type: "ChatLabelsSet", data: { session_id: session.sessionId, labels } }];
}
