import { randomUUID } from "node:crypto";
import {
  decideSessionAccess,
  type SessionAccess,
  type SessionOrigin,
} from "../../src/commands/sessionAccess";
import type { ChatUserFact, OssIdentityFact } from "../../src/domain/chatUser/events";
import { chatUserIdForBrowser, chatUserIdForOssUser } from "../../src/domain/chatUser/identityIds";
import {
  type Decision,
  decideBrowserUser,
  decideLinkUser,
  decideOssUser,
  type IdentityStates,
  type StreamEvents,
} from "../../src/domain/chatUser/identityWorkflow";
import { evolveOssIdentity, initialOssIdentity } from "../../src/domain/chatUser/ossIdentity";
import { type ChatUserState, evolveChatUser, initialChatUser } from "../../src/domain/chatUser/state";
import { ConflictError, NotFoundError } from "../../src/domain/errors";
import type { ChatUserSnapshot, DomainEvent, Fact } from "../../src/events/chatEvents";

// Given the events of the identity's and the chat users' streams, when a command, then the events per stream.

const EARLIER = "2025-01-02T03:04:05.000Z";
const NOW = "2025-02-01T08:00:00.000Z";
const origin = { ipAddress: "203.0.113.9", userAgent: "Widget/2", occurredAt: NOW };

function fresh() {
  const n = randomUUID().slice(0, 8);
  const browserUuid = randomUUID();
  const ossUserId = `oss-${n}`;
  return {
    browserUuid,
    browserUser: chatUserIdForBrowser(browserUuid),
    login: { ossUserId, email: `user-${n}@example.co.id` },
    own: chatUserIdForOssUser(ossUserId),
    other: { ossUserId: `oss-other-${n}`, email: `other-${n}@example.co.id` },
  };
}

const at = (e: DomainEvent): Fact => ({ ...e, occurredAt: EARLIER }) as Fact;

const registeredAnonymous = (chatUserId: string, browserUuid: string): DomainEvent => ({
  type: "ChatUserRegistered",
  data: {
    chat_user_id: chatUserId,
    browser_uuid: browserUuid,
    oss_user_id: null,
    email: null,
    is_anonymous: true,
    ip_address: "198.51.100.1",
    user_agent: null,
  },
});
const registeredOss = (chatUserId: string, login: { ossUserId: string; email: string }): DomainEvent => ({
  type: "ChatUserRegistered",
  data: {
    chat_user_id: chatUserId,
    browser_uuid: null,
    oss_user_id: login.ossUserId,
    email: login.email,
    is_anonymous: false,
    ip_address: "198.51.100.1",
    user_agent: null,
  },
});
const linked = (chatUserId: string, login: { ossUserId: string; email: string }): DomainEvent => ({
  type: "ChatUserLinkedToOssUser",
  data: { chat_user_id: chatUserId, oss_user_id: login.ossUserId, email: login.email },
});
const claimed = (chatUserId: string, login: { ossUserId: string; email: string }): DomainEvent => ({
  type: "OssIdentityClaimed",
  data: { oss_user_id: login.ossUserId, chat_user_id: chatUserId, email: login.email },
});
const released = (chatUserId: string, ossUserId: string): DomainEvent => ({
  type: "OssIdentityReleased",
  data: { oss_user_id: ossUserId, chat_user_id: chatUserId },
});
const mergedInto = (
  chatUserId: string,
  into: string,
  login: { ossUserId: string; email: string },
  snapshot: ChatUserSnapshot,
): DomainEvent => ({
  type: "ChatUserMergedInto",
  data: {
    chat_user_id: chatUserId,
    into_chat_user_id: into,
    oss_user_id: login.ossUserId,
    email: login.email,
    into: snapshot,
  },
});

