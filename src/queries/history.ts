import type { Knex } from "knex";
import { z } from "zod";
import { ossUserIdField, uuidField } from "../commands/fields";
import { type SessionRow, type SessionView, sessionsWithContact, toSessionView } from "./sessionRows";

export const historyInput = z
  .object({
    oss_user_id: ossUserIdField.optional(),
    browser_uuid: uuidField.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    min_position: z.coerce.number().int().min(0).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.oss_user_id === undefined) === (v.browser_uuid === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["oss_user_id"],
        message: "give exactly one of oss_user_id or browser_uuid",
      });
    }
  });
export type HistoryInput = z.infer<typeof historyInput>;

export interface HistoryView {
  sessions: SessionView[];
  total: number;
  limit: number;
  offset: number;
}

/** The chat user whose history an OSS user sees: the one its identity holds (never a merged-away one). */
export async function historyOwner(knex: Knex, ossUserId: string): Promise<string | null> {
  const row = await knex
    .table("chat_users")
    .where({ oss_user_id: ossUserId })
    .whereNull("merged_into_chat_user_id")
    .whereNull("deleted_at")
    .first("id");
  return row?.id ?? null;
}

/**
 * Which sessions a history shows: an OSS user's are its chat user's (merged-in sessions included); a
 * browser's are only those it started anonymously, even once it is linked to an account, so a browser UUID
 * alone never reads what the account did elsewhere.
 */
async function historyScope(
  knex: Knex,
  input: HistoryInput,
): Promise<{ column: "chat_user_id" | "anonymous_browser_uuid"; value: string } | null> {
  if (input.oss_user_id !== undefined) {
    const owner = await historyOwner(knex, input.oss_user_id);
    return owner === null ? null : { column: "chat_user_id", value: owner };
  }
  return { column: "anonymous_browser_uuid", value: input.browser_uuid as string };
}

/** The sessions a history shows, newest first. */
export async function getHistory(knex: Knex, input: HistoryInput): Promise<HistoryView> {
  const empty = { sessions: [], total: 0, limit: input.limit, offset: input.offset };
  const scope = await historyScope(knex, input);
  if (scope === null) return empty;
  const { column, value } = scope;
  const [rows, count] = await Promise.all([
    sessionsWithContact(knex)
      .where(`s.${column}`, value)
      .orderBy([
        { column: "s.created_at", order: "desc" },
        { column: "s.id", order: "desc" },
      ])
      .limit(input.limit)
      .offset(input.offset) as Promise<SessionRow[]>,
    knex.table("chat_sessions").where(column, value).whereNull("deleted_at").count({ n: "*" }).first(),
  ]);
  return {
    sessions: rows.map(toSessionView),
    total: Number(count?.n ?? 0),
    limit: input.limit,
    offset: input.offset,
  };
}
