import type { Knex } from "knex";

/**
 * Lets the projector send a batch's writes as one SQL script: the script's first statement claims the batch's
 * streams in `stream_revisions` (each moves on only from the revision the batch was planned against) and calls
 * this with how many it claimed; fewer than planned raises P0412 ("the revisions moved"), which rolls the whole
 * script back before any row is written, and the projector plans again from the stored revisions.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION projection_claimed(p_claimed bigint, p_planned bigint) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF p_claimed IS DISTINCT FROM p_planned THEN
        RAISE EXCEPTION 'stream revisions moved: % of % streams as planned', p_claimed, p_planned
          USING ERRCODE = 'P0412';
      END IF;
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP FUNCTION IF EXISTS projection_claimed(bigint, bigint)");
}
