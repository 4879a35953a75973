import { type Request, type Response, Router } from "express";
import type { ZodType } from "zod";
import { findAgent, type StaffMember } from "../auth/staffKeys";
import { setAgentStatus } from "../commands/agentStatus";
import { postMessage } from "../commands/postMessage";
import { anySessionAccess } from "../commands/sessionAccess";
import { claimSession, closeSession, markRead, transferSession } from "../commands/sessionActions";
import type { ConversationDeps } from "../commands/sessionCommand";
import type { Participant } from "../domain/chatSession/conversation";
import { NotFoundError } from "../domain/errors";
import {
  activeChatCount,
  getAgentSessions,
  getAgentStatus,
  getAgents,
  getQueue,
} from "../queries/agentQueries";
import { getAgentSessionDetail, getChatUserSessions } from "../queries/agentSessionDetail";
import { getReadableMessages } from "../queries/messages";
import { waitForPosition } from "../queries/waitForPosition";
import { withNotes } from "../workspace/workspaceQueries";
import { parse, requestContext } from "./context";
import { describeRoute, type RouteDoc } from "./openapi/routeDocs";
import type { RouteDeps } from "./routeDeps";
import {
  agentSessionDetailResponse,
  agentsResponse,
  ownStatusResponse,
  userSessionsQuery,
  userSessionsResponse,
} from "./schemas/agentSchemas";
import { errors } from "./schemas/common";
import {
  agentSessionsQuery,
  agentSessionsResponse,
  agentStatusBody,
  agentStatusResponse,
  assignedResponse,
  closedResponse,
  messagesQuery,
  postMessageBody,
  postMessageResponse,
  queueQuery,
  queueResponse,
  readBody,
  readResponse,
  sessionIdParam,
  transferBody,
} from "./schemas/conversation";
import { agentMessagesResponse } from "./schemas/workspaceSchemas";
import { requireStaffRole, staffOf } from "./staffAuth";

export interface AgentRouteDeps extends RouteDeps {
  readonly conversations: ConversationDeps;
  /** MAX_CHATS_PER_AGENT: a claim beyond it is refused (409 agent_at_capacity). */
  readonly maxChatsPerAgent: number;
}

