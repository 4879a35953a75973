import { randomUUID } from "node:crypto";
import {
  decideClaim,
  decideRelease,
  evolveOssIdentity,
  initialOssIdentity,
  type OssIdentityState,
} from "../../src/commands/ossIdentity";
import type { Fact } from "../../src/events/chatEvents";

const given = (events: Fact[]): OssIdentityState => events.reduce(evolveOssIdentity, initialOssIdentity);

const AT = "2025-03-01T00:00:00.000Z";

function claimed(ossUserId: string, chatUserId: string, email: string): Fact {
  return {
    type: "OssIdentityClaimed",
    occurredAt: AT,
    data: { oss_user_id: ossUserId, chat_user_id: chatUserId, email },
  };
}

function released(ossUserId: string, chatUserId: string): Fact {
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

describe("OSS identity decider", () => {
  it("claims an unclaimed identity", () => {
    const f = fresh();
    expect(decideClaim(f, given([]))).toEqual([
      {
        type: "OssIdentityClaimed",
        data: { oss_user_id: f.ossUserId, chat_user_id: f.chatUserId, email: f.email },
      },
    ]);
  });

  it("decides nothing when the same chat user claims it again", () => {
    const f = fresh();
    expect(decideClaim(f, given([claimed(f.ossUserId, f.chatUserId, f.email)]))).toEqual([]);
  });

  it("does not hand a claimed identity to another chat user", () => {
    const f = fresh();
    const state = given([claimed(f.ossUserId, f.chatUserId, f.email)]);
    expect(decideClaim({ ...f, chatUserId: randomUUID() }, state)).toEqual([]);
  });

  it("releases a claimed identity, naming the chat user that held it", () => {
    const f = fresh();
    expect(decideRelease(f.ossUserId, given([claimed(f.ossUserId, f.chatUserId, f.email)]))).toEqual([
      { type: "OssIdentityReleased", data: { oss_user_id: f.ossUserId, chat_user_id: f.chatUserId } },
    ]);
  });

  it("decides nothing when releasing an unclaimed identity", () => {
    const f = fresh();
    expect(decideRelease(f.ossUserId, given([]))).toEqual([]);
    expect(
      decideRelease(
        f.ossUserId,
        given([claimed(f.ossUserId, f.chatUserId, f.email), released(f.ossUserId, f.chatUserId)]),
      ),
    ).toEqual([]);
  });

  it("claims afresh after a release", () => {
    const f = fresh();
    const next = randomUUID();
    const state = given([claimed(f.ossUserId, f.chatUserId, f.email), released(f.ossUserId, f.chatUserId)]);
    expect(decideClaim({ ...f, chatUserId: next }, state)).toEqual([
      { type: "OssIdentityClaimed", data: { oss_user_id: f.ossUserId, chat_user_id: next, email: f.email } },
    ]);
  });
});

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
