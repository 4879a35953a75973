#!/usr/bin/env node
import { Command } from "commander";
import { migrationSource } from "../migrations/index";
import { registerAuditCommands } from "./cli/audit";
import { registerIdentityCommands } from "./cli/identity";
import { registerKeyCommands } from "./cli/keys";
import { registerPrivacyCommands } from "./cli/privacy";
import { registerProjectionCommands } from "./cli/projections";
import { registerWebhookCommands } from "./cli/webhooks";
import { ConfigError, loadConfig } from "./config";
import { createProcessLogger } from "./logger";
import type { ServiceParts } from "./service";

/**
 * Runs until SIGTERM/SIGINT, then shuts down cleanly. The service's modules (express, Kafka, Redis, WebSocket…) load
 * here, not when the CLI starts: a one-shot command such as `keys list` never loads them.
 */
async function serve(parts: ServiceParts): Promise<void> {
  const config = loadConfig();
  // The service's log on stdout (it prints no results); readable on a terminal, JSON otherwise.
  const logger = createProcessLogger(config.LOG_LEVEL, 1);
  const { startService } = await import("./service");
  const service = await startService(config, logger, parts);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests and the current projector batch");
    service.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, "unclean shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

async function migrate(direction: "up" | "down"): Promise<void> {
  const config = loadConfig();
  const logger = createProcessLogger(config.LOG_LEVEL, 2);
  const [{ openDatabase, withRunningEmbedded }, { createKnex, migrateDownAll }] = await Promise.all([
    import("./database"),
    import("./db/database"),
  ]);
  const target = await withRunningEmbedded(config, logger);
  if (direction === "up") {
    const db = await openDatabase(target, logger); // migrates on open
    await db.close();
    logger.info("database is up to date");
    return;
  }
  if (target.databaseUrl === null) {
    const db = await openDatabase(target, logger);
    const rolledBack = await migrateDownAll(db.knex, migrationSource);
    logger.info({ rolledBack }, "migrations rolled back");
    await db.close();
    return;
  }
  const knex = createKnex(target.databaseUrl, 2);
  try {
    logger.info({ rolledBack: await migrateDownAll(knex, migrationSource) }, "migrations rolled back");
  } finally {
    await knex.destroy();
  }
}

export function buildCli(): Command {
  const program = new Command("livechat")
    .description("OSS LiveChat: event-sourced chat backend for the OSS portal widget")
    .showHelpAfterError();
  program
    .command("start")
    .description(
      "run the migrations, the API and the projector in one process (embedded Postgres if no database is configured)",
    )
    .action(() => serve({ api: true, projector: "log", webhooks: true }));
  program
    .command("api")
    .description(
      "run the HTTP API only (distributed mode: projectors and the relay run as their own processes)",
    )
    .action(() => serve({ api: true, projector: false }));
  program
    .command("relay")
    .description("follow the event store and publish to Kafka (one active, the others stand by)")
    .action(() => serve({ api: false, projector: false, relay: true }));
  program
    .command("projector")
    .description(
      "build the read tables: a Kafka consumer-group worker with BUS=kafka, else following the event store",
    )
    .action(() => serve({ api: false, projector: loadConfig().BUS === "kafka" ? "kafka" : "log" }));
  program
    .command("migrate")
    .description("apply (up, the default) or roll back all (down) database migrations")
    .argument("[direction]", "up or down", "up")
    .action(async (direction: string) => {
      if (direction !== "up" && direction !== "down")
        throw new ConfigError(`migrate: unknown direction "${direction}" (use up or down)`);
      await migrate(direction);
    });
  registerIdentityCommands(program);
  registerKeyCommands(program);
  registerAuditCommands(program);
  registerProjectionCommands(program);
  registerPrivacyCommands(program);
  registerWebhookCommands(program, () => serve({ api: false, projector: false, webhooks: true }));
  return program;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      if (err instanceof ConfigError) {
        console.error(err.message);
        process.exit(2);
      }
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
