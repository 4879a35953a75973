import { randomUUID } from "node:crypto";
import { decideRegister } from "../../src/domain/chatUser/decide";
import type { ChatUserFact, ChatUserSnapshot } from "../../src/domain/chatUser/events";
import {
  type ChatUserState,
  evolveChatUser,
  initialChatUser,
  ossUserOf,
} from "../../src/domain/chatUser/state";
import type { Fact } from "../../src/events/chatEvents";

const given = (events: ChatUserFact[]): ChatUserState => events.reduce(evolveChatUser, initialChatUser);

const REGISTERED_AT = "2025-01-02T03:04:05.000Z";
const LINKED_AT = "2025-01-03T10:00:00.000Z";
const MERGED_AT = "2025-01-04T11:00:00.000Z";

function anonymousRegistered(chatUserId: string, browserUuid: string): ChatUserFact {
  return {
    type: "ChatUserRegistered",
    occurredAt: REGISTERED_AT,
    data: {
      chat_user_id: chatUserId,
      browser_uuid: browserUuid,
      oss_user_id: null,
      email: null,
      is_anonymous: true,
      ip_address: "203.0.113.7",
      user_agent: "Mozilla/5.0",
    },
  };
}

function linked(chatUserId: string, ossUserId: string, email: string): ChatUserFact {
  return {
    type: "ChatUserLinkedToOssUser",
    occurredAt: LINKED_AT,
    data: { chat_user_id: chatUserId, oss_user_id: ossUserId, email },
  };
}

function targetSnapshot(ossUserId: string, email: string): ChatUserSnapshot {
  return {
    browser_uuid: null,
    oss_user_id: ossUserId,
    email,
    is_anonymous: false,
    ip_address: "198.51.100.1",
    user_agent: null,
    created_at: REGISTERED_AT,
    updated_at: REGISTERED_AT,
  };
}

function mergedInto(
  chatUserId: string,
  intoChatUserId: string,
  ossUserId: string,
  email: string,
): ChatUserFact {
  return {
    type: "ChatUserMergedInto",
    occurredAt: MERGED_AT,
    data: {
      chat_user_id: chatUserId,
      into_chat_user_id: intoChatUserId,
      oss_user_id: ossUserId,
      email,
      into: targetSnapshot(ossUserId, email),
    },
  };
}

function fresh() {
  const n = randomUUID().slice(0, 8);
  return {
    chatUserId: randomUUID(),
    browserUuid: randomUUID(),
    targetId: randomUUID(),
    ossUserId: `oss-${n}`,
    email: `user-${n}@example.co.id`,
    otherOssUserId: `oss-other-${n}`,
    otherEmail: `other-${n}@example.co.id`,
  };
}

describe("chat user decider: register", () => {
  it("registers a new anonymous user", () => {
    const f = fresh();
    const events = decideRegister(
      {
        chatUserId: f.chatUserId,
        browserUuid: f.browserUuid,
        oss: null,
        ipAddress: "203.0.113.7",
        userAgent: "UA",
      },
      given([]),
    );
    expect(events).toEqual([
      {
        type: "ChatUserRegistered",
        data: {
          chat_user_id: f.chatUserId,
          browser_uuid: f.browserUuid,
          oss_user_id: null,
          email: null,
          is_anonymous: true,
          ip_address: "203.0.113.7",
          user_agent: "UA",
        },
      },
    ]);
  });

  it("registers a new OSS user as not anonymous", () => {
    const f = fresh();
    const events = decideRegister(
      {
        chatUserId: f.chatUserId,
        browserUuid: null,
        oss: { ossUserId: f.ossUserId, email: f.email },
        ipAddress: "198.51.100.1",
        userAgent: null,
      },
      given([]),
    );
    expect(events).toEqual([
      {
        type: "ChatUserRegistered",
        data: {
          chat_user_id: f.chatUserId,
          browser_uuid: null,
          oss_user_id: f.ossUserId,
          email: f.email,
          is_anonymous: false,
          ip_address: "198.51.100.1",
          user_agent: null,
        },
      },
    ]);
  });

  it("is idempotent: registering an existing user decides nothing", () => {
    const f = fresh();
    const events = decideRegister(
      {
        chatUserId: f.chatUserId,
        browserUuid: f.browserUuid,
        oss: null,
        ipAddress: "10.0.0.1",
        userAgent: "other",
      },
      given([anonymousRegistered(f.chatUserId, f.browserUuid)]),
    );
    expect(events).toEqual([]);
  });

  it("decides nothing for a user that was merged away", () => {
    const f = fresh();
    const events = decideRegister(
      {
        chatUserId: f.chatUserId,
        browserUuid: f.browserUuid,
        oss: null,
        ipAddress: "10.0.0.1",
        userAgent: null,
      },
      given([
        anonymousRegistered(f.chatUserId, f.browserUuid),
        mergedInto(f.chatUserId, f.targetId, f.ossUserId, f.email),
      ]),
    );
    expect(events).toEqual([]);
  });
});