/** The agents' console: queue, claim, chat, transfer, close, read receipts and availability. Role agent only. */
export function agentRoutes(deps: AgentRouteDeps): Router {
  const router = Router();
  const { conversations } = deps;
  router.use("/api/agent", requireStaffRole("agent"));
  const doc = (
    method: "get" | "post" | "put",
    path: string,
    summary: string,
    responses: RouteDoc["responses"],
    io: { input?: ZodType; body?: ZodType } = {},
  ) =>
    describeRoute(router, {
      method,
      path,
      summary,
      tags: ["agent"],
      auth: ["staffKey"],
      ...io,
      responses: { ...responses, ...errors(401, 403) },
    });
  const withId = { input: sessionIdParam };

  doc(
    "get",
    "/api/agent/queue",
    "Waiting sessions: urgent > high > normal > low, then oldest first",
    {
      200: { description: "The queue", schema: queueResponse },
      ...errors(400),
    },
    { input: queueQuery },
  );
  doc(
    "get",
    "/api/agent/sessions",
    "The agent's own sessions with a status, with unread counts",
    {
      200: { description: "Sessions", schema: agentSessionsResponse },
      ...errors(400),
    },
    { input: agentSessionsQuery },
  );
  doc(
    "post",
    "/api/agent/sessions/:id/claim",
    "Take a waiting session (one's own again: 200; 409 `agent_at_capacity` at MAX_CHATS_PER_AGENT active chats)",
    {
      200: { description: "Claimed", schema: assignedResponse },
      ...errors(400, 404, 409, 410),
    },
    withId,
  );
  doc(
    "post",
    "/api/agent/sessions/:id/messages",
    "Post in a session the agent holds",
    {
      200: { description: "Posted before with this client_message_id", schema: postMessageResponse },
      201: { description: "Posted", schema: postMessageResponse },
      ...errors(400, 404, 409, 410),
    },
    { ...withId, body: postMessageBody },
  );
  doc(
    "get",
    "/api/agent/sessions/:id/messages",
    "A session's messages after a seq, ascending, with the agents' private notes (author_kind note)",
    {
      200: { description: "Messages and notes", schema: agentMessagesResponse },
      ...errors(400, 404),
    },
    { input: messagesQuery },
  );
  doc(
    "post",
    "/api/agent/sessions/:id/transfer",
    "Hand a session the agent holds to another agent (404 unknown agent; 409 `agent_unavailable` if away)",
    {
      200: { description: "Transferred", schema: assignedResponse },
      ...errors(400, 404, 409, 410),
    },
    { ...withId, body: transferBody },
  );
  doc(
    "post",
    "/api/agent/sessions/:id/close",
    "Close a waiting session or one the agent holds",
    {
      200: { description: "Closed", schema: closedResponse },
      ...errors(400, 404, 409, 410),
    },
    withId,
  );
  doc(
    "post",
    "/api/agent/sessions/:id/read",
    "Read receipt of the agent holding the session",
    {
      200: { description: "Marked", schema: readResponse },
      ...errors(400, 404, 409, 410),
    },
    { ...withId, body: readBody },
  );
  doc(
    "put",
    "/api/agent/status",
    "Available for chats, or away",
    {
      200: { description: "Set", schema: agentStatusResponse },
      ...errors(400),
    },
    { body: agentStatusBody },
  );

  doc("get", "/api/agent/agents", "Every agent with availability and active chats (the transfer list)", {
    200: { description: "Agents: available first, then the fewest active chats", schema: agentsResponse },
  });
  doc("get", "/api/agent/status", "The calling agent's own availability", {
    200: { description: "The agent", schema: ownStatusResponse },
  });
  doc(
    "get",
    "/api/agent/sessions/:id",
    "Any session as the console shows it: contact, chat user, read marks, rating and activity",
    {
      200: { description: "The session", schema: agentSessionDetailResponse },
      ...errors(400, 404),
    },
    { input: queueQuery.extend(sessionIdParam.shape) },
  );
  doc(
    "get",
    "/api/agent/users/:id/sessions",
    "A chat user's sessions, newest first (the contact panel's earlier chats)",
    {
      200: { description: "Sessions", schema: userSessionsResponse },
      ...errors(400),
    },
    { input: userSessionsQuery },
  );

  const agentOf = (res: Response) => {
    const staff = staffOf(res.locals) as StaffMember;
    return { id: staff.id, name: staff.name };
  };
  const asParticipant = (res: Response): Participant => ({ kind: "agent", ...agentOf(res) });
  const context = (req: Request, res: Response) =>
    requestContext(req, res, { kind: "staff", id: agentOf(res).id });
  const sessionId = (req: Request) => parse(sessionIdParam, req.params).id;
  // Agents act on any session: these routes are for the agent role only; the session's rules decide the rest.
  const staff = anySessionAccess;

  async function catchUp(res: Response, minPosition: number | undefined) {
    if (minPosition === undefined) return;
    const caughtUp = await waitForPosition(deps, minPosition, deps.readYourWritesTimeoutMs);
    if (!caughtUp) res.set("X-Read-Model-Stale", "true");
  }

  router.get("/api/agent/queue", async (req, res) => {
    const input = parse(queueQuery, req.query);
    await catchUp(res, input.min_position);
    res.json({ sessions: await getQueue(deps.knex, input.label) });
  });

  router.get("/api/agent/sessions", async (req, res) => {
    const { status, min_position, q, limit, label } = parse(agentSessionsQuery, req.query);
    await catchUp(res, min_position);
    res.json({ sessions: await getAgentSessions(deps.knex, agentOf(res).id, status, { q, limit, label }) });
  });

  router.get("/api/agent/agents", async (_req, res) => {
    res.json({ agents: await getAgents(deps.knex) });
  });

  router.get("/api/agent/status", async (_req, res) => {
    const me = agentOf(res);
    res.json({ agent_id: me.id, name: me.name, status: await getAgentStatus(deps.knex, me.id) });
  });

  router.get("/api/agent/sessions/:id", async (req, res) => {
    const input = parse(queueQuery.extend(sessionIdParam.shape), { ...req.query, id: req.params.id });
    await catchUp(res, input.min_position);
    res.json(await getAgentSessionDetail(deps.knex, deps.store, input.id));
  });

  router.get("/api/agent/users/:id/sessions", async (req, res) => {
    const input = parse(userSessionsQuery, { ...req.query, id: req.params.id });
    res.json(await getChatUserSessions(deps.knex, input.id, input.limit, input.offset));
  });

  router.post("/api/agent/sessions/:id/claim", async (req, res) => {
    const id = sessionId(req);
    const agent = agentOf(res);
    const load = { activeChats: await activeChatCount(deps.knex, agent.id), maxChats: deps.maxChatsPerAgent };
    res.json(await claimSession(conversations, id, agent, load, context(req, res), staff));
  });

  router.post("/api/agent/sessions/:id/messages", async (req, res) => {
    const id = sessionId(req);
    const input = parse(postMessageBody, req.body);
    const { created, ...result } = await postMessage(
      conversations,
      { ...input, session_id: id },
      asParticipant(res),
      context(req, res),
      staff,
    );
    res.status(created ? 201 : 200).json(result);
  });

  router.get("/api/agent/sessions/:id/messages", async (req, res) => {
    const input = parse(messagesQuery, { ...req.query, id: req.params.id });
    await catchUp(res, input.min_position);
    const page = { sessionId: input.id, afterSeq: input.after_seq, limit: input.limit };
    const messages = await getReadableMessages(deps.knex, { anySession: true }, page);
    // The agents' view: their private notes among the messages (author_kind "note").
    res.json(await withNotes(deps.knex, input.id, input.after_seq, input.limit, messages));
  });

  router.post("/api/agent/sessions/:id/transfer", async (req, res) => {
    const id = sessionId(req);
    const input = parse(transferBody, req.body);
    const to = await findAgent(deps.knex, input.to_agent_id);
    if (!to) throw new NotFoundError("No agent with this to_agent_id");
    res.json(await transferSession(conversations, id, agentOf(res), to, context(req, res), staff));
  });

  router.post("/api/agent/sessions/:id/close", async (req, res) => {
    const result = await closeSession(
      conversations,
      sessionId(req),
      asParticipant(res),
      context(req, res),
      staff,
    );
    deps.routing?.nudge(result.position);
    res.json(result);
  });

  router.post("/api/agent/sessions/:id/read", async (req, res) => {
    const id = sessionId(req);
    const input = parse(readBody, req.body);
    res.json(
      await markRead(conversations, id, asParticipant(res), input.up_to_seq, context(req, res), staff),
    );
  });

  router.put("/api/agent/status", async (req, res) => {
    const input = parse(agentStatusBody, req.body);
    const result = await setAgentStatus(deps.commands, agentOf(res), input.status, context(req, res));
    if (input.status === "available") deps.routing?.nudge(result.position);
    res.json(result);
  });

  return router;
}
