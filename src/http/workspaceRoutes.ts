import { type Request, type Response, Router } from "express";
import type { ZodType } from "zod";
import type { StaffMember } from "../auth/staffKeys";
import { addNote, setLabels } from "../commands/notesAndLabels";
import type { ConversationDeps } from "../commands/sessionCommand";
import { NotFoundError } from "../domain/errors";
import { createCanned, deleteCanned, findCanned, updateCanned } from "../workspace/cannedCommands";
import type { CannedScope } from "../workspace/cannedResponses";
import { renderCanned } from "../workspace/renderCanned";
import { BadCursorError, searchSessions } from "../workspace/search";
import { labelCounts, listCanned, renderValuesOf } from "../workspace/workspaceQueries";
import { parse, requestContext } from "./context";
import { ForbiddenError, ValidationError } from "./errors";
import { describeRoute, type RouteDoc } from "./openapi/routeDocs";
import type { RouteDeps } from "./routeDeps";
import { errors } from "./schemas/common";
import { sessionIdParam } from "./schemas/conversation";
import {
  cannedCreateBody,
  cannedIdParam,
  cannedListQuery,
  cannedListResponse,
  cannedSavedResponse,
  cannedUpdateBody,
  labelCountsResponse,
  labelsBody,
  labelsResponse,
  noteBody,
  noteResponse,
  renderParams,
  renderResponse,
  searchQuery,
  searchResponse,
} from "./schemas/workspaceSchemas";
import { requireStaffRole, staffOf } from "./staffAuth";

export interface WorkspaceRouteDeps extends RouteDeps {
  readonly conversations: ConversationDeps;
}

/**
 * The agent's workspace: canned responses, private notes, labels and search. Agents and supervisors; until
 * teams exist (issue 21) every agent is of one team, so `team_id` is kept and accepted but scopes nothing.
 * Mounted before agentRoutes, whose guard lets agents alone through.
 */
