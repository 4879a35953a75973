import { Router } from "express";
import type { Knex } from "knex";
import { projectionHealth } from "../ops/projectionHealth";
import { requireStaffRole } from "./staffAuth";

/** Ops' read API: how far each projection is, whether a rebuild runs, what was dead-lettered. */
export function opsRoutes(knex: Knex): Router {
  const router = Router();
  router.get("/api/admin/projections", requireStaffRole("ops"), async (_req, res) => {
    res.json(await projectionHealth(knex));
  });
  return router;
}
