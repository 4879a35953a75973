import { type Response, Router } from "express";
import { linkUser } from "../commands/linkUser";
import { conversationDeps } from "../commands/sessionCommand";
import { setContact } from "../commands/setContact";
import { startChat } from "../commands/startChat";
import { getHistory, historyInput } from "../queries/history";
import { getReadableSession, sessionInput } from "../queries/session";
import { waitForPosition } from "../queries/waitForPosition";
import { sessionRowFor } from "../workspace/visibility";
import { parse, requestContext } from "./context";
import { visitorConversationRoutes } from "./conversationRoutes";
import { callerOf } from "./identityAuth";
import { localize } from "./language";
import { describeRoute } from "./openapi/routeDocs";
import {
  historyIdentity,
  requireBrowser,
  requireBrowserOrUser,
  requireOssUser,
  sessionReader,
  staffAllowed,
  withTokenIdentity,
} from "./ownership";
import type { RouteDeps } from "./routeDeps";
import { errors } from "./schemas/common";
import {
  chatStartedBody,
  contactSetBody,
  linkUserInput,
  setContactInput,
  startChatInput,
  userLinkedBody,
} from "./schemas/visitor";
import {
  historyResponse,
  linkUserResponse,
  sessionDetailResponse,
  setContactResponse,
  startChatResponse,
} from "./schemas/visitorSchemas";

