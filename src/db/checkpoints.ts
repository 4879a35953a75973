import type { Knex } from "knex";
import type { LogPosition } from "../eventstore/eventStore";

/** Named log positions of the log's followers (projectors, the relay), kept in `projection_checkpoints`. */
export async function saveCheckpoint(
  db: Knex | Knex.Transaction,
  name: string,
  position: LogPosition,
): Promise<void> {
  await checkpointUpsert(db, name, position);
}

/** The statement that saves a checkpoint, not yet run (to send with other writes of the same transaction). */
export function checkpointUpsert(db: Knex | Knex.Transaction, name: string, position: LogPosition) {
  return db
    .table("projection_checkpoints")
    .insert({
      name,
      commit_position: position.commit.toString(),
      prepare_position: position.prepare.toString(),
      updated_at: db.fn.now(),
    })
    .onConflict("name")
    .merge();
}

export async function loadCheckpoint(db: Knex, name: string): Promise<LogPosition | null> {
  const row: { commit_position: string; prepare_position: string } | undefined = await db
    .table("projection_checkpoints")
    .where({ name })
    .first("commit_position", "prepare_position");
  return row ? { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) } : null;
}
