import { z } from "zod";
import type { RequestContext } from "../events/metadata";
import type { CommandDeps } from "./deps";
import { emailField, ossUserIdField, uuidField } from "./fields";
import { appendDecidedToStreams, retryOnConflict } from "./handler";
import { decideIdentity, originOf, writesAt } from "./identities";
import { chatUserIdForBrowser, chatUserIdForOssUser } from "./identityIds";
import { decideLinkUser } from "./identityWorkflow";

export const linkUserInput = z.object({
  browser_uuid: uuidField,
  oss_user_id: ossUserIdField,
  email: emailField,
});
export type LinkUserInput = z.infer<typeof linkUserInput>;

export interface LinkUserResult {
  readonly chat_user_id: string;
  readonly oss_user_id: string;
  readonly merged: boolean;
  readonly message: string;
  readonly position: number | null;
}

/**
 * Links the browser's anonymous chat user to an OSS account, or merges it into the account's chat user, as the
 * identity workflow decides (src/commands/identityWorkflow.ts): every stream's events in one commit.
 */
export async function linkUser(
  deps: CommandDeps,
  input: LinkUserInput,
  requestCtx: RequestContext,
): Promise<LinkUserResult> {
  const login = { ossUserId: input.oss_user_id, email: input.email };
  const browserUserId = chatUserIdForBrowser(input.browser_uuid);
  return retryOnConflict(async () => {
    const { ctx, origin } = originOf(requestCtx);
    const prefetch = [browserUserId, chatUserIdForOssUser(login.ossUserId)];
    const decision = await decideIdentity(deps, login.ossUserId, prefetch, (states) =>
      decideLinkUser({ browserUuid: input.browser_uuid, login }, states, origin),
    );
    const appended = await appendDecidedToStreams(deps.store, writesAt(decision), ctx);
    const position = appended ?? decision.positions.get(browserUserId) ?? null;
    const { chatUserId, merged } = decision.result;
    return result(chatUserId, login.ossUserId, merged, position);
  });
}

function result(
  chatUserId: string,
  ossUserId: string,
  merged: boolean,
  position: bigint | null,
): LinkUserResult {
  return {
    chat_user_id: chatUserId,
    oss_user_id: ossUserId,
    merged,
    message: merged
      ? "Anonymous chat history merged into the OSS user's chat user"
      : "Anonymous chat user linked to the OSS user",
    position: position === null ? null : Number(position),
  };
}
