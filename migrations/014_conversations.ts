import type { Knex } from "knex";
import { addConversationTables, dropConversationTables } from "../src/projections/conversationSchema";

/** Conversations: messages, agents, assignment, closing, rating and read receipts in the read model. */
export async function up(knex: Knex): Promise<void> {
  await addConversationTables(knex, "public");
}

export async function down(knex: Knex): Promise<void> {
  // A rebuild's shadow schema has these tables too; it is rebuilt from the log on the next run.
  await knex.raw("DROP SCHEMA IF EXISTS rebuild_read_model CASCADE");
  await dropConversationTables(knex, "public");
}
