import type { Knex } from "knex";
import { queryRows } from "../db/rawQuery";
import { NotFoundError } from "../domain/errors";
import { streams } from "../domain/streams";
import type { DomainEvent } from "../events/chatEvents";
import type { EventLog } from "../eventstore/eventStore";
import { getSessionForReader, type SessionDetailView } from "./session";
import { SESSION_COLUMNS, SESSIONS_WITH_CONTACT, type SessionRow, toSessionView } from "./sessionRows";

/** What happened to a session besides its messages: the console's system lines. */
export type ActivityEntry =
  | {
      readonly kind: "claimed" | "transferred" | "routed";
      readonly at: string;
      readonly agent: { id: string; name: string };
      /** The agent who held it before a transfer. */
      readonly from_agent_id: string | null;
    }
  | { readonly kind: "closed"; readonly at: string; readonly by: "visitor" | "agent" | "system" }
  | { readonly kind: "rated"; readonly at: string; readonly score: number };

export type AgentSessionDetail = SessionDetailView & {
  last_seq: number;
  /** How far each side has read (read receipts): the console's ticks. */
  visitor_read_seq: number;
  agent_read_seq: number;
  closed_at: string | null;
  rating: { score: number; comment: string | null } | null;
  activity: ActivityEntry[];
};

const REASON_KIND = { claim: "claimed", transfer: "transferred", auto: "routed" } as const;

/** The session's assignments, its close and ratings in stream order (pure: folds recorded events). */
export function activityOf(
  events: readonly (DomainEvent & { readonly metadata: { readonly occurred_at: string } })[],
): ActivityEntry[] {
  const out: ActivityEntry[] = [];
  for (const event of events) {
    const at = event.metadata.occurred_at;
    switch (event.type) {
      case "ChatSessionAssigned":
        out.push({
          kind: REASON_KIND[event.data.reason],
          at,
          agent: { id: event.data.agent_id, name: event.data.agent_name },
          from_agent_id: event.data.from_agent_id,
        });
        break;
      case "ChatSessionClosed":
        out.push({ kind: "closed", at, by: event.data.closed_by_kind });
        break;
      case "ChatSessionRated":
        out.push({ kind: "rated", at, score: event.data.score });
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * One session as the console shows it: the detail visitors see (contact, chat user, assignee), the read marks of
 * both sides, the rating, and its activity — read from the session's own stream, the one place that keeps every
 * transfer. An unknown session is "not found".
 */
export async function getAgentSessionDetail(
  knex: Knex,
  log: Pick<EventLog, "readStream">,
  sessionId: string,
): Promise<AgentSessionDetail> {
  const [found, extra] = await Promise.all([
    getSessionForReader(knex, sessionId),
    knex
      .table("chat_sessions")
      .where({ id: sessionId })
      .first("last_seq", "visitor_read_seq", "agent_read_seq", "closed_at", "rating_score", "rating_comment"),
  ]);
  if (!found || !extra) throw new NotFoundError("Chat session not found");
  const detail = found.view;
  const events = await log.readStream(streams.chatSession(sessionId));
  return {
    ...detail,
    last_seq: extra.last_seq,
    visitor_read_seq: extra.visitor_read_seq,
    agent_read_seq: extra.agent_read_seq,
    closed_at: extra.closed_at ? (extra.closed_at as Date).toISOString() : null,
    rating: extra.rating_score === null ? null : { score: extra.rating_score, comment: extra.rating_comment },
    activity: activityOf(events),
  };
}

/** A chat user's sessions, newest first, with their assignee and close time: the console's contact panel. */
export async function getChatUserSessions(knex: Knex, chatUserId: string, limit: number, offset: number) {
  const where = "s.chat_user_id = $1 AND s.deleted_at IS NULL";
  const rows = await queryRows<
    Partial<SessionRow> & {
      total: string;
      assigned_agent_id: string | null;
      assigned_agent_name: string | null;
      closed_at: Date | null;
      last_seq: number;
    }
  >(
    knex,
    `SELECT t.total, r.* FROM (SELECT count(*) AS total FROM chat_sessions s WHERE ${where}) t
     LEFT JOIN LATERAL (
       SELECT ${SESSION_COLUMNS}, s.assigned_agent_id, s.assigned_agent_name, s.closed_at, s.last_seq
       FROM ${SESSIONS_WITH_CONTACT}
       WHERE ${where} ORDER BY s.created_at DESC, s.id DESC LIMIT $2 OFFSET $3
     ) r ON true`,
    [chatUserId, limit, offset],
  );
  return {
    sessions: rows
      .filter((r) => r.id != null)
      .map((r) => ({
        ...toSessionView(r as SessionRow),
        assigned_agent:
          r.assigned_agent_id == null ? null : { id: r.assigned_agent_id, name: r.assigned_agent_name ?? "" },
        closed_at: r.closed_at ? r.closed_at.toISOString() : null,
        last_seq: r.last_seq,
      })),
    total: Number(rows[0]?.total ?? 0),
    limit,
    offset,
  };
}
