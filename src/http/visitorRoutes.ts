import { type Response, Router } from "express";
import type { Knex } from "knex";
import type { CommandDeps } from "../commands/deps";
import { NotFoundError } from "../commands/errors";
import { linkUser } from "../commands/linkUser";
import { setContact } from "../commands/setContact";
import { startChat } from "../commands/startChat";
import type { EventStore } from "../eventstore/eventStore";
import { getHistory, historyInput } from "../queries/history";
import { readerOwns } from "../queries/readerAccess";
import { getSessionForReader, sessionInput } from "../queries/session";
import { waitForPosition } from "../queries/waitForPosition";
import { parse, requestContext } from "./context";
import { callerOf } from "./identityAuth";
import { localize } from "./language";
import {
  historyIdentity,
  requireBrowser,
  requireBrowserOrUser,
  requireOssUser,
  staffAllowed,
  withTokenIdentity,
} from "./ownership";
import {
  chatStartedBody,
  contactSetBody,
  linkUserInput,
  setContactInput,
  startChatInput,
  userLinkedBody,
} from "./schemas/visitor";

export interface RouteDeps {
  readonly commands: CommandDeps;
  readonly knex: Knex;
  readonly store: EventStore;
  readonly readYourWritesTimeoutMs: number;
  /** Whether an OSS identity key is configured (else logged-in calls are refused). */
  readonly identityConfigured?: boolean;
}

/** The seed's endpoints: each route translates HTTP to a command or a query and back. */
export function chatRoutes(deps: RouteDeps): Router {
  const router = Router();
  const configured = deps.identityConfigured ?? false;

  async function catchUp(res: Response, minPosition: number | undefined) {
    if (minPosition === undefined) return;
    const caughtUp = await waitForPosition(deps, minPosition, deps.readYourWritesTimeoutMs);
    if (!caughtUp) res.set("X-Read-Model-Stale", "true");
  }

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
    res.status(201).json(chatStartedBody(started, localize(req, res, "chat_started")));
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
      deps.commands,
      { sessionId: input.session_id, contact },
      requestContext(req, res, actor),
      { anySession, browserUuid: caller.browserUuid, ossUserId: caller.ossUser?.ossUserId ?? null },
    );
    const message = localize(req, res, set.created ? "contact_saved" : "contact_updated");
    res.status(set.created ? 201 : 200).json(contactSetBody(set, message));
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

  router.get("/api/oss-chat/session/:id", async (req, res) => {
    const caller = callerOf(res);
    const input = parse(sessionInput, { ...req.query, id: req.params.id });
    const anySession = staffAllowed(caller, "readSessions");
    requireBrowserOrUser(caller, anySession);
    await catchUp(res, input.min_position);
    const found = await getSessionForReader(deps.knex, input.id);
    const owner = { browserUuid: caller.browserUuid, ossUserId: caller.ossUser?.ossUserId ?? null };
    const readable =
      found !== null &&
      (anySession ||
        (await readerOwns(
          deps.knex,
          { ...found.view, anonymousBrowserUuid: found.anonymousBrowserUuid },
          owner,
        )));
    if (!found || !readable) {
      throw new NotFoundError("Chat session not found");
    }
    res.json(found.view);
  });

  return router;
}
