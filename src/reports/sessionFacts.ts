import type { Fact } from "../events/chatEvents";

/**
 * One chat session's report facts: what the definitions in the README read. The row of `report_session_facts`
 * is this value, so folding the next event needs nothing but the row (incremental, see reportProjector).
 * Times are ISO instants; durations are whole milliseconds (the API shows seconds, ms / 1000).
 */
export interface SessionFacts {
  readonly session_id: string;
  readonly channel: string;
  readonly priority: string;
  readonly started_at: string;
  /** The agent holding the session now (the last assignment); the agent a session counts for. */
  readonly agent_id: string | null;
  readonly first_assigned_at: string | null;
  readonly closed_at: string | null;
  readonly first_visitor_message_at: string | null;
  readonly first_response_at: string | null;
  readonly messages_visitor: number;
  readonly messages_agent: number;
  readonly transfers: number;
  /** The latest rating, 1–5. */
  readonly csat: number | null;
}

/** The figures derived from a session's facts (pure; the projection stores them with the facts). */
export interface SessionFigures {
  readonly wait_ms: number | null;
  readonly abandoned: boolean;
  readonly first_response_ms: number | null;
  readonly no_response: boolean;
  readonly handle_ms: number | null;
}

const ms = (from: string | null, to: string | null) =>
  from === null || to === null ? null : Date.parse(to) - Date.parse(from);

/**
 * Folds one event of the session's stream into its facts (undefined: the session has not started). Closed is
 * final: after the first close only ratings change the facts (a later assignment, message or close does not).
 */
export function evolveSessionFacts(facts: SessionFacts | undefined, event: Fact): SessionFacts | undefined {
  const t = event.occurredAt;
  if (event.type === "ChatSessionStarted") {
    if (facts) return facts;
    return {
      session_id: event.data.session_id,
      channel: event.data.channel,
      priority: event.data.priority,
      started_at: t,
      agent_id: null,
      first_assigned_at: null,
      closed_at: null,
      first_visitor_message_at: null,
      first_response_at: null,
      messages_visitor: 0,
      messages_agent: 0,
      transfers: 0,
      csat: null,
    };
  }
  if (!facts) return facts;
  if (event.type === "ChatSessionRated") return { ...facts, csat: event.data.score };
  if (facts.closed_at !== null) return facts;
  switch (event.type) {
    case "ChatSessionAssigned":
      return {
        ...facts,
        agent_id: event.data.agent_id,
        first_assigned_at: facts.first_assigned_at ?? t,
        transfers: facts.transfers + (event.data.reason === "transfer" ? 1 : 0),
      };
    case "ChatMessagePosted":
      if (event.data.author_kind === "visitor")
        return {
          ...facts,
          messages_visitor: facts.messages_visitor + 1,
          first_visitor_message_at: facts.first_visitor_message_at ?? t,
        };
      if (event.data.author_kind === "agent")
        return {
          ...facts,
          messages_agent: facts.messages_agent + 1,
          first_response_at: facts.first_response_at ?? (facts.first_visitor_message_at === null ? null : t),
        };
      return facts;
    case "ChatSessionClosed":
      return { ...facts, closed_at: t };
    default:
      return facts;
  }
}

export function sessionFigures(f: SessionFacts): SessionFigures {
  return {
    wait_ms: ms(f.started_at, f.first_assigned_at),
    abandoned: f.closed_at !== null && f.first_assigned_at === null,
    first_response_ms: ms(f.first_visitor_message_at, f.first_response_at),
    no_response: f.first_visitor_message_at !== null && f.first_response_at === null,
    handle_ms: f.closed_at === null ? null : ms(f.first_assigned_at, f.closed_at),
  };
}

/** Folds a whole log (any order of streams, each stream in order) into facts per session. */
export function foldSessionFacts(events: Iterable<Fact>): Map<string, SessionFacts> {
  const out = new Map<string, SessionFacts>();
  for (const event of events) {
    const id = sessionIdOf(event);
    if (id === null) continue;
    const next = evolveSessionFacts(out.get(id), event);
    if (next) out.set(id, next);
  }
  return out;
}

const SESSION_EVENTS = new Set([
  "ChatSessionStarted",
  "ChatSessionAssigned",
  "ChatMessagePosted",
  "ChatSessionClosed",
  "ChatSessionRated",
]);

/** The session an event of interest to reports belongs to, else null. */
export function sessionIdOf(event: Fact): string | null {
  if (!SESSION_EVENTS.has(event.type)) return null;
  return (event.data as { session_id: string }).session_id;
}
