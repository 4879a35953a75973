import { type Response, Router } from "express";
import type { Knex } from "knex";
import {
  type AuditRange,
  type AuditSelection,
  mergedUserIds,
  parseCursor,
  readAuditPage,
} from "../audit/auditLog";
import { logEventsInput, stateInput, streamEventsInput, verifyInput } from "../audit/inputs";
import { latestCheckpointToVerify, listLogCheckpoints } from "../audit/logCheckpoints";
import { type AsOf, chatUserAsOf, sessionAsOf, UnknownPositionError } from "../audit/pointInTime";
import { verifyChains } from "../audit/verifyChains";
import { NotFoundError } from "../domain/errors";
import type { EventLog } from "../eventstore/eventStore";
import { parse } from "./context";
import { ValidationError } from "./errors";
import { describeRoute, type RouteDoc } from "./openapi/routeDocs";
import {
  auditPage,
  chatUserState,
  logCheckpointList,
  sessionState,
  userEventsPage,
  verifyReport,
} from "./schemas/auditSchemas";
import { errors } from "./schemas/common";
import { requireStaffRole } from "./staffAuth";

const AUDITOR = { tags: ["audit"], auth: ["staffKey"] } as const satisfies Partial<RouteDoc>;
const NDJSON = "application/x-ndjson";

/** Writes every page of a selection as NDJSON, one event per line, one page in memory at a time. */
async function exportNdjson(res: Response, log: EventLog, selection: AuditSelection, range: AuditRange) {
  res.status(200).type("application/x-ndjson");
  let after = null;
  try {
    for (;;) {
      const page = await readAuditPage(log, selection, range, after, 500);
      for (const event of page.events) {
        if (res.destroyed) return;
        if (!res.write(`${JSON.stringify(event)}\n`)) await new Promise((r) => res.once("drain", r));
      }
      if (page.next === null) break;
      after = parseCursor(page.next);
    }
    res.end();
  } catch {
    res.destroy(); // the status line is out: a cut-off stream is the only honest way to say it failed
  }
}

async function answer(
  res: Response,
  log: EventLog,
  selection: AuditSelection,
  input: { limit: number; after?: string; format: "json" | "ndjson" },
  range: AuditRange = {},
  extra: Record<string, unknown> = {},
) {
  if (input.format === "ndjson") return exportNdjson(res, log, selection, range);
  const after = input.after === undefined ? null : parseCursor(input.after);
  res.json({ ...extra, ...(await readAuditPage(log, selection, range, after, input.limit)) });
}

function asOf(input: { at?: Date; position?: number }): AsOf {
  return input.at ? { time: input.at } : { position: input.position as number };
}

async function unknownPositionIsBadInput<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UnknownPositionError)
      throw new ValidationError([{ field: "position", code: "field_unknown_position" }]);
    throw err;
  }
}