describe("chat user evolve", () => {
  it("folds a registration into an active snapshot created and updated when it happened", () => {
    const f = fresh();
    expect(given([anonymousRegistered(f.chatUserId, f.browserUuid)])).toEqual({
      status: "active",
      chatUserId: f.chatUserId,
      snapshot: {
        browser_uuid: f.browserUuid,
        oss_user_id: null,
        email: null,
        is_anonymous: true,
        ip_address: "203.0.113.7",
        user_agent: "Mozilla/5.0",
        created_at: REGISTERED_AT,
        updated_at: REGISTERED_AT,
      },
    });
  });

  it("folds a link into a non-anonymous snapshot updated at the link time", () => {
    const f = fresh();
    expect(
      given([anonymousRegistered(f.chatUserId, f.browserUuid), linked(f.chatUserId, f.ossUserId, f.email)]),
    ).toEqual({
      status: "active",
      chatUserId: f.chatUserId,
      snapshot: {
        browser_uuid: f.browserUuid,
        oss_user_id: f.ossUserId,
        email: f.email,
        is_anonymous: false,
        ip_address: "203.0.113.7",
        user_agent: "Mozilla/5.0",
        created_at: REGISTERED_AT,
        updated_at: LINKED_AT,
      },
    });
  });

  it("folds a merge into the merged state", () => {
    const f = fresh();
    const state = given([
      anonymousRegistered(f.chatUserId, f.browserUuid),
      mergedInto(f.chatUserId, f.targetId, f.ossUserId, f.email),
    ]);
    expect(state).toEqual({
      status: "merged",
      chatUserId: f.chatUserId,
      intoChatUserId: f.targetId,
      ossUserId: f.ossUserId,
    });
  });

  it("ignores a link before any registration", () => {
    const f = fresh();
    expect(given([linked(f.chatUserId, f.ossUserId, f.email)])).toEqual({ status: "none" });
  });

  it("ignores events of other streams", () => {
    const f = fresh();
    const before = given([anonymousRegistered(f.chatUserId, f.browserUuid)]);
    // A stream holds its aggregate's events only; one read from elsewhere changes nothing.
    const foreign: Fact = {
      type: "ChatSessionStarted",
      occurredAt: LINKED_AT,
      data: {
        session_id: randomUUID(),
        chat_user_id: f.chatUserId,
        topic: "Izin",
        priority: "normal",
        channel: "web",
      },
    };
    const after = evolveChatUser(before, foreign as unknown as ChatUserFact);
    expect(after).toEqual(before);
  });
});

describe("ossUserOf", () => {
  it("names no OSS user for an unknown or anonymous user", () => {
    const f = fresh();
    expect(ossUserOf(given([]))).toBeNull();
    expect(ossUserOf(given([anonymousRegistered(f.chatUserId, f.browserUuid)]))).toBeNull();
  });

  it("names the linked OSS user, and the one a merged user was merged for", () => {
    const f = fresh();
    expect(
      ossUserOf(
        given([anonymousRegistered(f.chatUserId, f.browserUuid), linked(f.chatUserId, f.ossUserId, f.email)]),
      ),
    ).toBe(f.ossUserId);
    expect(
      ossUserOf(
        given([
          anonymousRegistered(f.chatUserId, f.browserUuid),
          mergedInto(f.chatUserId, f.targetId, f.otherOssUserId, f.otherEmail),
        ]),
      ),
    ).toBe(f.otherOssUserId);
  });
});
