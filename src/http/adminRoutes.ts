import { Router } from "express";
import { z } from "zod";
import { NotFoundError } from "../commands/errors";
import { eraseChatUser, eraseInput, type PrivacyDeps } from "../privacy/eraseChatUser";
import { exportChatUser } from "../privacy/exportSubject";
import { parse, requestContext } from "./context";
import { requireStaffRole, staffOf } from "./staffAuth";

const subjectInput = z.object({ chat_user_id: z.uuid() });

/** Data-subject rights for staff with the privacy role: erasure by crypto-shredding, and export. */
export function adminRoutes(deps: PrivacyDeps): Router {
  const router = Router();
  router.use("/api/admin/data-subjects", requireStaffRole("privacy"));

  router.post("/api/admin/data-subjects/:chat_user_id/erase", async (req, res) => {
    const input = parse(eraseInput, { ...req.body, chat_user_id: req.params.chat_user_id });
    const staff = staffOf(res.locals);
    const ctx = requestContext(req, res, { kind: "staff", id: staff?.id ?? "" });
    res.json(await eraseChatUser(deps, input, ctx));
  });

  router.get("/api/admin/data-subjects/:chat_user_id/export", async (req, res) => {
    const input = parse(subjectInput, { chat_user_id: req.params.chat_user_id });
    const exported = await exportChatUser(deps, input.chat_user_id);
    if (!exported) throw new NotFoundError("Chat user not found");
    res.json(exported);
  });

  return router;
}
