import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { Pool, type PoolClient } from "pg";
import { createIdentityVerifier, type OssIdentity } from "../../src/auth/identityTokens";
import { linkUserInput, setContactInput, startChatInput } from "../../src/http/schemas/visitor";
import { historyInput } from "../../src/queries/history";
import { type SessionRow, toSessionView } from "../../src/queries/sessionRows";
import { linkBrowser } from "./link";
import { crudMessageRoute } from "./messages";
import {
  OWNS,
  ossChatUser,
  SESSION_COLUMNS,
  SESSIONS_WITH_CONTACT,
  startAnonymous,
  startLoggedIn,
  upsertContact,
} from "./sql";

/**
 * The baseline: the seed's endpoints as a plain CRUD service (express + pg) writing the read tables directly
 * in one transaction. The same input schemas and identity tokens as the product; no event store, no projector.
 * Used only by the bench, never served by the product.
 */
export async function startCrudServer(opts: { databaseUrl: string; secret: string; poolSize: number }) {
  const pool = new Pool({ connectionString: opts.databaseUrl, max: opts.poolSize });
  const verifier = createIdentityVerifier({
    kind: "secret",
    algorithm: "HS256",
    secret: new TextEncoder().encode(opts.secret),
    issuer: undefined,
    audience: undefined,
  });
  const tx = async <T>(fn: (db: PoolClient) => Promise<T>): Promise<T> => {
    const db = await pool.connect();
    try {
      await db.query("BEGIN");
      const result = await fn(db);
      await db.query("COMMIT");
      return result;
    } catch (err) {
      await db.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  };
  const fail = (res: Response, status: number, error: string) => res.status(status).json({ error });
  const ip = (req: Request) => (req.ip ?? "").replace(/^::ffff:/, "");

  const app = express();
  app.use(express.json({ limit: "64kb" }));
  app.use(async (req, res, next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1];
    if (token) {
      try {
        res.locals.oss = await verifier.verify(token);
      } catch {
        return void fail(res, 401, "Invalid identity token");
      }
    }
    res.locals.browser = req.get("x-browser-uuid")?.toLowerCase() ?? null;
    next();
  });
  const oss = (res: Response) => (res.locals.oss as OssIdentity | undefined) ?? null;

  app.post("/api/oss-chat/start", async (req, res) => {
    const user = oss(res);
    const body = user ? { oss_user_id: user.ossUserId, email: user.email, ...req.body } : req.body;
    const input = startChatInput.safeParse(body);
    if (!input.success) return void fail(res, 400, "Invalid request");
    const v = input.data;
    const ua = v.user_agent ?? req.get("user-agent") ?? null;
    if (v.oss_user_id !== undefined && user?.ossUserId !== v.oss_user_id)
      return void fail(res, 401, "Log in");
    const started = await tx((db) =>
      user && v.oss_user_id !== undefined
        ? startLoggedIn(db, user, ip(req), ua, v.topic, v.priority)
        : startAnonymous(db, v.browser_uuid as string, ip(req), ua, v.topic, v.priority),
    );
    res.status(201).json({
      session_id: started.sessionId,
      chat_user_id: started.chatUserId,
      status: "waiting",
      message: "Chat session started successfully",
      requires_contact: true,
      position: 0,
    });
  });

  app.post("/api/oss-chat/contact", async (req, res) => {
    const input = setContactInput.safeParse(req.body);
    if (!input.success) return void fail(res, 400, "Invalid request");
    const v = input.data;
    const owner = [v.session_id, res.locals.browser, oss(res)?.ossUserId ?? null];
    const created = await tx(async (db) => {
      const owned = await db.query(
        `SELECT 1 FROM chat_sessions s WHERE s.id = $1 AND ${OWNS} FOR UPDATE`,
        owner,
      );
      if (owned.rowCount === 0) return null;
      return upsertContact(db, {
        ...v,
        contact_phone: v.contact_phone ?? null,
        position: v.position ?? null,
        company_name: v.company_name ?? null,
      });
    });
    if (created === null) return void fail(res, 404, "Chat session not found");
    res.status(created ? 201 : 200).json({
      session_id: v.session_id,
      created,
      message: created ? "Contact information saved" : "Contact information updated",
      position: 0,
    });
  });

  app.post("/api/oss-chat/link-user", async (req, res) => {
    const user = oss(res);
    if (!user) return void fail(res, 401, "Log in");
    const input = linkUserInput.safeParse({ oss_user_id: user.ossUserId, email: user.email, ...req.body });
    if (!input.success) return void fail(res, 400, "Invalid request");
    const linked = await tx((db) => linkBrowser(db, input.data.browser_uuid, user));
    if (linked.status !== 200) return void fail(res, linked.status, linked.error);
    res.json({ ...linked.body, position: 0 });
  });

  app.get("/api/oss-chat/history", async (req, res) => {
    const user = oss(res);
    const named = user ? { oss_user_id: user.ossUserId } : { browser_uuid: res.locals.browser ?? undefined };
    const input = historyInput.safeParse({ ...named, ...req.query });
    if (!input.success) return void fail(res, 400, "Invalid request");
    const v = input.data;
    const owner =
      v.oss_user_id !== undefined
        ? await ossChatUser(pool, v.oss_user_id)
        : ((
            await pool.query<{ id: string }>(
              "SELECT coalesce(merged_into_chat_user_id, id) AS id FROM chat_users WHERE browser_uuid = $1",
              [v.browser_uuid],
            )
          ).rows[0]?.id ?? null);
    if (owner === null) return void res.json({ sessions: [], total: 0, limit: v.limit, offset: v.offset });
    const [rows, count] = await Promise.all([
      pool.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM ${SESSIONS_WITH_CONTACT}
         WHERE s.deleted_at IS NULL AND s.chat_user_id = $1 ORDER BY s.created_at DESC, s.id DESC LIMIT $2 OFFSET $3`,
        [owner, v.limit, v.offset],
      ),
      pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM chat_sessions WHERE chat_user_id = $1 AND deleted_at IS NULL",
        [owner],
      ),
    ]);
    res.json({
      sessions: rows.rows.map(toSessionView),
      total: Number(count.rows[0]?.n ?? 0),
      limit: v.limit,
      offset: v.offset,
    });
  });

  app.get("/api/oss-chat/session/:id", async (req, res) => {
    if (!/^[0-9a-f-]{36}$/i.test(req.params.id)) return void fail(res, 400, "Invalid request");
    const found = await pool.query<SessionRow & Record<string, unknown>>(
      `SELECT ${SESSION_COLUMNS}, u.browser_uuid, u.oss_user_id, u.email, u.is_anonymous,
         u.created_at AS user_created_at, u.updated_at AS user_updated_at
       FROM ${SESSIONS_WITH_CONTACT} JOIN chat_users u ON u.id = s.chat_user_id
       WHERE s.deleted_at IS NULL AND s.id = $1 AND ${OWNS}`,
      [req.params.id.toLowerCase(), res.locals.browser, oss(res)?.ossUserId ?? null],
    );
    const row = found.rows[0];
    if (!row) return void fail(res, 404, "Chat session not found");
    res.json({
      ...toSessionView(row),
      chat_user: {
        chat_user_id: row.chat_user_id,
        browser_uuid: row.browser_uuid,
        oss_user_id: row.oss_user_id,
        email: row.email,
        is_anonymous: row.is_anonymous,
        created_at: (row.user_created_at as Date).toISOString(),
        updated_at: (row.user_updated_at as Date).toISOString(),
      },
    });
  });

  crudMessageRoute(app, tx, oss);

  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    fail(res, 500, err.message);
  });

  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await pool.end();
    },
  };
}
