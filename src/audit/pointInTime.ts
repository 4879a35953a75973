import type { Fact } from "../events/chatEvents";
import { upcast } from "../events/upcasters";
import type { EventLog, LogPosition } from "../eventstore/eventStore";
import { foldFacts } from "../projections/memoryTables";
import { type AuditEvent, closure, mergesIn, readAuditEvents } from "./auditLog";

/** As of when: a time (events recorded at or before it) or a global position (that event and all before it in the log). */
export type AsOf = { readonly time: Date } | { readonly position: number };

export class UnknownPositionError extends Error {
  constructor(readonly position: number) {
    super(`No event at position ${position}`);
    this.name = "UnknownPositionError";
  }
}

async function cutoff(log: EventLog, asOf: AsOf): Promise<{ upTo?: LogPosition; upToTime?: Date }> {
  if ("time" in asOf) return { upToTime: asOf.time };
  const event = await log.readAt(BigInt(asOf.position));
  if (!event) throw new UnknownPositionError(asOf.position);
  return { upTo: event.logPosition };
}

function toFact(e: AuditEvent): Fact {
  return {
    ...upcast(e.type, e.schema_version, e.data),
    occurredAt: String(e.metadata.occurred_at),
    actor: e.metadata.actor,
  } as Fact;
}

/** Chat users whose events shape the given ones' rows: the users themselves and those they were merged into. */
async function mergeTargets(log: EventLog, ids: string[]): Promise<string[]> {
  return closure(ids, await mergesIn(log), "into");
}

async function foldOwners(log: EventLog, ownerIds: string[], asOf: AsOf) {
  const range = await cutoff(log, asOf);
  const facts: Fact[] = [];
  let events = 0;
  for await (const page of readAuditEvents(log, { kind: "owners", ownerIds }, range)) {
    for (const e of page) facts.push(toFact(e));
    events += page.length;
  }
  return { tables: foldFacts(facts), events };
}

/** A chat session as it was: its row, its contact, its chat user and its transcript, or null if it did not exist yet. */
export async function sessionAsOf(log: EventLog, sessionId: string, asOf: AsOf) {
  const [first] = await log.readStream(`chatSession-${sessionId}`);
  if (first?.type !== "ChatSessionStarted") return null;
  const owners = await mergeTargets(log, [first.data.chat_user_id]);
  const { tables, events } = await foldOwners(log, owners, asOf);
  const session = tables.chat_sessions.find((s) => s.id === sessionId);
  if (!session) return null;
  return {
    events_folded: events,
    session,
    contact: tables.chat_session_contacts.find((c) => c.session_id === sessionId) ?? null,
    chat_user: tables.chat_users.find((u) => u.id === session.chat_user_id) ?? null,
    messages: tables.chat_messages
      .filter((m) => m.session_id === sessionId)
      .sort((a, b) => Number(a.seq) - Number(b.seq)),
  };
}

/** A chat user as it was, with the sessions it had then (its own and those of users merged into it). */
export async function chatUserAsOf(log: EventLog, chatUserId: string, merged: string[], asOf: AsOf) {
  const owners = await mergeTargets(log, merged);
  const { tables, events } = await foldOwners(log, owners, asOf);
  const user = tables.chat_users.find((u) => u.id === chatUserId);
  if (!user) return null;
  const sessions = tables.chat_sessions.filter((s) => s.chat_user_id === chatUserId);
  return {
    events_folded: events,
    chat_user: user,
    sessions: sessions.map((s) => ({
      ...s,
      contact: tables.chat_session_contacts.find((c) => c.session_id === s.id) ?? null,
    })),
  };
}
