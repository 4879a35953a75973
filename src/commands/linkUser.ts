import { z } from "zod";
import type { DomainEvent } from "../events/chatEvents";
import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import { decideLink, decideMerge, ossUserOf } from "./chatUser";
import type { CommandDeps } from "./deps";
import { ConflictError, NotFoundError } from "./errors";
import { emailField, ossUserIdField, uuidField } from "./fields";
import { appendDecided, retryOnConflict } from "./handler";
import {
  chatUserIdForBrowser,
  identityOwner,
  loadChatUser,
  loadOssIdentity,
  resolveOssUser,
} from "./identities";
import { decideClaim } from "./ossIdentity";

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
 * Links the browser's anonymous chat user to an OSS account. If the account has a chat user already, the
 * anonymous one is merged into it. Linking again to the same account changes nothing; to another one is a conflict.
 */
export async function linkUser(
  deps: CommandDeps,
  input: LinkUserInput,
  ctx: RequestContext,
): Promise<LinkUserResult> {
  const oss = { ossUserId: input.oss_user_id, email: input.email };
  return retryOnConflict(async () => {
    const browserUserId = chatUserIdForBrowser(input.browser_uuid);
    const user = await loadChatUser(deps, browserUserId);
    if (user.state.status === "none") throw new NotFoundError("No chat user exists for this browser_uuid");
    const appendToBrowserUser = (events: DomainEvent[]) =>
      appendDecided(deps.store, streams.chatUser(browserUserId), user, events, ctx, browserUserId);
    const owner = ossUserOf(user.state);
    if (owner !== null && owner !== oss.ossUserId) {
      throw new ConflictError("This browser is already linked to another OSS user");
    }
    const identity = await loadOssIdentity(deps, oss.ossUserId);
    if (identity.state.status === "unclaimed") {
      // The browser's user becomes the account's chat user: claim the identity for it, then link it.
      const claim = decideClaim({ ...oss, chatUserId: browserUserId }, identity.state);
      await appendDecided(
        deps.store,
        streams.ossIdentity(oss.ossUserId),
        identity,
        claim,
        ctx,
        identityOwner(oss.ossUserId),
      );
    } else if (identity.state.chatUserId !== browserUserId) {
      const intoChatUserId = await resolveOssUser(deps, oss, ctx);
      const into = await loadChatUser(deps, intoChatUserId);
      if (into.state.status !== "active") throw new ConflictError("The OSS user's chat user is not active");
      const merge = decideMerge({ ...oss, intoChatUserId, into: into.state.snapshot }, user.state);
      return result(intoChatUserId, oss.ossUserId, true, await appendToBrowserUser(merge));
    }
    return result(
      browserUserId,
      oss.ossUserId,
      false,
      await appendToBrowserUser(decideLink(oss, user.state)),
    );
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
