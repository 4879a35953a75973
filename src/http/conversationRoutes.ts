import type { Request, Response, Router } from "express";
import type { ZodType } from "zod";
import { postMessage } from "../commands/postMessage";
import { closeSession, markRead, rateSession } from "../commands/sessionActions";
import type { ConversationDeps } from "../commands/sessionCommand";
import { getReadableMessages } from "../queries/messages";
import { parse, requestContext } from "./context";
import { callerOf } from "./identityAuth";
import { describeRoute, type RouteDoc } from "./openapi/routeDocs";
import {
  requireBrowserOrUser,
  requireVisitor,
  sessionReader,
  staffAllowed,
  visitorAccess,
} from "./ownership";
import type { RouteDeps } from "./routeDeps";
import { errors } from "./schemas/common";
import {
  closedResponse,
  messagesQuery,
  messagesResponse,
  postMessageResponse,
  ratedResponse,
  ratingBody,
  readBody,
  readResponse,
  sessionIdParam,
  visitorPostMessageBody,
} from "./schemas/conversation";

type CatchUp = (res: Response, minPosition: number | undefined) => Promise<void>;

function visitorContext(req: Request, res: Response, visitor: { id: string }) {
  return requestContext(req, res, { kind: callerOf(res).ossUser ? "oss_user" : "anonymous", id: visitor.id });
}

/** The widget's side of a conversation: post and read messages, close, rate, mark read. */
export function visitorConversationRoutes(
  router: Router,
  deps: RouteDeps & { readonly conversations: ConversationDeps },
  catchUp: CatchUp,
): void {
  const { conversations } = deps;
  const visitor = ["browser", "ossToken"] as const;
  const doc = (
    method: "get" | "post",
    path: string,
    summary: string,
    responses: RouteDoc["responses"],
    io: { input?: ZodType; body?: ZodType } = {},
  ) =>
    describeRoute(router, { method, path, summary, tags: ["conversation"], auth: visitor, ...io, responses });

  doc(
    "post",
    "/api/oss-chat/message",
    "Post a message (the same client_message_id again: 200 with the first message)",
    {
      200: { description: "Posted before with this client_message_id", schema: postMessageResponse },
      201: { description: "Posted", schema: postMessageResponse },
      ...errors(400, 401, 403, 404, 409, 410),
    },
    { body: visitorPostMessageBody },
  );
  doc(
    "get",
    "/api/oss-chat/session/:id/messages",
    "A session's messages after a seq, ascending",
    { 200: { description: "Messages", schema: messagesResponse }, ...errors(400, 401, 403, 404) },
    { input: messagesQuery },
  );
  doc(
    "post",
    "/api/oss-chat/session/:id/close",
    "Close the session (again: 200)",
    { 200: { description: "Closed", schema: closedResponse }, ...errors(400, 401, 403, 404, 410) },
    { input: sessionIdParam },
  );
  doc(
    "post",
    "/api/oss-chat/session/:id/rating",
    "Rate a closed session (a later rating replaces it)",
    { 201: { description: "Rated", schema: ratedResponse }, ...errors(400, 401, 403, 404, 409, 410) },
    { input: sessionIdParam, body: ratingBody },
  );
  doc(
    "post",
    "/api/oss-chat/session/:id/read",
    "Read receipt: the visitor has seen the messages up to a seq",
    { 200: { description: "Marked", schema: readResponse }, ...errors(400, 401, 403, 404, 410) },
    { input: sessionIdParam, body: readBody },
  );

  router.post("/api/oss-chat/message", async (req, res) => {
    const caller = callerOf(res);
    const input = parse(visitorPostMessageBody, req.body);
    const visitor = requireVisitor(caller);
    const ctx = visitorContext(req, res, visitor);
    const { created, ...result } = await postMessage(
      conversations,
      input,
      visitor,
      ctx,
      visitorAccess(caller),
    );
    res.status(created ? 201 : 200).json(result);
  });

  router.get("/api/oss-chat/session/:id/messages", async (req, res) => {
    const caller = callerOf(res);
    const input = parse(messagesQuery, { ...req.query, id: req.params.id });
    const anySession = staffAllowed(caller, "readSessions");
    requireBrowserOrUser(caller, anySession);
    await catchUp(res, input.min_position);
    const page = { sessionId: input.id, afterSeq: input.after_seq, limit: input.limit };
    res.json(await getReadableMessages(deps.knex, sessionReader(caller, anySession), page));
  });

  router.post("/api/oss-chat/session/:id/close", async (req, res) => {
    const caller = callerOf(res);
    const { id } = parse(sessionIdParam, req.params);
    const visitor = requireVisitor(caller);
    const ctx = visitorContext(req, res, visitor);
    const result = await closeSession(conversations, id, visitor, ctx, visitorAccess(caller));
    deps.routing?.nudge(result.position);
    res.json(result);
  });

  router.post("/api/oss-chat/session/:id/rating", async (req, res) => {
    const caller = callerOf(res);
    const { id } = parse(sessionIdParam, req.params);
    const input = parse(ratingBody, req.body);
    const visitor = requireVisitor(caller);
    const ctx = visitorContext(req, res, visitor);
    const rating = { score: input.score, comment: input.comment ?? null };
    res.status(201).json(await rateSession(conversations, id, rating, ctx, visitorAccess(caller)));
  });

  router.post("/api/oss-chat/session/:id/read", async (req, res) => {
    const caller = callerOf(res);
    const { id } = parse(sessionIdParam, req.params);
    const input = parse(readBody, req.body);
    const visitor = requireVisitor(caller);
    const ctx = visitorContext(req, res, visitor);
    res.json(await markRead(conversations, id, visitor, input.up_to_seq, ctx, visitorAccess(caller)));
  });
}
