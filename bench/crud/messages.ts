import { randomUUID } from "node:crypto";
import type { Express, Response } from "express";
import type { PoolClient } from "pg";
import { visitorPostMessageBody } from "../../src/http/schemas/conversation";
import { OWNS } from "./sql";

/**
 * The baseline's POST /api/oss-chat/message: the same validation and owner check as the product, then the same
 * row written straight into chat_messages in one transaction. The session row is locked so seq stays gapless,
 * and a repeated client_message_id answers with the first message, as the product does.
 */
export function crudMessageRoute(
  app: Express,
  tx: <T>(fn: (db: PoolClient) => Promise<T>) => Promise<T>,
  oss: (res: Response) => { ossUserId: string } | null,
) {
  app.post("/api/oss-chat/message", async (req, res) => {
    const input = visitorPostMessageBody.safeParse(req.body);
    if (!input.success) return void res.status(400).json({ error: "Invalid request" });
    const v = input.data;
    const browser = res.locals.browser as string | null;
    const result = await tx(async (db) => {
      const session = await db.query<{ status: string; last_seq: number }>(
        `SELECT s.status, s.last_seq FROM chat_sessions s WHERE s.id = $1 AND ${OWNS} FOR UPDATE`,
        [v.session_id, browser, oss(res)?.ossUserId ?? null],
      );
      const row = session.rows[0];
      if (!row) return { status: 404 as const };
      if (v.client_message_id !== undefined) {
        const first = await db.query(
          "SELECT id, seq, created_at FROM chat_messages WHERE session_id = $1 AND client_message_id = $2",
          [v.session_id, v.client_message_id],
        );
        if (first.rows[0]) return { status: 200 as const, message: first.rows[0] };
      }
      if (row.status === "closed") return { status: 409 as const };
      const inserted = await db.query(
        `INSERT INTO chat_messages (id, session_id, seq, client_message_id, author_kind, author_id, author_name, body, created_at)
         VALUES ($1, $2, $3, $4, 'visitor', $5, NULL, $6, now()) RETURNING id, seq, created_at`,
        [randomUUID(), v.session_id, row.last_seq + 1, v.client_message_id ?? null, browser ?? "", v.body],
      );
      await db.query(
        "UPDATE chat_sessions SET last_seq = $2, last_message_at = now(), updated_at = now() WHERE id = $1",
        [v.session_id, row.last_seq + 1],
      );
      return { status: 201 as const, message: inserted.rows[0] };
    });
    if (result.status === 404) return void res.status(404).json({ error: "Chat session not found" });
    if (result.status === 409) return void res.status(409).json({ error: "Chat session is closed" });
    res.status(result.status).json({
      message_id: result.message.id,
      session_id: v.session_id,
      seq: result.message.seq,
      created_at: (result.message.created_at as Date).toISOString(),
      position: 0,
    });
  });
}