const snapshotOf = (login: { ossUserId: string; email: string }, when: string): ChatUserSnapshot => ({
  browser_uuid: null,
  oss_user_id: login.ossUserId,
  email: login.email,
  is_anonymous: false,
  ip_address: "198.51.100.1",
  user_agent: null,
  created_at: when,
  updated_at: when,
});

/** The states folded from the given streams; a chat user listed with no events reads as not existing. */
function given(identity: DomainEvent[], users: Record<string, DomainEvent[]>): IdentityStates {
  const states = new Map<string, ChatUserState>();
  for (const [id, events] of Object.entries(users)) {
    states.set(
      id,
      events.map(at).reduce((s, e) => evolveChatUser(s, e as ChatUserFact), initialChatUser),
    );
  }
  const identityState = identity
    .map(at)
    .reduce((s, e) => evolveOssIdentity(s, e as OssIdentityFact), initialOssIdentity);
  return { identity: identityState, users: states };
}

function decided<R>(d: Decision<R>): { result: R; writes: readonly StreamEvents[] } {
  if (d.kind !== "decided") throw new Error(`expected a decision, it asks to read ${d.chatUserId}`);
  return d;
}

/** The writes as stream → event types, in write order. */
const byStream = (writes: readonly StreamEvents[]) =>
  writes.map((w) => [w.streamId, w.events.map((e) => e.type)]);

