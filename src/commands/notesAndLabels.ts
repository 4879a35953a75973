import { labelSet } from "../domain/chatSession/notesAndLabels";
import type { AgentRef } from "../domain/chatSession/state";
import type { RequestContext } from "../events/metadata";
import { anySessionAccess } from "./sessionAccess";
import { type ConversationDeps, changeSession } from "./sessionCommand";

/** Agents act on any session (one team until teams exist: issue 21). */
export async function addNote(
  deps: ConversationDeps,
  sessionId: string,
  author: AgentRef,
  body: string,
  ctx: RequestContext,
) {
  const noteId = deps.newId();
  const command = { type: "AddNote", noteId, author, body } as const;
  const change = await changeSession(deps, sessionId, ctx, command, anySessionAccess);
  return { note_id: noteId, created_at: change.at, position: change.position };
}

export async function setLabels(
  deps: ConversationDeps,
  sessionId: string,
  labels: readonly string[],
  ctx: RequestContext,
) {
  const change = await changeSession(deps, sessionId, ctx, { type: "SetLabels", labels }, anySessionAccess);
  return { session_id: sessionId, labels: labelSet(labels), position: change.position };
}