export function workspaceRoutes(deps: WorkspaceRouteDeps): Router {
  const router = Router();
  const { conversations } = deps;
  const staffOnly = requireStaffRole("agent", "supervisor");
  const doc = (
    method: RouteDoc["method"],
    path: string,
    summary: string,
    responses: RouteDoc["responses"],
    io: { input?: ZodType; body?: ZodType } = {},
  ) =>
    describeRoute(router, {
      method,
      path,
      summary,
      tags: ["agent workspace"],
      auth: ["staffKey"],
      ...io,
      responses: { ...responses, ...errors(401, 403) },
    });

  const staff = (res: Response) => staffOf(res.locals) as StaffMember;
  const context = (req: Request, res: Response) =>
    requestContext(req, res, { kind: "staff", id: staff(res).id });
  /** Shared responses are the supervisors'; an agent manages only their own. */
  const mayManage = (res: Response) => (scope: CannedScope) => {
    if (scope === "shared" && staff(res).role !== "supervisor") {
      throw new ForbiddenError("staff_role_required", { roles: "supervisor" });
    }
  };

  doc(
    "get",
    "/api/agent/canned-responses",
    "Canned responses the caller may use: the shared ones and their own",
    { 200: { description: "Canned responses", schema: cannedListResponse }, ...errors(400) },
    { input: cannedListQuery },
  );
  router.get("/api/agent/canned-responses", staffOnly, async (req, res) => {
    const input = parse(cannedListQuery, req.query);
    res.json({ canned_responses: await listCanned(deps.knex, staff(res).id, input) });
  });

  doc(
    "post",
    "/api/agent/canned-responses",
    "Create a canned response: personal (any agent), shared (supervisor)",
    { 201: { description: "Created", schema: cannedSavedResponse }, ...errors(400, 409) },
    { body: cannedCreateBody },
  );
  router.post("/api/agent/canned-responses", staffOnly, async (req, res) => {
    const input = parse(cannedCreateBody, req.body);
    mayManage(res)(input.scope);
    const { scope, ...rest } = input;
    const fields = { ...rest, team_id: rest.team_id ?? null, language: rest.language ?? null };
    const created = await createCanned(
      conversations,
      { scope, agentId: staff(res).id, fields },
      context(req, res),
    );
    res.status(201).json(created);
  });

  doc(
    "put",
    "/api/agent/canned-responses/:id",
    "Change a canned response (the fields given)",
    { 200: { description: "Saved", schema: cannedSavedResponse }, ...errors(400, 404, 409) },
    { input: cannedIdParam, body: cannedUpdateBody },
  );
  router.put("/api/agent/canned-responses/:id", staffOnly, async (req, res) => {
    const { id } = parse(cannedIdParam, req.params);
    const changes = parse(cannedUpdateBody, req.body);
    res.json(
      await updateCanned(
        conversations,
        { id, agentId: staff(res).id, changes },
        mayManage(res),
        context(req, res),
      ),
    );
  });

  doc(
    "delete",
    "/api/agent/canned-responses/:id",
    "Delete a canned response",
    { 204: { description: "Deleted" }, ...errors(400, 404) },
    { input: cannedIdParam },
  );
  router.delete("/api/agent/canned-responses/:id", staffOnly, async (req, res) => {
    const { id } = parse(cannedIdParam, req.params);
    await deleteCanned(conversations, { id, agentId: staff(res).id }, mayManage(res), context(req, res));
    res.status(204).end();
  });

  doc(
    "get",
    "/api/agent/sessions/:id/canned-responses/:cid/render",
    "A canned response filled in for a session ({{contact_name}}, {{agent_name}}, {{topic}}, {{session_id}})",
    { 200: { description: "Rendered", schema: renderResponse }, ...errors(400, 404) },
    { input: renderParams },
  );
  router.get("/api/agent/sessions/:id/canned-responses/:cid/render", staffOnly, async (req, res) => {
    const { id, cid } = parse(renderParams, req.params);
    const [{ response }, values] = await Promise.all([
      findCanned(conversations, staff(res).id, cid),
      renderValuesOf(deps.knex, id),
    ]);
    if (!values) throw new NotFoundError("Chat session not found");
    const rendered = renderCanned(response.body, { ...values, agent_name: staff(res).name, session_id: id });
    res.json({ canned_response_id: cid, session_id: id, ...rendered });
  });

  doc(
    "post",
    "/api/agent/sessions/:id/notes",
    "Add a private note: agents only, never shown to the visitor",
    { 201: { description: "Added", schema: noteResponse }, ...errors(400, 404) },
    { input: sessionIdParam, body: noteBody },
  );
  router.post("/api/agent/sessions/:id/notes", staffOnly, async (req, res) => {
    const { id } = parse(sessionIdParam, req.params);
    const { body } = parse(noteBody, req.body);
    const me = staff(res);
    const note = await addNote(conversations, id, { id: me.id, name: me.name }, body, context(req, res));
    res.status(201).json(note);
  });

  doc(
    "put",
    "/api/agent/sessions/:id/labels",
    "Replace a session's labels (at most 10, each 1–32 of a-z, 0-9, -)",
    { 200: { description: "Set", schema: labelsResponse }, ...errors(400, 404) },
    { input: sessionIdParam, body: labelsBody },
  );
  router.put("/api/agent/sessions/:id/labels", staffOnly, async (req, res) => {
    const { id } = parse(sessionIdParam, req.params);
    const { labels } = parse(labelsBody, req.body);
    res.json(await setLabels(conversations, id, labels, context(req, res)));
  });

  doc("get", "/api/agent/labels", "Labels in use, with how many sessions carry each", {
    200: { description: "Labels", schema: labelCountsResponse },
  });
  router.get("/api/agent/labels", staffOnly, async (_req, res) => {
    res.json({ labels: await labelCounts(deps.knex) });
  });

  doc(
    "get",
    "/api/agent/search",
    "Search conversations: messages, notes, topic, contact, labels (Indonesian and English, typos, identifiers)",
    { 200: { description: "Results, best first", schema: searchResponse }, ...errors(400) },
    { input: searchQuery },
  );
  router.get("/api/agent/search", staffOnly, async (req, res) => {
    const input = parse(searchQuery, req.query);
    try {
      res.json(await searchSessions(deps.knex, input));
    } catch (err) {
      if (err instanceof BadCursorError)
        throw new ValidationError([{ field: "cursor", code: "field_invalid" }]);
      throw err;
    }
  });

  return router;
}