describe("identity workflow: link user", () => {
  test("a first login claims the identity for the browser's user and links it, in that order", () => {
    const f = fresh();
    const d = decided(
      decideLinkUser(
        { browserUuid: f.browserUuid, login: f.login },
        given([], { [f.browserUser]: [registeredAnonymous(f.browserUser, f.browserUuid)], [f.own]: [] }),
        origin,
      ),
    );
    expect(d.result).toEqual({ chatUserId: f.browserUser, merged: false });
    expect(d.writes).toEqual([
      {
        streamId: `ossIdentity-${f.login.ossUserId}`,
        ownerId: f.own,
        events: [claimed(f.browserUser, f.login)],
      },
      {
        streamId: `chatUser-${f.browserUser}`,
        ownerId: f.browserUser,
        events: [linked(f.browserUser, f.login)],
      },
    ]);
  });

  test("linking again writes nothing", () => {
    const f = fresh();
    const d = decided(
      decideLinkUser(
        { browserUuid: f.browserUuid, login: f.login },
        given([claimed(f.browserUser, f.login)], {
          [f.browserUser]: [
            registeredAnonymous(f.browserUser, f.browserUuid),
            linked(f.browserUser, f.login),
          ],
          [f.own]: [],
        }),
        origin,
      ),
    );
    expect(d).toEqual({ kind: "decided", result: { chatUserId: f.browserUser, merged: false }, writes: [] });
  });

  test("an account with a chat user gets the browser's user merged into it, with its snapshot", () => {
    const f = fresh();
    const d = decided(
      decideLinkUser(
        { browserUuid: f.browserUuid, login: f.login },
        given([claimed(f.own, f.login)], {
          [f.browserUser]: [registeredAnonymous(f.browserUser, f.browserUuid)],
          [f.own]: [registeredOss(f.own, f.login)],
        }),
        origin,
      ),
    );
    expect(d.result).toEqual({ chatUserId: f.own, merged: true });
    expect(d.writes).toEqual([
      {
        streamId: `chatUser-${f.browserUser}`,
        ownerId: f.browserUser,
        events: [mergedInto(f.browserUser, f.own, f.login, snapshotOf(f.login, EARLIER))],
      },
    ]);
  });

  test("merged already for this account: nothing to write, the account's chat user answers", () => {
    const f = fresh();
    const d = decided(
      decideLinkUser(
        { browserUuid: f.browserUuid, login: f.login },
        given([claimed(f.own, f.login)], {
          [f.browserUser]: [
            registeredAnonymous(f.browserUser, f.browserUuid),
            mergedInto(f.browserUser, f.own, f.login, snapshotOf(f.login, EARLIER)),
          ],
        }),
        origin,
      ),
    );
    expect(d).toEqual({ kind: "decided", result: { chatUserId: f.own, merged: true }, writes: [] });
  });

  test("an identity released earlier, whose account kept its chat user, is claimed for it and the browser merged", () => {
    const f = fresh();
    const d = decided(
      decideLinkUser(
        { browserUuid: f.browserUuid, login: f.login },
        given([claimed(f.own, f.login), released(f.own, f.login.ossUserId)], {
          [f.browserUser]: [registeredAnonymous(f.browserUser, f.browserUuid)],
          [f.own]: [registeredOss(f.own, f.login)],
        }),
        origin,
      ),
    );
    expect(d.result).toEqual({ chatUserId: f.own, merged: true });
    expect(byStream(d.writes)).toEqual([
      [`ossIdentity-${f.login.ossUserId}`, ["OssIdentityClaimed"]],
      [`chatUser-${f.browserUser}`, ["ChatUserMergedInto"]],
    ]);
  });

  test("a claim left without its link (written before links were atomic) is completed, not claimed again", () => {
    const f = fresh();
    const d = decided(
      decideLinkUser(
        { browserUuid: f.browserUuid, login: f.login },
        given([claimed(f.browserUser, f.login)], {
          [f.browserUser]: [registeredAnonymous(f.browserUser, f.browserUuid)],
          [f.own]: [],
        }),
        origin,
      ),
    );
    expect(d.result).toEqual({ chatUserId: f.browserUser, merged: false });
    expect(byStream(d.writes)).toEqual([[`chatUser-${f.browserUser}`, ["ChatUserLinkedToOssUser"]]]);
  });

  test("a claim held by another account's chat user is released; the account's own user is registered and merged into", () => {
    const f = fresh();
    const stranger = randomUUID();
    const d = decided(
      decideLinkUser(
        { browserUuid: f.browserUuid, login: f.login },
        given([claimed(stranger, f.login)], {
          [f.browserUser]: [registeredAnonymous(f.browserUser, f.browserUuid)],
          [f.own]: [],
          [stranger]: [registeredAnonymous(stranger, randomUUID()), linked(stranger, f.other)],
        }),
        origin,
      ),
    );
    expect(d.result).toEqual({ chatUserId: f.own, merged: true });
    expect(d.writes).toEqual([
      {
        streamId: `ossIdentity-${f.login.ossUserId}`,
        ownerId: f.own,
        events: [released(stranger, f.login.ossUserId), claimed(f.own, f.login)],
      },
      {
        streamId: `chatUser-${f.own}`,
        ownerId: f.own,
        events: [
          {
            ...registeredOss(f.own, f.login),
            data: {
              ...registeredOss(f.own, f.login).data,
              ip_address: "203.0.113.9",
              user_agent: "Widget/2",
            },
          },
        ],
      },
      {
        streamId: `chatUser-${f.browserUser}`,
        ownerId: f.browserUser,
        events: [
          mergedInto(f.browserUser, f.own, f.login, {
            ...snapshotOf(f.login, NOW),
            ip_address: "203.0.113.9",
            user_agent: "Widget/2",
          }),
        ],
      },
    ]);
  });

  test("asks for each chat user it needs before deciding: the browser's, then the one the claim names", () => {
    const f = fresh();
    const holder = randomUUID();
    const command = { browserUuid: f.browserUuid, login: f.login };
    expect(decideLinkUser(command, given([claimed(holder, f.login)], {}), origin)).toEqual({
      kind: "read",
      chatUserId: f.browserUser,
    });
    const states = given([claimed(holder, f.login)], {
      [f.browserUser]: [registeredAnonymous(f.browserUser, f.browserUuid)],
    });
    expect(decideLinkUser(command, states, origin)).toEqual({ kind: "read", chatUserId: holder });
  });

  describe("refused, writing nothing", () => {
    const cases: [string, (f: ReturnType<typeof fresh>) => IdentityStates][] = [
      [
        "the browser is linked to another account (its identity unclaimed)",
        (f) =>
          given([], {
            [f.browserUser]: [
              registeredAnonymous(f.browserUser, f.browserUuid),
              linked(f.browserUser, f.other),
            ],
            [f.own]: [],
          }),
      ],
      [
        "the browser is linked to another account (its identity held by its own chat user)",
        (f) =>
          given([claimed(f.own, f.login)], {
            [f.browserUser]: [
              registeredAnonymous(f.browserUser, f.browserUuid),
              linked(f.browserUser, f.other),
            ],
            [f.own]: [registeredOss(f.own, f.login)],
          }),
      ],
      [
        "the browser was merged into another account's chat user",
        (f) =>
          given([claimed(f.own, f.login)], {
            [f.browserUser]: [
              registeredAnonymous(f.browserUser, f.browserUuid),
              mergedInto(f.browserUser, randomUUID(), f.other, snapshotOf(f.other, EARLIER)),
            ],
            [f.own]: [registeredOss(f.own, f.login)],
          }),
      ],
    ];
    test.each(cases)("409 when %s", (_name, states) => {
      const f = fresh();
      expect(() => decideLinkUser({ browserUuid: f.browserUuid, login: f.login }, states(f), origin)).toThrow(
        new ConflictError("This browser is already linked to another OSS user"),
      );
    });

    test("404 when the browser has no chat user", () => {
      const f = fresh();
      const states = given([], { [f.browserUser]: [], [f.own]: [] });
      expect(() => decideLinkUser({ browserUuid: f.browserUuid, login: f.login }, states, origin)).toThrow(
        NotFoundError,
      );
    });
  });
});

