import { Router } from "express";
import { z } from "zod";
import { NotFoundError } from "../domain/errors";
import { eraseChatUser, eraseInput, type PrivacyDeps } from "../privacy/eraseChatUser";
import { exportChatUser } from "../privacy/exportSubject";
import { parse, requestContext } from "./context";
import { describeRoute } from "./openapi/routeDocs";
import { errors } from "./schemas/common";
import { erasureResult, subjectExport } from "./schemas/privacySchemas";
import { requireStaffRole, staffOf } from "./staffAuth";

const subjectInput = z.object({ chat_user_id: z.uuid() });

/** Data-subject rights for staff with the privacy role: erasure by crypto-shredding, and export. */
export function adminRoutes(deps: PrivacyDeps): Router {
  const router = Router();
  router.use("/api/admin/data-subjects", requireStaffRole("privacy"));

  describeRoute(router, {
    method: "post",
    path: "/api/admin/data-subjects/:chat_user_id/erase",
    summary: "Erase a chat user by crypto-shredding (role privacy)",
    tags: ["privacy"],
    auth: ["staffKey"],
    input: subjectInput,
    body: eraseInput.omit({ chat_user_id: true }),
    responses: { 200: { description: "Erased", schema: erasureResult }, ...errors(400, 401, 403, 404) },
  });
  router.post("/api/admin/data-subjects/:chat_user_id/erase", async (req, res) => {
    const input = parse(eraseInput, { ...req.body, chat_user_id: req.params.chat_user_id });
    const staff = staffOf(res.locals);
    const ctx = requestContext(req, res, { kind: "staff", id: staff?.id ?? "" });
    res.json(await eraseChatUser(deps, input, ctx));
  });

  describeRoute(router, {
    method: "get",
    path: "/api/admin/data-subjects/:chat_user_id/export",
    summary: "Everything held about a chat user, opened (role privacy)",
    tags: ["privacy"],
    auth: ["staffKey"],
    input: subjectInput,
    responses: { 200: { description: "The export", schema: subjectExport }, ...errors(400, 401, 403, 404) },
  });
  router.get("/api/admin/data-subjects/:chat_user_id/export", async (req, res) => {
    const input = parse(subjectInput, { chat_user_id: req.params.chat_user_id });
    const exported = await exportChatUser(deps, input.chat_user_id);
    if (!exported) throw new NotFoundError("Chat user not found");
    res.json(exported);
  });

  return router;
}
