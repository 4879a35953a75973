import type { Command } from "commander";
import { ConfigError } from "../config";
import { projectionHealth } from "../ops/projectionHealth";
import { rebuildReadModel } from "../ops/rebuild";
import { LIVE_PROJECTOR } from "../ops/rebuildNames";
import { retryDeadLetters } from "../ops/retryDeadLetters";
import { REPORTS_PROJECTOR, rebuildReportFacts } from "../reports/reportProjector";
import { rebuildProgressReporter } from "./progress";
import { withDatabase } from "./withDatabase";

export function registerProjectionCommands(program: Command): void {
  const projections = program
    .command("projections")
    .description("rebuild the read tables and watch their health");

  projections
    .command("rebuild")
    .description(
      "replay the log into a shadow schema while the live tables keep serving, then swap atomically (resumable)",
    )
    .argument(
      "[name]",
      `the projector to rebuild (${LIVE_PROJECTOR}: all read tables, then the report facts; ${REPORTS_PROJECTOR}: the report facts only)`,
      LIVE_PROJECTOR,
    )
    .action(async (name: string) => {
      if (name !== LIVE_PROJECTOR && name !== REPORTS_PROJECTOR)
        throw new ConfigError(
          `projections rebuild: unknown projection "${name}" (the read tables share one projector: ${LIVE_PROJECTOR}; report facts: ${REPORTS_PROJECTOR})`,
        );
      if (name === REPORTS_PROJECTOR) {
        const sessions = await withDatabase((db) => rebuildReportFacts(db.knex, db.store));
        console.log(`rebuilt ${REPORTS_PROJECTOR}: ${sessions} sessions`);
        return;
      }
      const progress = rebuildProgressReporter();
      const result = await withDatabase(async (db) =>
        rebuildReadModel({ knex: db.knex, store: db.store, onProgress: (p) => progress.update(p) }).finally(
          () => progress.stop(),
        ),
      );
      console.log(
        `rebuilt ${LIVE_PROJECTOR}: ${result.replayed} events replayed${result.resumed ? " (resumed)" : ""}, swapped after ${result.swapAttempts} attempt(s)`,
      );
      const sessions = await withDatabase((db) => rebuildReportFacts(db.knex, db.store));
      console.log(`rebuilt ${REPORTS_PROJECTOR}: ${sessions} sessions`);
    });

  projections
    .command("retry")
    .description(
      "apply the dead letters again (after fixing their cause); rows written by later events are left as they are",
    )
    .action(async () => {
      const result = await withDatabase((db) => retryDeadLetters(db.knex, db.store));
      console.log(`dead letters: ${result.retried} applied, ${result.failing} still failing`);
      if (result.failing > 0) process.exitCode = 1;
    });

  projections
    .command("status")
    .description("checkpoint, log head, lag in events and seconds, state and dead letters (JSON)")
    .action(async () => {
      const health = await withDatabase((db) => projectionHealth(db.knex));
      console.log(JSON.stringify(health, null, 2));
    });
}
