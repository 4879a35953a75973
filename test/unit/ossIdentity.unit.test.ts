import { randomUUID } from "node:crypto";
import type { OssIdentityFact } from "../../src/domain/chatUser/events";
import {
  evolveOssIdentity,
  initialOssIdentity,
  type OssIdentityState,
} from "../../src/domain/chatUser/ossIdentity";

const given = (events: OssIdentityFact[]): OssIdentityState =>
  events.reduce(evolveOssIdentity, initialOssIdentity);

const AT = "2025-03-01T00:00:00.000Z";

function claimed(ossUserId: string, chatUserId: string, email: string): OssIdentityFact {
  return {
    type: "OssIdentityClaimed",
    occurredAt: AT,
    data: { oss_user_id: ossUserId, chat_user_id: chatUserId, email },
  };
}

function released(ossUserId: string, chatUserId: string): OssIdentityFact {
  return {
    type: "OssIdentityReleased",
    occurredAt: AT,
    data: { oss_user_id: ossUserId, chat_user_id: chatUserId },
  };
}

function fresh() {
  const n = randomUUID().slice(0, 8);
  return { ossUserId: `oss-${n}`, chatUserId: randomUUID(), email: `u-${n}@example.co.id` };
}

describe("OSS identity evolve", () => {
  it("folds a claim into the claiming chat user and its email", () => {
    const f = fresh();
    expect(given([claimed(f.ossUserId, f.chatUserId, f.email)])).toEqual({
      status: "claimed",
      chatUserId: f.chatUserId,
      email: f.email,
    });
  });

  it("folds a release back to unclaimed", () => {
    const f = fresh();
    expect(given([claimed(f.ossUserId, f.chatUserId, f.email), released(f.ossUserId, f.chatUserId)])).toEqual(
      {
        status: "unclaimed",
      },
    );
  });
});
