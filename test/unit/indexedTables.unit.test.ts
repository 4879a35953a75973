import fc from "fast-check";
import type { Fact } from "../../src/events/chatEvents";
import { IndexedTables } from "../../src/projections/indexedTables";
import { foldFacts } from "../../src/projections/memoryTables";

// A few ids, so that updates, merges and repeated upserts keep meeting rows that already exist.
const users = [
  "00000000-0000-4000-8000-000000000001",
  "00000000-0000-4000-8000-000000000002",
  "00000000-0000-4000-8000-000000000003",
];
const sessions = [
  "10000000-0000-4000-8000-000000000001",
  "10000000-0000-4000-8000-000000000002",
  "10000000-0000-4000-8000-000000000003",
];
const at = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();

const user = fc.constantFrom(...users);
const session = fc.constantFrom(...sessions);
const text = fc.constantFrom("a", "b", "c");

const fact: fc.Arbitrary<Fact> = fc.oneof(
  fc.record({ u: user, t: text, n: fc.nat(59) }).map(
    ({ u, t, n }): Fact => ({
      type: "ChatUserRegistered",
      occurredAt: at(n),
      data: {
        chat_user_id: u,
        browser_uuid: u,
        oss_user_id: null,
        email: null,
        is_anonymous: true,
        ip_address: t,
        user_agent: t,
      },
    }),
  ),
  fc.record({ u: user, t: text, n: fc.nat(59) }).map(
    ({ u, t, n }): Fact => ({
      type: "ChatUserLinkedToOssUser",
      occurredAt: at(n),
      data: { chat_user_id: u, oss_user_id: `oss-${t}`, email: `${t}@example.com` },
    }),
  ),
  fc.record({ u: user, into: user, t: text, n: fc.nat(59) }).map(
    ({ u, into, t, n }): Fact => ({
      type: "ChatUserMergedInto",
      occurredAt: at(n),
      data: {
        chat_user_id: u,
        into_chat_user_id: into,
        oss_user_id: `oss-${t}`,
        email: `${t}@example.com`,
        into: {
          browser_uuid: null,
          oss_user_id: `oss-${t}`,
          email: `${t}@example.com`,
          is_anonymous: false,
          ip_address: t,
          user_agent: null,
          created_at: at(0),
          updated_at: at(n),
        },
      },
    }),
  ),
  fc.record({ s: session, u: user, t: text, n: fc.nat(59) }).map(
    ({ s, u, t, n }): Fact => ({
      type: "ChatSessionStarted",
      occurredAt: at(n),
      data: { session_id: s, chat_user_id: u, topic: t, priority: "normal", channel: "web" },
    }),
  ),
  fc.record({ s: session, t: text, n: fc.nat(59) }).map(
    ({ s, t, n }): Fact => ({
      type: "ChatSessionContactSet",
      occurredAt: at(n),
      data: {
        session_id: s,
        contact_id: s.replace(/^1/, "2"),
        contact_name: t,
        contact_email: `${t}@example.com`,
        contact_phone: null,
        position: t,
        company_name: null,
      },
    }),
  ),
  fc.record({ s: session, t: text, n: fc.nat(59) }).map(
    ({ s, t, n }): Fact => ({
      type: "ChatSessionContactUpdated",
      occurredAt: at(n),
      data: {
        session_id: s,
        contact_name: t,
        contact_email: `${t}@example.com`,
        contact_phone: t,
        position: null,
        company_name: t,
      },
    }),
  ),
);

describe("IndexedTables", () => {
  test("folds any sequence of facts to the same rows as the plain in-memory tables (memoryTables)", () => {
    fc.assert(
      fc.property(fc.array(fact, { maxLength: 60 }), (facts) => {
        const indexed = new IndexedTables();
        for (const f of facts) indexed.fold(f);
        const plain = foldFacts(facts);
        expect(indexed.rows("chat_users")).toEqual(plain.chat_users);
        expect(indexed.rows("chat_sessions")).toEqual(plain.chat_sessions);
        expect(indexed.rows("chat_session_contacts")).toEqual(plain.chat_session_contacts);
      }),
      { numRuns: 300 },
    );
  });

  test("hands out each inserted or changed row once per window", () => {
    const t = new IndexedTables();
    const start = (s: string, u: string): Fact => ({
      type: "ChatSessionStarted",
      occurredAt: at(1),
      data: { session_id: s, chat_user_id: u, topic: "x", priority: "normal", channel: "web" },
    });
    t.fold(start(sessions[0] as string, users[0] as string));
    t.fold(start(sessions[1] as string, users[0] as string));
    expect(t.takeChanged("chat_sessions")).toHaveLength(2);
    expect(t.takeChanged("chat_sessions")).toHaveLength(0);
    t.apply({
      kind: "update",
      table: "chat_sessions",
      where: { chat_user_id: users[0] },
      set: { chat_user_id: users[1] },
    });
    expect(t.takeChanged("chat_sessions").map((r) => r.chat_user_id)).toEqual([users[1], users[1]]);
    // The index follows the change: the sessions are found under their new user, not the old one.
    t.apply({
      kind: "update",
      table: "chat_sessions",
      where: { chat_user_id: users[0] },
      set: { topic: "old" },
    });
    expect(t.takeChanged("chat_sessions")).toHaveLength(0);
  });
});
