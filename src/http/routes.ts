import { Router } from "express";
import type { Knex } from "knex";
import type { CommandDeps } from "../commands/deps";
import { NotFoundError } from "../commands/errors";
import { linkUser, linkUserInput } from "../commands/linkUser";
import { setContact, setContactInput } from "../commands/setContact";
import { startChat, startChatInput } from "../commands/startChat";
import type { EventStore } from "../events/eventStore";
import { getHistory, historyInput } from "../queries/history";
import { getSession, sessionInput } from "../queries/session";
import { waitForPosition } from "../queries/waitForPosition";
import { parse, requestContext } from "./context";

export interface RouteDeps {
  readonly commands: CommandDeps;
  readonly knex: Knex;
  readonly store: EventStore;
  readonly readYourWritesTimeoutMs: number;
}

/** The seed's endpoints: each route translates HTTP to a command or a query and back. */
export function chatRoutes(deps: RouteDeps): Router {
  const router = Router();

  async function catchUp(res: import("express").Response, minPosition: number | undefined) {
    if (minPosition === undefined) return;
    const caughtUp = await waitForPosition(deps, minPosition, deps.readYourWritesTimeoutMs);
    if (!caughtUp) res.set("X-Read-Model-Stale", "true");
  }

  router.post("/api/oss-chat/start", async (req, res) => {
    const input = parse(startChatInput, req.body);
    const actor =
      input.oss_user_id !== undefined
        ? { kind: "oss_user" as const, id: input.oss_user_id }
        : { kind: "anonymous" as const, id: input.browser_uuid ?? "" };
    const result = await startChat(deps.commands, input, requestContext(req, res, actor, input.user_agent));
    res.status(201).json(result);
  });

  router.post("/api/oss-chat/contact", async (req, res) => {
    const input = parse(setContactInput, req.body);
    const actor = { kind: "anonymous" as const, id: req.get("x-browser-uuid") ?? "unknown" };
    const result = await setContact(deps.commands, input, requestContext(req, res, actor));
    res.status(result.created ? 201 : 200).json(result);
  });

  router.post("/api/oss-chat/link-user", async (req, res) => {
    const input = parse(linkUserInput, req.body);
    const actor = { kind: "oss_user" as const, id: input.oss_user_id };
    res.json(await linkUser(deps.commands, input, requestContext(req, res, actor)));
  });

  router.get("/api/oss-chat/history", async (req, res) => {
    const input = parse(historyInput, req.query);
    await catchUp(res, input.min_position);
    res.json(await getHistory(deps.knex, input));
  });

  router.get("/api/oss-chat/session/:id", async (req, res) => {
    const input = parse(sessionInput, { ...req.query, id: req.params.id });
    await catchUp(res, input.min_position);
    const session = await getSession(deps.knex, input.id);
    if (!session) throw new NotFoundError("Chat session not found");
    res.json(session);
  });

  return router;
}
