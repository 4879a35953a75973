import type { Knex } from "knex";
import { z } from "zod";
import { ossUserIdField, uuidField } from "../commands/fields";
import { queryRows } from "../db/rawQuery";
import {
  SESSION_COLUMNS,
  SESSIONS_WITH_CONTACT,
  type SessionRow,
  type SessionView,
  toSessionView,
} from "./sessionRows";

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

const OSS_USER_CHAT_USER = `(SELECT id FROM chat_users
  WHERE oss_user_id = $1 AND merged_into_chat_user_id IS NULL AND deleted_at IS NULL LIMIT 1)`;

/**
 * Which sessions a history shows: an OSS user's are its chat user's (merged-in sessions included, see
 * historyOwner); a browser's are only those it started anonymously, even once it is linked to an account, so a
 * browser UUID alone never reads what the account did elsewhere. `s` is the session; $1 the user or browser.
 */
const SCOPE = {
  oss_user: `s.chat_user_id = ${OSS_USER_CHAT_USER}`,
  browser: "s.anonymous_browser_uuid = $1",
} as const;

/**
 * The page and the total in one statement: the count's single row, joined to the page's rows (none past the
 * end). $2 and $3 are the limit and the offset.
 */
const HISTORY = Object.fromEntries(
  Object.entries(SCOPE).map(([scope, where]) => [
    scope,
    `SELECT t.total, r.* FROM (SELECT count(*) AS total FROM chat_sessions s WHERE ${where} AND s.deleted_at IS NULL) t
     LEFT JOIN LATERAL (
       SELECT ${SESSION_COLUMNS} FROM ${SESSIONS_WITH_CONTACT}
       WHERE ${where} AND s.deleted_at IS NULL ORDER BY s.created_at DESC, s.id DESC LIMIT $2 OFFSET $3
     ) r ON true`,
  ]),
) as Record<keyof typeof SCOPE, string>;

/** The sessions a history shows, newest first. */
export async function getHistory(knex: Knex, input: HistoryInput): Promise<HistoryView> {
  const [scope, value] =
    input.oss_user_id !== undefined
      ? (["oss_user", input.oss_user_id] as const)
      : (["browser", input.browser_uuid as string] as const);
  const rows = await queryRows<Partial<SessionRow> & { total: string }>(knex, HISTORY[scope], [
    value,
    input.limit,
    input.offset,
  ]);
  return {
    // Past the last page the count's row comes alone, its session columns null.
    sessions: rows.filter((r) => r.id != null).map((r) => toSessionView(r as SessionRow)),
    total: Number(rows[0]?.total ?? 0),
    limit: input.limit,
    offset: input.offset,
  };
}