/** The seed's endpoints: each route translates HTTP to a command or a query and back. */
export function chatRoutes(deps: RouteDeps): Router {
  const router = Router();
  const configured = deps.identityConfigured ?? false;
  const conversations = deps.conversations ?? conversationDeps(deps.commands);

  async function catchUp(res: Response, minPosition: number | undefined) {
    if (minPosition === undefined) return;
    const caughtUp = await waitForPosition(deps, minPosition, deps.readYourWritesTimeoutMs);
    if (!caughtUp) res.set("X-Read-Model-Stale", "true");
  }

  describeRoute(router, {
    method: "post",
    path: "/api/oss-chat/start",
    summary: "Start a chat session",
    description:
      "Anonymous with `browser_uuid`, or logged in with the OSS identity token (whose `sub` and `email` fill " +
      "`oss_user_id` and `email` when left out).",
    tags: ["widget"],
    auth: ["none", "ossToken"],
    body: startChatInput,
    responses: { 201: { description: "Started", schema: startChatResponse }, ...errors(400, 401, 403, 410) },
  });
  router.post("/api/oss-chat/start", async (req, res) => {
    const caller = callerOf(res);
    const input = parse(startChatInput, withTokenIdentity(req.body, caller.ossUser));
    const { topic, priority } = input;
    if (input.oss_user_id !== undefined) {
      const oss = requireOssUser(caller, configured, input);
      const started = await startChat(
        deps.commands,
        { visitor: { kind: "ossUser", ossUserId: oss.ossUserId, email: oss.email }, topic, priority },
        requestContext(req, res, { kind: "oss_user", id: oss.ossUserId }, input.user_agent),
      );
      deps.routing?.nudge(Number(started.position));
      res.status(201).json(chatStartedBody(started, localize(req, res, "chat_started")));
      return;
    }
    const browserUuid = input.browser_uuid ?? "";
    const actor = { kind: "anonymous" as const, id: browserUuid };
    const started = await startChat(
      deps.commands,
      { visitor: { kind: "browser", browserUuid }, topic, priority },
      requestContext(req, res, actor, input.user_agent),
    );
    deps.routing?.nudge(Number(started.position));
    res.status(201).json(chatStartedBody(started, localize(req, res, "chat_started")));
  });

  describeRoute(router, {
    method: "post",
    path: "/api/oss-chat/contact",
    summary: "Set the session's contact details (again: update them)",
    tags: ["widget"],
    auth: ["browser", "ossToken", "staffKey"],
    body: setContactInput,
    responses: {
      200: { description: "Updated", schema: setContactResponse },
      201: { description: "Saved the first time", schema: setContactResponse },
      ...errors(400, 401, 403, 404, 410),
    },
  });
  router.post("/api/oss-chat/contact", async (req, res) => {
    const caller = callerOf(res);
    const input = parse(setContactInput, req.body);
    const anySession = staffAllowed(caller, "setContact");
    const actor = requireBrowserOrUser(caller, anySession);
    const contact = {
      contact_name: input.contact_name,
      contact_email: input.contact_email,
      contact_phone: input.contact_phone ?? null,
      position: input.position ?? null,
      company_name: input.company_name ?? null,
    };
    const set = await setContact(
      conversations,
      { sessionId: input.session_id, contact },
      requestContext(req, res, actor),
      { anySession, browserUuid: caller.browserUuid, ossUserId: caller.ossUser?.ossUserId ?? null },
    );
    const message = localize(req, res, set.created ? "contact_saved" : "contact_updated");
    res.status(set.created ? 201 : 200).json(contactSetBody(set, message));
  });

  describeRoute(router, {
    method: "post",
    path: "/api/oss-chat/link-user",
    summary: "Link the browser's anonymous chat user to the logged-in OSS user (idempotent)",
    tags: ["widget"],
    auth: ["ossToken"],
    body: linkUserInput,
    responses: {
      200: { description: "Linked (`merged` when the OSS user had a chat user)", schema: linkUserResponse },
      ...errors(400, 401, 403, 404, 409, 410),
    },
  });
  router.post("/api/oss-chat/link-user", async (req, res) => {
    const caller = callerOf(res);
    const input = parse(linkUserInput, withTokenIdentity(req.body, caller.ossUser));
    const oss = requireOssUser(caller, configured, input);
    const actor = { kind: "oss_user" as const, id: oss.ossUserId };
    const login = { ossUserId: oss.ossUserId, email: oss.email };
    const linked = await linkUser(
      deps.commands,
      { browserUuid: input.browser_uuid, login },
      requestContext(req, res, actor),
    );
    res.json(userLinkedBody(linked, localize(req, res, linked.merged ? "user_merged" : "user_linked")));
  });

  describeRoute(router, {
    method: "get",
    path: "/api/oss-chat/history",
    summary: "A history of sessions, newest first",
    description:
      "With no `oss_user_id`/`browser_uuid` it reads the caller's own. A browser alone sees only the sessions " +
      "it started anonymously; an OSS account's history needs its token.",
    tags: ["widget"],
    auth: ["browser", "ossToken", "staffKey"],
    input: historyInput,
    responses: { 200: { description: "The sessions", schema: historyResponse }, ...errors(400, 401, 403) },
  });
  router.get("/api/oss-chat/history", async (req, res) => {
    const caller = callerOf(res);
    const anySession = staffAllowed(caller, "readSessions");
    const input = parse(historyInput, historyIdentity(req.query, caller, anySession));
    if (!anySession) {
      if (input.oss_user_id !== undefined) requireOssUser(caller, configured, input);
      else requireBrowser(caller, input.browser_uuid as string);
    }
    await catchUp(res, input.min_position);
    res.json(await getHistory(deps.knex, input));
  });

  visitorConversationRoutes(router, { ...deps, conversations }, catchUp);

  describeRoute(router, {
    method: "get",
    path: "/api/oss-chat/session/:id",
    summary: "One session with its contact and its chat user",
    tags: ["widget"],
    auth: ["browser", "ossToken", "staffKey"],
    input: sessionInput,
    responses: {
      200: { description: "The session", schema: sessionDetailResponse },
      ...errors(400, 401, 403, 404),
    },
  });
  router.get("/api/oss-chat/session/:id", async (req, res) => {
    const caller = callerOf(res);
    const input = parse(sessionInput, { ...req.query, id: req.params.id });
    const anySession = staffAllowed(caller, "readSessions");
    requireBrowserOrUser(caller, anySession);
    await catchUp(res, input.min_position);
    const view = await getReadableSession(deps.knex, sessionReader(caller, anySession), input.id);
    res.json(sessionRowFor(anySession ? "agent" : "visitor", view));
  });

  return router;
}
