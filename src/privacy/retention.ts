import type { Knex } from "knex";
import type { Logger } from "pino";
import { streams } from "../domain/streams";
import { ERASED } from "../events/recorded";
import type { EventStore } from "../eventstore/eventStore";
import type { KeyStore } from "./keyStore";
import { sessionMessagesKeyId } from "./personalFields";

export interface RetentionDeps {
  readonly knex: Knex;
  /** The encrypting store: the run's record is appended through it. */
  readonly store: EventStore;
  readonly keys: KeyStore;
}

export interface RetentionProgress {
  readonly done: number;
  readonly total: number;
}

export interface RetentionResult {
  readonly retention_days: number;
  readonly closed_before: string;
  readonly sessions: number;
}

const BATCH = 200;

/** Closed sessions older than the cutoff whose message key still exists: what retention has left to shred. */
function dueSessions(knex: Knex, closedBefore: Date) {
  return knex
    .table("chat_sessions as s")
    .join("pii_keys as k", "k.key_id", knex.raw("'m.' || s.id::text"))
    .where("s.status", "closed")
    .where("s.closed_at", "<", closedBefore);
}

/**
 * Shreds the message bodies of sessions closed longer than `days` ago: each session's message key is destroyed
 * (the bodies in the log and on the topic become unreadable), its bodies in the read table are blanked, and a
 * `RetentionApplied` event records which sessions, appended before the keys go so a crash leaves no silent gap.
 * The rest of the session (contact, rating, who wrote when) stays. Safe to run again: done sessions have no key.
 */
export async function applyMessageRetention(
  deps: RetentionDeps,
  days: number,
  options: { now?: Date; onProgress?: (p: RetentionProgress) => void } = {},
): Promise<RetentionResult> {
  const now = options.now ?? new Date();
  const closedBefore = new Date(now.getTime() - days * 86_400_000);
  const counted = await dueSessions(deps.knex, closedBefore).count({ n: "*" }).first();
  const total = Number(counted?.n ?? 0);
  let done = 0;
  options.onProgress?.({ done, total });
  for (;;) {
    const rows: { id: string }[] = await dueSessions(deps.knex, closedBefore)
      .orderBy("s.closed_at")
      .limit(BATCH)
      .select("s.id");
    if (rows.length === 0) break;
    const sessionIds = rows.map((r) => r.id);
    await deps.store.append(
      streams.privacy("retention"),
      [
        {
          type: "RetentionApplied",
          data: { retention_days: days, closed_before: closedBefore.toISOString(), session_ids: sessionIds },
          metadata: {
            occurred_at: now.toISOString(),
            correlation_id: `retention-${now.toISOString()}`,
            causation_id: null,
            actor: { kind: "system", id: "retention" },
            ip: null,
            user_agent: null,
            owner_id: "system",
          },
        },
      ],
      "any",
    );
    await deps.keys.destroyKeys(sessionIds.map(sessionMessagesKeyId));
    await blankMessageBodies(deps.knex, "public", sessionIds);
    done += sessionIds.length;
    options.onProgress?.({ done, total: Math.max(total, done) });
  }
  return { retention_days: days, closed_before: closedBefore.toISOString(), sessions: done };
}

/** Blanks the message bodies of sessions in the read table (the projection of RetentionApplied does the same). */
export async function blankMessageBodies(knex: Knex, schema: string, sessionIds: readonly string[]) {
  if (sessionIds.length === 0) return;
  await knex
    .withSchema(schema)
    .table("chat_messages")
    .whereIn("session_id", [...sessionIds])
    .update({ body: ERASED });
}

/** Runs retention every `intervalMs`, one process at a time (a session advisory lock), until stopped. */
export function startRetentionJob(
  deps: RetentionDeps & { readonly logger: Logger; readonly days: number; readonly intervalMs: number },
) {
  const LOCK = 0x6c63_7274; // "lcrt"
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const runOnce = async () => {
    await deps.knex.transaction(async (trx) => {
      const got = await trx.raw("SELECT pg_try_advisory_xact_lock(?) AS locked", [LOCK]);
      if (!got.rows[0]?.locked) return;
      const result = await applyMessageRetention(deps, deps.days);
      if (result.sessions > 0) deps.logger.info({ ...result }, "message retention applied");
    });
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((err) => deps.logger.error({ err }, "message retention failed; retrying at the next run"))
        .finally(schedule);
    }, deps.intervalMs);
  };
  running = runOnce()
    .catch((err) => deps.logger.error({ err }, "message retention failed; retrying at the next run"))
    .finally(schedule);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
