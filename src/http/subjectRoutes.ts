import { Router } from "express";
import { NotFoundError } from "../commands/errors";
import type { PrivacyDeps } from "../privacy/eraseChatUser";
import { exportChatUser } from "../privacy/exportSubject";
import { historyOwner } from "../queries/history";
import { callerOf } from "./identityAuth";
import { requireOssUser } from "./ownership";

/** The data subject's own right of access: a logged-in OSS user exports everything held about them. */
export function subjectRoutes(deps: PrivacyDeps & { readonly identityConfigured: boolean }): Router {
  const router = Router();
  router.get("/api/oss-chat/me/export", async (_req, res) => {
    const oss = requireOssUser(callerOf(res), deps.identityConfigured, {});
    const chatUserId = await historyOwner(deps.knex, oss.ossUserId);
    const exported = chatUserId === null ? null : await exportChatUser(deps, chatUserId);
    if (!exported) throw new NotFoundError("No chat data is held for this OSS user");
    res.json(exported);
  });
  return router;
}
