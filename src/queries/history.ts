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

/** The chat user whose history a caller sees: the OSS user's one, or the browser's (or its merge target). */
export async function historyOwner(
  knex: Knex,
  by: { ossUserId?: string; browserUuid?: string },
): Promise<string | null> {
  if (by.ossUserId !== undefined) {
    const row = await knex
      .table("chat_users")
      .where({ oss_user_id: by.ossUserId })
      .whereNull("merged_into_chat_user_id")
      .whereNull("deleted_at")
      .first("id");
    return row?.id ?? null;
  }
  const row = await knex
    .table("chat_users")
    .where({ browser_uuid: by.browserUuid })
    .first(knex.raw("coalesce(merged_into_chat_user_id, id) as id"));
  return row?.id ?? null;
}

/** A chat user's sessions, newest first. */
export async function getHistory(knex: Knex, input: HistoryInput): Promise<HistoryView> {
  const empty = { sessions: [], total: 0, limit: input.limit, offset: input.offset };
  const owner = await historyOwner(knex, { ossUserId: input.oss_user_id, browserUuid: input.browser_uuid });
  if (owner === null) return empty;
  const [rows, count] = await Promise.all([
    sessionsWithContact(knex)
      .where("s.chat_user_id", owner)
      .orderBy([
        { column: "s.created_at", order: "desc" },
        { column: "s.id", order: "desc" },
      ])
      .limit(input.limit)
      .offset(input.offset) as Promise<SessionRow[]>,
    knex
      .table("chat_sessions")
      .where({ chat_user_id: owner })
      .whereNull("deleted_at")
      .count({ n: "*" })
      .first(),
  ]);
  return {
    sessions: rows.map(toSessionView),
    total: Number(count?.n ?? 0),
    limit: input.limit,
    offset: input.offset,
  };
}
