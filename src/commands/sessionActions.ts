import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import { evolveAgent, initialAgent } from "./agentStatus";
import { decideClaim, decideTransfer } from "./assignment";
import type { AgentRef } from "./chatSession";
import { decideClose, decideMarkRead, decideRate, type Participant } from "./conversation";
import { loadStream } from "./handler";
import { type ConversationDeps, changeSession } from "./sessionCommand";

type MayAct = Parameters<typeof changeSession>[4];

/** Closes a session; closing it again answers the same. */
export async function closeSession(
  deps: ConversationDeps,
  sessionId: string,
  by: Participant,
  ctx: RequestContext,
  mayAct?: MayAct,
) {
  const change = await changeSession(deps, sessionId, ctx, (s) => decideClose({ by }, s), mayAct);
  return { status: "closed" as const, position: change.position };
}

/** Rates a closed session; a later rating replaces an earlier one. */
export async function rateSession(
  deps: ConversationDeps,
  sessionId: string,
  rating: { readonly score: number; readonly comment: string | null },
  ctx: RequestContext,
  mayAct?: MayAct,
) {
  const change = await changeSession(deps, sessionId, ctx, (s) => decideRate(rating, s), mayAct);
  return { session_id: sessionId, score: rating.score, comment: rating.comment, position: change.position };
}

/** A read receipt: the reader has seen the messages up to a seq. */
export async function markRead(
  deps: ConversationDeps,
  sessionId: string,
  reader: Participant,
  upToSeq: number,
  ctx: RequestContext,
  mayAct?: MayAct,
) {
  const change = await changeSession(
    deps,
    sessionId,
    ctx,
    (s) => decideMarkRead({ reader, upToSeq }, s),
    mayAct,
  );
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
) {
  const change = await changeSession(deps, sessionId, ctx, (s) => decideClaim({ agent, ...load }, s));
  return assignmentResult(sessionId, agent, change.position);
}

/** The agent holding a session hands it to another agent, who must be available (its stream says so). */
export async function transferSession(
  deps: ConversationDeps,
  sessionId: string,
  by: AgentRef,
  to: AgentRef,
  ctx: RequestContext,
) {
  const target = await loadStream(deps.store, streams.agent(to.id), evolveAgent, initialAgent);
  const toAvailable = target.state.status === "available";
  const change = await changeSession(deps, sessionId, ctx, (s) => decideTransfer({ by, to, toAvailable }, s));
  return assignmentResult(sessionId, to, change.position);
}
