import type { Knex } from "knex";
import type { Fact } from "../events/chatEvents";
import { upcast } from "../events/upcasters";
import type { LogPosition } from "../eventstore/eventStore";
import { openEvents } from "../privacy/eventCipher";
import type { KeyStore } from "../privacy/keyStore";
import { foldFacts } from "../projections/memoryTables";
import { type AuditEvent, parseCursor, readAuditEvents } from "./auditLog";

/** As of when: a time (events recorded at or before it) or a global position (that event and all before it in the log). */
export type AsOf = { readonly time: Date } | { readonly position: number };

export class UnknownPositionError extends Error {
  constructor(readonly position: number) {
    super(`No event at position ${position}`);
    this.name = "UnknownPositionError";
  }
}

async function cutoff(knex: Knex, asOf: AsOf): Promise<{ upTo?: LogPosition; upToTime?: Date }> {
  if ("time" in asOf) return { upToTime: asOf.time };
  const row = await knex
    .table("events")
    .where("global_position", asOf.position)
    .first(knex.raw("transaction_id::text || '.' || global_position::text AS cursor"));
  const upTo = row ? parseCursor(row.cursor) : null;
  if (!upTo) throw new UnknownPositionError(asOf.position);
  return { upTo };
}

function toFact(e: AuditEvent): Fact {
  return {
    ...upcast(e.type, e.schema_version, e.data),
    occurredAt: String(e.metadata.occurred_at),
    actor: e.metadata.actor,
  } as Fact;
}

/** Chat users whose events shape the given ones' rows: the users themselves and those they were merged into. */
async function mergeTargets(knex: Knex, ids: string[]): Promise<string[]> {
  const result = await knex.raw(
    `WITH RECURSIVE targets(id) AS (
       SELECT unnest(string_to_array(?, ','))
       UNION
       SELECT e.data->>'into_chat_user_id' FROM events e JOIN targets t ON e.data->>'chat_user_id' = t.id
       WHERE e.event_type = 'ChatUserMergedInto'
     )
     SELECT id FROM targets`,
    [ids.join(",")],
  );
  return (result.rows as { id: string }[]).map((r) => r.id);
}

async function foldOwners(knex: Knex, keys: KeyStore, ownerIds: string[], asOf: AsOf) {
  const range = await cutoff(knex, asOf);
  const facts: Fact[] = [];
  let events = 0;
  for await (const page of readAuditEvents(knex, { kind: "owners", ownerIds }, range)) {
    // Personal fields are opened as they read now: a subject erased since reads "[erased]" at every point.
    for (const e of await openEvents(page, keys)) facts.push(toFact(e));
    events += page.length;
  }
  return { tables: foldFacts(facts), events };
}

/** A chat session as it was: its row, its contact and its chat user, or null if it did not exist yet. */
export async function sessionAsOf(knex: Knex, keys: KeyStore, sessionId: string, asOf: AsOf) {
  const first = await knex
    .table("events")
    .where({ stream_id: `chatSession-${sessionId}`, stream_revision: 0 })
    .first("data");
  if (!first) return null;
  const owners = await mergeTargets(knex, [String(first.data.chat_user_id)]);
  const { tables, events } = await foldOwners(knex, keys, owners, asOf);
  const session = tables.chat_sessions.find((s) => s.id === sessionId);
  if (!session) return null;
  return {
    events_folded: events,
    session,
    contact: tables.chat_session_contacts.find((c) => c.session_id === sessionId) ?? null,
    chat_user: tables.chat_users.find((u) => u.id === session.chat_user_id) ?? null,
  };
}

/** A chat user as it was, with the sessions it had then (its own and those of users merged into it). */
export async function chatUserAsOf(
  knex: Knex,
  keys: KeyStore,
  chatUserId: string,
  merged: string[],
  asOf: AsOf,
) {
  const owners = await mergeTargets(knex, merged);
  const { tables, events } = await foldOwners(knex, keys, owners, asOf);
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