describe("identity workflow: the chat user of an OSS user", () => {
  test("a first start claims the identity and registers its chat user", () => {
    const f = fresh();
    const d = decided(decideOssUser(f.login, given([], { [f.own]: [] }), origin));
    expect(d.result).toEqual({ chatUserId: f.own });
    expect(byStream(d.writes)).toEqual([
      [`ossIdentity-${f.login.ossUserId}`, ["OssIdentityClaimed"]],
      [`chatUser-${f.own}`, ["ChatUserRegistered"]],
    ]);
    expect(d.writes[1]?.events[0]?.data).toMatchObject({
      oss_user_id: f.login.ossUserId,
      is_anonymous: false,
    });
  });

  test("claimed and registered: nothing to write", () => {
    const f = fresh();
    const states = given([claimed(f.own, f.login)], { [f.own]: [registeredOss(f.own, f.login)] });
    expect(decideOssUser(f.login, states, origin)).toEqual({
      kind: "decided",
      result: { chatUserId: f.own },
      writes: [],
    });
  });

  test("a claim without its chat user (written before claims were atomic) gets the chat user registered", () => {
    const f = fresh();
    const d = decided(decideOssUser(f.login, given([claimed(f.own, f.login)], { [f.own]: [] }), origin));
    expect(byStream(d.writes)).toEqual([[`chatUser-${f.own}`, ["ChatUserRegistered"]]]);
  });

  test("a claim held by a browser's user merged for this account answers with the merge target", () => {
    const f = fresh();
    const into = randomUUID();
    const states = given([claimed(f.browserUser, f.login)], {
      [f.own]: [],
      [f.browserUser]: [
        registeredAnonymous(f.browserUser, f.browserUuid),
        mergedInto(f.browserUser, into, f.login, snapshotOf(f.login, EARLIER)),
      ],
    });
    expect(decided(decideOssUser(f.login, states, origin))).toEqual({
      result: { chatUserId: into },
      writes: [],
      kind: "decided",
    });
  });
});

