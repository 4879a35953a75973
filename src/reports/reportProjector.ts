import type { Knex } from "knex";
import type { Logger } from "pino";
import { checkpointUpsert, loadCheckpoint } from "../db/checkpoints";
import { toFact } from "../events/facts";
import type { RecordedEvent } from "../events/recorded";
import { type EventStore, type LogPosition, logStart } from "../eventstore/eventStore";
import { evolveSessionFacts, type SessionFacts, sessionFigures, sessionIdOf } from "./sessionFacts";

/** The reports projector's checkpoint, and the transaction lock that lets one batch or rebuild write at a time. */
export const REPORTS_PROJECTOR = "reports";
const REPORTS_LOCK_KEY = 7_246_023;
const TABLE = "report_session_facts";

interface Folded {
  facts: SessionFacts;
  revision: bigint;
}

type FactRow = Record<string, unknown>;

const iso = (v: unknown) =>
  v === null || v === undefined ? null : new Date(v as string | Date).toISOString();

function fromRow(row: FactRow): Folded {
  return {
    revision: BigInt(String(row.last_revision)),
    facts: {
      session_id: String(row.session_id),
      channel: String(row.channel),
      priority: String(row.priority),
      started_at: iso(row.started_at) as string,
      agent_id: (row.agent_id as string | null) ?? null,
      first_assigned_at: iso(row.first_assigned_at),
      closed_at: iso(row.closed_at),
      first_visitor_message_at: iso(row.first_visitor_message_at),
      first_response_at: iso(row.first_response_at),
      messages_visitor: Number(row.messages_visitor),
      messages_agent: Number(row.messages_agent),
      transfers: Number(row.transfers),
      csat: row.csat === null ? null : Number(row.csat),
    },
  };
}

function toRow({ facts, revision }: Folded): FactRow {
  return { ...facts, ...sessionFigures(facts), last_revision: revision.toString() };
}

/** Folds events (in log order) into the folded sessions given, skipping what a session's revision already holds. */
function foldInto(sessions: Map<string, Folded>, events: readonly RecordedEvent[], changed: Set<string>) {
  for (const event of events) {
    const fact = toFact(event);
    const id = sessionIdOf(fact);
    if (id === null) continue;
    const current = sessions.get(id);
    if (current && event.revision <= current.revision) continue;
    const next = evolveSessionFacts(current?.facts, fact);
    if (!next) continue;
    sessions.set(id, { facts: next, revision: event.revision });
    changed.add(id);
  }
}

async function writeRows(trx: Knex.Transaction, rows: FactRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await trx
      .table(TABLE)
      .insert(rows.slice(i, i + 500))
      .onConflict("session_id")
      .merge();
}

/**
 * Applies a batch of the log: the touched sessions' rows are read, the batch's events folded into them (an
 * event at or below a row's `last_revision` is skipped, so a batch applied twice changes nothing) and written
 * back with the checkpoint, in one transaction.
 */
export async function applyReportBatch(
  knex: Knex,
  batch: readonly RecordedEvent[],
  checkpoint: LogPosition,
): Promise<number> {
  return knex.transaction(async (trx) => {
    await trx.raw("SELECT pg_advisory_xact_lock(?)", [REPORTS_LOCK_KEY]);
    const ids = new Set<string>();
    for (const event of batch) {
      const id = sessionIdOf(toFact(event));
      if (id !== null) ids.add(id);
    }
    const sessions = new Map<string, Folded>();
    if (ids.size > 0)
      for (const row of await trx
        .table(TABLE)
        .whereIn("session_id", [...ids])
        .select("*"))
        sessions.set(String(row.session_id), fromRow(row));
    const changed = new Set<string>();
    foldInto(sessions, batch, changed);
    await writeRows(
      trx,
      [...changed].map((id) => toRow(sessions.get(id) as Folded)),
    );
    await checkpointUpsert(trx, REPORTS_PROJECTOR, checkpoint);
    return changed.size;
  });
}

/**
 * Rebuilds the fact rows from the whole log: folds it in memory, then, holding the reports lock, reads what
 * was appended meanwhile and replaces every row and the checkpoint in one transaction.
 */
export async function rebuildReportFacts(knex: Knex, store: EventStore, batchSize = 1000): Promise<number> {
  const sessions = new Map<string, Folded>();
  const changed = new Set<string>();
  let from = logStart;
  const readOn = async () => {
    for (;;) {
      const batch = await store.readAll(from, batchSize);
      const last = batch.at(-1);
      if (!last) return;
      foldInto(sessions, batch, changed);
      from = last.logPosition;
    }
  };
  await readOn();
  return knex.transaction(async (trx) => {
    await trx.raw("SELECT pg_advisory_xact_lock(?)", [REPORTS_LOCK_KEY]);
    await readOn();
    await trx.table(TABLE).delete();
    await writeRows(trx, [...sessions.values()].map(toRow));
    await checkpointUpsert(trx, REPORTS_PROJECTOR, from);
    return sessions.size;
  });
}

/** Follows the log and keeps report_session_facts; stops at a transaction boundary. */
export function startReportProjector(options: {
  knex: Knex;
  store: EventStore;
  logger: Logger;
  batchSize?: number;
  retryDelayMs?: number;
}): { stop(): Promise<void> } {
  const { knex, store, logger } = options;
  const controller = new AbortController();
  const done = (async () => {
    while (!controller.signal.aborted) {
      try {
        const from = (await loadCheckpoint(knex, REPORTS_PROJECTOR)) ?? logStart;
        for await (const batch of store.follow(from, {
          signal: controller.signal,
          batchSize: options.batchSize,
        })) {
          const last = batch.at(-1);
          if (last) await applyReportBatch(knex, batch, last.logPosition);
          if (controller.signal.aborted) return;
        }
      } catch (err) {
        if (controller.signal.aborted) break;
        logger.error(
          { err, projector: REPORTS_PROJECTOR },
          "reports projector failed; resuming from its checkpoint",
        );
        await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000));
      }
    }
  })();
  return {
    async stop() {
      controller.abort();
      await done;
    },
  };
}
