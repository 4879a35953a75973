import type { Command } from "commander";
import { type AuditRange, type AuditSelection, mergedUserIds, readAuditEvents } from "../audit/auditLog";
import { logEventsInput, stateInput, streamEventsInput, verifyInput } from "../audit/inputs";
import { latestCheckpointToVerify, listLogCheckpoints, takeLogCheckpoint } from "../audit/logCheckpoints";
import { chatUserAsOf, sessionAsOf } from "../audit/pointInTime";
import { verifyChains } from "../audit/verifyChains";
import { ConfigError } from "../config";
import type { EventLog } from "../eventstore/eventStore";
import { parseOptions, withDatabase } from "./withDatabase";

/** Streams a selection to stdout as NDJSON, one page in memory at a time, waiting when stdout is full. */
async function exportEvents(
  select: AuditSelection | ((log: EventLog) => Promise<AuditSelection>),
  range: AuditRange = {},
) {
  await withDatabase(async (db) => {
    const selection = typeof select === "function" ? await select(db.store) : select;
    for await (const page of readAuditEvents(db.store, selection, range)) {
      for (const event of page) {
        if (!process.stdout.write(`${JSON.stringify(event)}\n`))
          await new Promise((r) => process.stdout.once("drain", r));
      }
    }
  });
}

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command("audit")
    .description(
      "read the event log as recorded (NDJSON on stdout), past states, and verify its hash chains",
    );

  audit
    .command("session")
    .description("every event of a chat session, in log order")
    .argument("<session_id>")
    .action(async (id: string) => {
      const input = parseOptions("audit session", streamEventsInput, { id });
      await exportEvents({ kind: "stream", streamId: `chatSession-${input.id}` });
    });

  audit
    .command("user")
    .description("every event of a chat user and of the chat users merged into it (their sessions too)")
    .argument("<chat_user_id>")
    .action(async (id: string) => {
      const input = parseOptions("audit user", streamEventsInput, { id });
      await exportEvents(async (log) => ({ kind: "owners", ownerIds: await mergedUserIds(log, input.id) }));
    });

  audit
    .command("log")
    .description("the global log, optionally within positions and/or a time range [from, to)")
    .option("--from-position <n>", "first global position")
    .option("--to-position <n>", "last global position")
    .option("--from-time <iso>", "recorded at or after (ISO 8601)")
    .option("--to-time <iso>", "recorded before (ISO 8601)")
    .action(async (opts: Record<string, string | undefined>) => {
      const input = parseOptions("audit log", logEventsInput, {
        from_position: opts.fromPosition,
        to_position: opts.toPosition,
        from_time: opts.fromTime,
        to_time: opts.toTime,
      });
      await exportEvents(
        { kind: "log" },
        {
          fromPosition: input.from_position,
          toPosition: input.to_position,
          fromTime: input.from_time,
          toTime: input.to_time,
        },
      );
    });

  audit
    .command("state")
    .description("a chat session or chat user as it was at a time or a global position (JSON)")
    .argument("<kind>", "session or user")
    .argument("<id>")
    .option("--at <iso>", "as recorded at this time")
    .option("--position <n>", "as of this global position")
    .action(async (kind: string, id: string, opts: { at?: string; position?: string }) => {
      if (kind !== "session" && kind !== "user")
        throw new ConfigError(`audit state: unknown kind "${kind}" (use session or user)`);
      const input = parseOptions("audit state", stateInput, { id, at: opts.at, position: opts.position });
      const asOf = input.at ? { time: input.at } : { position: input.position as number };
      const state = await withDatabase(async (db) =>
        kind === "session"
          ? sessionAsOf(db.store, input.id, asOf)
          : chatUserAsOf(db.store, input.id, await mergedUserIds(db.store, input.id), asOf),
      );
      if (!state) {
        console.error(`no such chat ${kind} at that point`);
        process.exitCode = 1;
        return;
      }
      console.log(JSON.stringify(state, null, 2));
    });

  audit
    .command("verify")
    .description(
      "recompute the hash chains, check the log against the latest head checkpoint, and report each broken stream's first broken link (exit 1 if any)",
    )
    .option("--stream <stream_id>", "only this stream, e.g. chatSession-<id>")
    .action(async (opts: { stream?: string }) => {
      const input = parseOptions("audit verify", verifyInput, opts);
      const report = await withDatabase(async (db) =>
        verifyChains(db.sealedLog, {
          streamId: input.stream,
          checkpoint: await latestCheckpointToVerify(db.knex),
        }),
      );
      console.log(JSON.stringify(report, null, 2));
      if (!report.ok) {
        for (const b of report.broken)
          console.error(
            `BROKEN ${b.stream_id} revision ${b.stream_revision} (event ${b.event_id}, position ${b.global_position}): ${b.reason}`,
          );
        process.exitCode = 1;
      }
    });

  audit
    .command("checkpoint")
    .description("take a checkpoint of the log's head now (position and hash over every stream's head; JSON)")
    .action(async () => {
      const checkpoint = await withDatabase((db) => takeLogCheckpoint(db.knex, db.store));
      if (!checkpoint) throw new Error("another process is taking a checkpoint; try again");
      console.log(JSON.stringify(checkpoint, null, 2));
    });

  audit
    .command("checkpoints")
    .description("every log-head checkpoint as NDJSON, oldest first: keep a copy outside this database")
    .action(async () => {
      for (const c of await withDatabase((db) => listLogCheckpoints(db.knex))) console.log(JSON.stringify(c));
    });
}
