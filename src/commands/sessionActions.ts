import { agentDecider } from "../domain/agent/decide";
import type { Participant } from "../domain/chatSession/conversation";
import type { AgentRef } from "../domain/chatSession/state";
import { streams } from "../domain/streams";
import type { RequestContext } from "../events/metadata";
import { loadStream } from "./handler";
import type { SessionAccess } from "./sessionAccess";
import { type ConversationDeps, changeSession } from "./sessionCommand";

/** Closes a session; closing it again answers the same. */
export async function closeSession(
  deps: ConversationDeps,
  sessionId: string,
  by: Participant,
  ctx: RequestContext,
  access: SessionAccess,
) {
  const change = await changeSession(deps, sessionId, ctx, { type: "CloseSession", by }, access);
  return { status: "closed" as const, position: change.position };
}

/** Rates a closed session; a later rating replaces an earlier one. */
export async function rateSession(
  deps: ConversationDeps,
  sessionId: string,
  rating: { readonly score: number; readonly comment: string | null },
  ctx: RequestContext,
  access: SessionAccess,
) {
  const change = await changeSession(deps, sessionId, ctx, { type: "RateSession", ...rating }, access);
  return { session_id: sessionId, score: rating.score, comment: rating.comment, position: change.position };
}

/** A read receipt: the reader has seen the messages up to a seq. */
export async function markRead(
  deps: ConversationDeps,
  sessionId: string,
  reader: Participant,
  upToSeq: number,
  ctx: RequestContext,
  access: SessionAccess,
) {
  const change = await changeSession(deps, sessionId, ctx, { type: "MarkRead", reader, upToSeq }, access);
  const read = change.events[0];
  const current = reader.kind === "visitor" ? change.before.visitorReadSeq : change.before.agentReadSeq;
  return {
    session_id: sessionId,
    up_to_seq: read?.type === "ChatMessagesRead" ? read.data.up_to_seq : current,
    position: change.position,
  };
}

function assignmentResult(sessionId: string, agent: AgentRef, position: number) {
  return {
    session_id: sessionId,
    status: "active" as const,
    assigned_agent: { id: agent.id, name: agent.name },
    position,
  };
}

/** An agent takes a waiting session, if it holds fewer than `load.maxChats` active ones. */
export async function claimSession(
  deps: ConversationDeps,
  sessionId: string,
  agent: AgentRef,
  load: { readonly activeChats: number; readonly maxChats: number },
  ctx: RequestContext,
  access: SessionAccess,
) {
  const change = await changeSession(deps, sessionId, ctx, { type: "ClaimSession", agent, ...load }, access);
  return assignmentResult(sessionId, agent, change.position);
}

/** The agent holding a session hands it to another agent, who must be available (its stream says so). */
export async function transferSession(
  deps: ConversationDeps,
  sessionId: string,
  by: AgentRef,
  to: AgentRef,
  ctx: RequestContext,
  access: SessionAccess,
) {
  const target = await loadStream(
    deps.store,
    streams.agent(to.id),
    agentDecider.evolve,
    agentDecider.initialState,
  );
  const toAvailable = target.state.status === "available";
  const change = await changeSession(
    deps,
    sessionId,
    ctx,
    { type: "TransferSession", by, to, toAvailable },
    access,
  );
  return assignmentResult(sessionId, to, change.position);
}
