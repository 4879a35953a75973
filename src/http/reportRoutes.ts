import { type Response, Router } from "express";
import type { Knex } from "knex";
import type { StaffMember } from "../auth/staffKeys";
import { agentsInput, sessionsInput, summaryInput, timeseriesInput } from "../reports/inputs";
import {
  type ReportFilter,
  reportAgents,
  reportSessionRows,
  reportSummary,
  reportTimeseries,
  SESSION_COLUMNS,
} from "../reports/reportQueries";
import { parse } from "./context";
import { ForbiddenError } from "./errors";
import { describeRoute } from "./openapi/routeDocs";
import { errors } from "./schemas/common";
import {
  reportAgents as agentsBody,
  reportTimeseries as seriesBody,
  reportSummary as summaryBody,
} from "./schemas/reportSchemas";
import { requireStaffRole, staffOf } from "./staffAuth";

const REPORT_ROLES = ["supervisor", "ops", "agent"] as const;
const doc = { tags: ["reports"], auth: ["staffKey"] as const };

/**
 * The agent filter a caller may use: supervisors and ops any (or none); an agent only their own figures
 * (none given means their own; another agent's id is 403).
 */
function agentScope(res: Response, asked: string | undefined): string | undefined {
  const staff = staffOf(res.locals) as StaffMember;
  if (staff.role !== "agent") return asked;
  if (asked !== undefined && asked !== staff.id)
    throw new ForbiddenError("staff_role_required", { roles: "supervisor / ops" });
  return staff.id;
}

const periodOf = (input: { from: Date; to: Date; tz: string }) => ({
  from: input.from.toISOString(),
  to: input.to.toISOString(),
  tz: input.tz,
});

const csvCell = (v: unknown) => {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** Chat analytics from report_session_facts (roles supervisor and ops; an agent sees their own figures). */
export function reportRoutes(knex: Knex): Router {
  const router = Router();
  router.use("/api/reports", requireStaffRole(...REPORT_ROLES));

  describeRoute(router, {
    ...doc,
    method: "get",
    path: "/api/reports/summary",
    summary:
      "The report figures of the sessions started in [from, to) (supervisor, ops; an agent: their own)",
    input: summaryInput,
    responses: { 200: { description: "The figures", schema: summaryBody }, ...errors(400, 401, 403) },
  });
  router.get("/api/reports/summary", async (req, res) => {
    const input = parse(summaryInput, req.query);
    const agentId = agentScope(res, input.agent_id);
    const summary = await reportSummary(knex, { from: input.from, to: input.to, agentId });
    res.json({
      ...periodOf(input),
      agent_id: agentId ?? null,
      team_id: input.team_id ?? null,
      business_hours: input.business_hours === "true",
      ...summary,
    });
  });

  describeRoute(router, {
    ...doc,
    method: "get",
    path: "/api/reports/timeseries",
    summary: "One metric per hour, day or week in the zone tz (supervisor, ops; an agent: their own)",
    input: timeseriesInput,
    responses: { 200: { description: "The buckets", schema: seriesBody }, ...errors(400, 401, 403) },
  });
  router.get("/api/reports/timeseries", async (req, res) => {
    const input = parse(timeseriesInput, req.query);
    const filter: ReportFilter = { from: input.from, to: input.to, agentId: agentScope(res, input.agent_id) };
    const buckets = await reportTimeseries(knex, filter, input.metric, input.interval, input.tz);
    res.json({ ...periodOf(input), metric: input.metric, interval: input.interval, buckets });
  });

  describeRoute(router, {
    ...doc,
    method: "get",
    path: "/api/reports/agents",
    summary:
      "The figures per agent (the agent holding each session last) (supervisor, ops; an agent: their own row)",
    input: agentsInput,
    responses: { 200: { description: "One row per agent", schema: agentsBody }, ...errors(400, 401, 403) },
  });
  router.get("/api/reports/agents", async (req, res) => {
    const input = parse(agentsInput, req.query);
    const agents = await reportAgents(knex, {
      from: input.from,
      to: input.to,
      agentId: agentScope(res, undefined),
    });
    res.json({ ...periodOf(input), agents });
  });

  describeRoute(router, {
    ...doc,
    method: "get",
    path: "/api/reports/sessions",
    summary:
      "One CSV row per session started in [from, to), streamed; no personal data (supervisor, ops; an agent: their own)",
    input: sessionsInput,
    responses: {
      200: { description: "CSV with a header row", contentType: "text/csv" },
      ...errors(400, 401, 403),
    },
  });
  router.get("/api/reports/sessions", async (req, res) => {
    const input = parse(sessionsInput, req.query);
    const filter: ReportFilter = { from: input.from, to: input.to, agentId: agentScope(res, input.agent_id) };
    res.setHeader("content-type", "text/csv; charset=utf-8");
    res.setHeader("content-disposition", 'attachment; filename="sessions.csv"');
    res.write(`${SESSION_COLUMNS.join(",")}\n`);
    for await (const page of reportSessionRows(knex, filter)) {
      const text = page.map((row) => `${SESSION_COLUMNS.map((c) => csvCell(row[c])).join(",")}\n`).join("");
      if (!res.write(text)) await new Promise((resolve) => res.once("drain", resolve));
    }
    res.end();
  });
  return router;
}
