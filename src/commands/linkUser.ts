import { chatUserIdForBrowser, chatUserIdForOssUser } from "../domain/chatUser/identityIds";
import { decideLinkUser, type OssLogin } from "../domain/chatUser/identityWorkflow";
import type { RequestContext } from "../events/metadata";
import type { CommandDeps } from "./deps";
import { appendWrites, rememberedFirst, UnverifiedNoOp } from "./handler";
import { checksAt, decideIdentity, originOf, rememberAppended, writesAt } from "./identities";

export interface LinkUser {
  readonly browserUuid: string;
  /** The verified OSS user the browser logged in as. */
  readonly login: OssLogin;
}

export interface LinkedUser {
  readonly chatUserId: string;
  readonly ossUserId: string;
  readonly merged: boolean;
  /** Position of the browser's chat user's last event (null: it has none), for read-your-writes. */
  readonly position: bigint | null;
}

/**
 * Links the browser's anonymous chat user to an OSS account, or merges it into the account's chat user, as the
 * identity workflow decides (src/domain/chatUser/identityWorkflow.ts): every stream's events in one commit.
 */
export async function linkUser(
  deps: CommandDeps,
  command: LinkUser,
  requestCtx: RequestContext,
): Promise<LinkedUser> {
  const { login } = command;
  const browserUserId = chatUserIdForBrowser(command.browserUuid);
  return rememberedFirst(async (remembered, appending) => {
    const { ctx, origin } = originOf(requestCtx);
    const prefetch = [browserUserId, chatUserIdForOssUser(login.ossUserId)];
    const decision = await decideIdentity(
      deps,
      login.ossUserId,
      prefetch,
      (states) => decideLinkUser(command, states, origin),
      { remembered },
    );
    const writes = writesAt(decision);
    if (remembered && writes.every((w) => w.events.length === 0)) throw new UnverifiedNoOp();
    appending();
    const written = await appendWrites(deps.store, writes, ctx, null, checksAt(decision));
    rememberAppended(deps, decision, written);
    const appended = written.at(-1)?.result.position ?? null;
    const { chatUserId, merged } = decision.result;
    return {
      chatUserId,
      ossUserId: login.ossUserId,
      merged,
      position: appended ?? decision.positions.get(browserUserId) ?? null,
    };
  });
}