describe("identity workflow: the chat user of a browser", () => {
  test("registered on first use", () => {
    const f = fresh();
    const d = decided(decideBrowserUser(f.browserUuid, given([], { [f.browserUser]: [] }), origin));
    expect(d.result).toEqual({ chatUserId: f.browserUser });
    expect(d.writes).toEqual([
      {
        streamId: `chatUser-${f.browserUser}`,
        ownerId: f.browserUser,
        events: [
          {
            ...registeredAnonymous(f.browserUser, f.browserUuid),
            data: {
              ...registeredAnonymous(f.browserUser, f.browserUuid).data,
              ip_address: "203.0.113.9",
              user_agent: "Widget/2",
            },
          },
        ],
      },
    ]);
  });

  test("after a merge, the merge target, writing nothing", () => {
    const f = fresh();
    const states = given([], {
      [f.browserUser]: [
        registeredAnonymous(f.browserUser, f.browserUuid),
        mergedInto(f.browserUser, f.own, f.login, snapshotOf(f.login, EARLIER)),
      ],
    });
    expect(decided(decideBrowserUser(f.browserUuid, states, origin))).toEqual({
      kind: "decided",
      result: { chatUserId: f.own },
      writes: [],
    });
  });
});

describe("identity workflow: who owns a chat user's sessions", () => {
  const access = (a: Partial<SessionAccess>): SessionAccess => ({
    anySession: false,
    browserUuid: null,
    ossUserId: null,
    ...a,
  });

  test("the browser whose user started them, and after a merge the OSS user it was merged for", () => {
    const f = fresh();
    const stranger = randomUUID();
    const states = given([claimed(f.own, f.login)], {
      [chatUserIdForBrowser(stranger)]: [],
      [f.browserUser]: [
        registeredAnonymous(f.browserUser, f.browserUuid),
        mergedInto(f.browserUser, f.own, f.login, snapshotOf(f.login, EARLIER)),
      ],
      [f.own]: [registeredOss(f.own, f.login)],
    });
    const session = {
      chatUserId: f.browserUser,
      startedBy: { kind: "anonymous" as const, id: f.browserUuid },
    };
    const owns = (a: SessionAccess) => decided(decideSessionAccess(session, a, states)).result;
    expect(owns(access({ browserUuid: f.browserUuid }))).toBe(true);
    expect(owns(access({ ossUserId: f.login.ossUserId }))).toBe(true);
    expect(owns(access({ ossUserId: f.other.ossUserId }))).toBe(false);
    expect(owns(access({ browserUuid: stranger }))).toBe(false);
    expect(owns(access({ anySession: true }))).toBe(true);
  });

  test("a linked browser owns the sessions it started anonymously, not the account's others", () => {
    const f = fresh();
    const states = given([claimed(f.browserUser, f.login)], {
      [f.browserUser]: [registeredAnonymous(f.browserUser, f.browserUuid), linked(f.browserUser, f.login)],
    });
    const byBrowser = access({ browserUuid: f.browserUuid });
    const judge = (startedBy: SessionOrigin["startedBy"]) =>
      decided(decideSessionAccess({ chatUserId: f.browserUser, startedBy }, byBrowser, states)).result;
    expect(judge("unread")).toBe("start");
    expect(judge({ kind: "anonymous", id: f.browserUuid })).toBe(true);
    expect(judge({ kind: "oss_user", id: f.login.ossUserId })).toBe(false);
  });

  test("asks for the merge target before judging", () => {
    const f = fresh();
    const states = given([], {
      [f.browserUser]: [
        registeredAnonymous(f.browserUser, f.browserUuid),
        mergedInto(f.browserUser, f.own, f.login, snapshotOf(f.login, EARLIER)),
      ],
    });
    const session = { chatUserId: f.browserUser, startedBy: "unread" as const };
    expect(decideSessionAccess(session, access({ browserUuid: f.browserUuid }), states)).toEqual({
      kind: "read",
      chatUserId: f.own,
    });
  });
});
