import type { EventType } from "../events/chatEvents";

/**
 * The one place that decides what a visitor may see of the agents' workspace. Every visitor surface asks here:
 * the visitor HTTP endpoints (which read no workspace table and no agent-only column), the real-time hub
 * (frames per socket side), webhook payloads (event types offered) and the data subject's self export.
 */
export type Audience = "visitor" | "agent";

/** Events only agents see: private notes, labels, canned responses. */
const AGENT_ONLY_EVENTS: ReadonlySet<string> = new Set<EventType>([
  "ChatNoteAdded",
  "ChatLabelsSet",
  "CannedResponseSaved",
  "CannedResponseDeleted",
]);

/** Read tables only agents read. */
export const agentOnlyTables: readonly string[] = ["chat_notes", "canned_responses", "search_documents"];

/** Columns of chat_sessions only agents see. */
export const agentOnlySessionColumns: readonly string[] = ["labels"];

/** Whether an event (by type) may reach this audience. */
export function eventVisibleTo(audience: Audience, eventType: string): boolean {
  return audience === "agent" || !AGENT_ONLY_EVENTS.has(eventType);
}

/** Whether a message-list entry of this author kind may reach this audience (a note: agents only). */
export function authorKindVisibleTo(audience: Audience, authorKind: string): boolean {
  return audience === "agent" || authorKind !== "note";
}

/** A session row as this audience may see it: a visitor's copy has no agent-only columns. */
export function sessionRowFor<R extends object>(audience: Audience, row: R): Partial<R> {
  if (audience === "agent") return row;
  const copy = { ...row } as Record<string, unknown>;
  for (const column of agentOnlySessionColumns) delete copy[column];
  return copy as Partial<R>;
}