/** The auditors' read API: the log as it was recorded, states as they were, and the hash chains' check. */
export function auditRoutes({
  log,
  sealedLog,
  knex,
}: {
  /** The log as auditors read it: personal fields opened ("[erased]" once erased). */
  log: EventLog;
  /** The log as stored (sealed): what the hashes cover, so what verify recomputes. */
  sealedLog?: EventLog;
  knex: Knex;
}): Router {
  const router = Router();
  router.use("/api/audit", requireStaffRole("auditor"));

  describeRoute(router, {
    ...AUDITOR,
    method: "get",
    path: "/api/audit/sessions/:id/events",
    summary: "A session's events as recorded (role auditor); `format=ndjson` streams them all",
    input: streamEventsInput,
    responses: {
      200: { description: "A page", schema: auditPage, alsoAs: NDJSON },
      ...errors(400, 401, 403),
    },
  });
  router.get("/api/audit/sessions/:id/events", async (req, res) => {
    const input = parse(streamEventsInput, { ...req.query, id: req.params.id });
    await answer(res, log, { kind: "stream", streamId: `chatSession-${input.id}` }, input);
  });

  describeRoute(router, {
    ...AUDITOR,
    method: "get",
    path: "/api/audit/users/:id/events",
    summary: "A chat user's events, users merged into it included (role auditor)",
    input: streamEventsInput,
    responses: {
      200: { description: "A page", schema: userEventsPage, alsoAs: NDJSON },
      ...errors(400, 401, 403),
    },
  });
  router.get("/api/audit/users/:id/events", async (req, res) => {
    const input = parse(streamEventsInput, { ...req.query, id: req.params.id });
    const ownerIds = await mergedUserIds(log, input.id);
    await answer(res, log, { kind: "owners", ownerIds }, input, {}, { chat_user_ids: ownerIds });
  });

  describeRoute(router, {
    ...AUDITOR,
    method: "get",
    path: "/api/audit/events",
    summary: "The global log, by position or time range (role auditor)",
    input: logEventsInput,
    responses: {
      200: { description: "A page", schema: auditPage, alsoAs: NDJSON },
      ...errors(400, 401, 403),
    },
  });
  router.get("/api/audit/events", async (req, res) => {
    const input = parse(logEventsInput, req.query);
    const range: AuditRange = {
      fromPosition: input.from_position,
      toPosition: input.to_position,
      fromTime: input.from_time,
      toTime: input.to_time,
    };
    await answer(res, log, { kind: "log" }, input, range);
  });

  describeRoute(router, {
    ...AUDITOR,
    method: "get",
    path: "/api/audit/sessions/:id/state",
    summary: "A session as it was at a time or position (role auditor)",
    input: stateInput,
    responses: { 200: { description: "The state", schema: sessionState }, ...errors(400, 401, 403, 404) },
  });
  router.get("/api/audit/sessions/:id/state", async (req, res) => {
    const input = parse(stateInput, { ...req.query, id: req.params.id });
    const state = await unknownPositionIsBadInput(() => sessionAsOf(log, input.id, asOf(input)));
    if (!state) throw new NotFoundError("No such chat session at that point");
    res.json(state);
  });

  describeRoute(router, {
    ...AUDITOR,
    method: "get",
    path: "/api/audit/users/:id/state",
    summary: "A chat user and its sessions as they were (role auditor)",
    input: stateInput,
    responses: { 200: { description: "The state", schema: chatUserState }, ...errors(400, 401, 403, 404) },
  });
  router.get("/api/audit/users/:id/state", async (req, res) => {
    const input = parse(stateInput, { ...req.query, id: req.params.id });
    const merged = await mergedUserIds(log, input.id);
    const state = await unknownPositionIsBadInput(() => chatUserAsOf(log, input.id, merged, asOf(input)));
    if (!state) throw new NotFoundError("No such chat user at that point");
    res.json(state);
  });

  describeRoute(router, {
    ...AUDITOR,
    method: "get",
    path: "/api/audit/verify",
    summary: "Check the hash chains of every stream, or of one (role auditor)",
    input: verifyInput,
    responses: { 200: { description: "The report", schema: verifyReport }, ...errors(400, 401, 403) },
  });
  router.get("/api/audit/verify", async (req, res) => {
    const input = parse(verifyInput, req.query);
    const checkpoint = await latestCheckpointToVerify(knex);
    res.json(await verifyChains(sealedLog ?? log, { streamId: input.stream, checkpoint }));
  });

  describeRoute(router, {
    ...AUDITOR,
    method: "get",
    path: "/api/audit/checkpoints",
    summary: "The log-head checkpoints taken so far, to keep elsewhere (role auditor)",
    responses: { 200: { description: "The checkpoints", schema: logCheckpointList }, ...errors(401, 403) },
  });
  router.get("/api/audit/checkpoints", async (_req, res) => {
    res.json({ checkpoints: await listLogCheckpoints(knex) });
  });

  return router;
}
