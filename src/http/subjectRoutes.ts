import { Router } from "express";
import { NotFoundError } from "../domain/errors";
import type { PrivacyDeps } from "../privacy/eraseChatUser";
import { exportChatUser } from "../privacy/exportSubject";
import { historyOwner } from "../queries/history";
import { callerOf } from "./identityAuth";
import { describeRoute } from "./openapi/routeDocs";
import { requireOssUser } from "./ownership";
import { errors } from "./schemas/common";
import { subjectExport } from "./schemas/privacySchemas";

/** The data subject's own right of access: a logged-in OSS user exports everything held about them. */
export function subjectRoutes(deps: PrivacyDeps & { readonly identityConfigured: boolean }): Router {
  const router = Router();
  describeRoute(router, {
    method: "get",
    path: "/api/oss-chat/me/export",
    summary: "The logged-in OSS user's own data export (right of access)",
    tags: ["widget", "privacy"],
    auth: ["ossToken"],
    responses: { 200: { description: "The export", schema: subjectExport }, ...errors(401, 404) },
  });
  router.get("/api/oss-chat/me/export", async (_req, res) => {
    const oss = requireOssUser(callerOf(res), deps.identityConfigured, {});
    const chatUserId = await historyOwner(deps.knex, oss.ossUserId);
    const exported =
      chatUserId === null ? null : await exportChatUser(deps, chatUserId, new Date(), "visitor");
    if (!exported) throw new NotFoundError("No chat data is held for this OSS user");
    res.json(exported);
  });
  return router;
}
