import type { Knex } from "knex";
import { historyOwner } from "./history";

/**
 * Whether a caller owns the sessions of `chatUserId` in the read tables: the chat user of its browser (or the
 * one that browser was merged into), or its OSS user's chat user.
 */
export async function readerOwns(
  knex: Knex,
  chatUserId: string,
  caller: { readonly browserUuid: string | null; readonly ossUserId: string | null },
): Promise<boolean> {
  if (
    caller.browserUuid !== null &&
    (await historyOwner(knex, { browserUuid: caller.browserUuid })) === chatUserId
  ) {
    return true;
  }
  return (
    caller.ossUserId !== null && (await historyOwner(knex, { ossUserId: caller.ossUserId })) === chatUserId
  );
}
