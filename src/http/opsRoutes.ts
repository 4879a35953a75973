import { Router } from "express";
import type { Knex } from "knex";
import { projectionHealth } from "../ops/projectionHealth";
import { describeRoute } from "./openapi/routeDocs";
import { errors } from "./schemas/common";
import { projectionsHealth } from "./schemas/opsSchemas";
import { requireStaffRole } from "./staffAuth";

/** Ops' read API: how far each projection is, whether a rebuild runs, what was dead-lettered. */
export function opsRoutes(knex: Knex): Router {
  const router = Router();
  describeRoute(router, {
    method: "get",
    path: "/api/admin/projections",
    summary: "Projection lag, state, dead letters and any rebuild (role ops)",
    tags: ["operations"],
    auth: ["staffKey"],
    responses: { 200: { description: "The projections", schema: projectionsHealth }, ...errors(401, 403) },
  });
  router.get("/api/admin/projections", requireStaffRole("ops"), async (_req, res) => {
    res.json(await projectionHealth(knex));
  });
  return router;
}
