import { randomUUID } from "node:crypto";
import { type EventType, eventSchemas, eventTypes, type Fact } from "../../src/events/chatEvents";
import { chatAgentsProjection } from "../../src/projections/chatAgents";
import { chatMessagesProjection } from "../../src/projections/chatMessages";
import { chatSessionContactsProjection } from "../../src/projections/chatSessionContacts";
import { chatSessionsProjection } from "../../src/projections/chatSessions";
import { chatUsersProjection } from "../../src/projections/chatUsers";
import { projections } from "../../src/projections/index";
import type { Projection, RowOp } from "../../src/projections/rowOps";

const T = "2025-04-05T06:07:08.000Z";
const CREATED = "2025-04-01T00:00:00.000Z";
const UPDATED = "2025-04-02T00:00:00.000Z";

const ids = {
  chatUser: randomUUID(),
  into: randomUUID(),
  browser: randomUUID(),
  session: randomUUID(),
  contact: randomUUID(),
  message: randomUUID(),
  clientMessage: randomUUID(),
  agent: randomUUID(),
  otherAgent: randomUUID(),
  note: randomUUID(),
  canned: randomUUID(),
};
const OSS = `oss-${randomUUID().slice(0, 8)}`;
const EMAIL = "pemohon@example.co.id";

const contact = {
  contact_name: "Siti Rahma",
  contact_email: "siti@example.co.id",
  contact_phone: "+6281234567890",
  position: null,
  company_name: "CV Sejahtera",
};

const intoSnapshot = {
  browser_uuid: null,
  oss_user_id: OSS,
  email: EMAIL,
  is_anonymous: false,
  ip_address: "198.51.100.9",
  user_agent: "UA/target",
  created_at: CREATED,
  updated_at: UPDATED,
};

/** One sample per event type: a new type without a sample fails to compile here and fails the runtime check below. */
const samples: { [K in EventType]: Extract<Fact, { type: K }> } = {
  ChatUserRegistered: {
    type: "ChatUserRegistered",
    occurredAt: T,
    data: {
      chat_user_id: ids.chatUser,
      browser_uuid: ids.browser,
      oss_user_id: null,
      email: null,
      is_anonymous: true,
      ip_address: "203.0.113.5",
      user_agent: "UA/anon",
    },
  },
  ChatUserLinkedToOssUser: {
    type: "ChatUserLinkedToOssUser",
    occurredAt: T,
    data: { chat_user_id: ids.chatUser, oss_user_id: OSS, email: EMAIL },
  },
  ChatUserMergedInto: {
    type: "ChatUserMergedInto",
    occurredAt: T,
    data: {
      chat_user_id: ids.chatUser,
      into_chat_user_id: ids.into,
      oss_user_id: OSS,
      email: EMAIL,
      into: intoSnapshot,
    },
  },
  OssIdentityClaimed: {
    type: "OssIdentityClaimed",
    occurredAt: T,
    data: { oss_user_id: OSS, chat_user_id: ids.into, email: EMAIL },
  },
  OssIdentityReleased: {
    type: "OssIdentityReleased",
    occurredAt: T,
    data: { oss_user_id: OSS, chat_user_id: ids.into },
  },
  ChatSessionStarted: {
    type: "ChatSessionStarted",
    occurredAt: T,
    actor: { kind: "anonymous", id: ids.browser.toUpperCase() },
    data: {
      session_id: ids.session,
      chat_user_id: ids.chatUser,
      topic: "NIB",
      priority: "low",
      channel: "web",
    },
  },
  ChatSessionContactSet: {
    type: "ChatSessionContactSet",
    occurredAt: T,
    data: { session_id: ids.session, contact_id: ids.contact, ...contact },
  },
  ChatSessionContactUpdated: {
    type: "ChatSessionContactUpdated",
    occurredAt: T,
    data: { session_id: ids.session, ...contact },
  },
  ChatMessagePosted: {
    type: "ChatMessagePosted",
    occurredAt: T,
    data: {
      session_id: ids.session,
      message_id: ids.message,
      seq: 7,
      client_message_id: ids.clientMessage,
      author_kind: "visitor",
      author_id: ids.browser,
      author_name: "Siti Rahma",
      body: "<script>tetap teks</script>",
    },
  },
  ChatSessionAssigned: {
    type: "ChatSessionAssigned",
    occurredAt: T,
    data: {
      session_id: ids.session,
      agent_id: ids.agent,
      agent_name: "Agen Dewi",
      reason: "transfer",
      from_agent_id: ids.otherAgent,
    },
  },
  ChatSessionClosed: {
    type: "ChatSessionClosed",
    occurredAt: T,
    data: { session_id: ids.session, closed_by_kind: "agent", closed_by_id: ids.agent },
  },
  ChatSessionRated: {
    type: "ChatSessionRated",
    occurredAt: T,
    data: { session_id: ids.session, score: 4, comment: "Cepat" },
  },
  ChatMessagesRead: {
    type: "ChatMessagesRead",
    occurredAt: T,
    data: { session_id: ids.session, reader_kind: "visitor", reader_id: ids.browser, up_to_seq: 5 },
  },
  ChatNoteAdded: {
    type: "ChatNoteAdded",
    occurredAt: T,
    data: {
      session_id: ids.session,
      note_id: ids.note,
      after_seq: 3,
      author_id: ids.agent,
      author_name: "Agen Dewi",
      body: "Pemohon sudah kirim NIB",
    },
  },
  ChatLabelsSet: {
    type: "ChatLabelsSet",
    occurredAt: T,
    data: { session_id: ids.session, labels: ["nib", "urgent-follow-up"] },
  },
  CannedResponseSaved: {
    type: "CannedResponseSaved",
    occurredAt: T,
    data: {
      canned_response_id: ids.canned,
      scope: "shared",
      owner_agent_id: null,
      shortcut: "salam",
      title: "Salam",
      body: "Halo {{contact_name}}",
      team_id: null,
      language: "id",
    },
  },
  CannedResponseDeleted: {
    type: "CannedResponseDeleted",
    occurredAt: T,
    data: { canned_response_id: ids.canned, scope: "shared", owner_agent_id: null },
  },
  AgentStatusChanged: {
    type: "AgentStatusChanged",
    occurredAt: T,
    data: { agent_id: ids.agent, agent_name: "Agen Dewi", status: "available" },
  },
  ChatUserErased: {
    type: "ChatUserErased",
    occurredAt: T,
    data: {
      chat_user_id: ids.into,
      erased_chat_user_ids: [ids.into, ids.chatUser],
      erased_by: { kind: "staff", id: randomUUID() },
      reason: "data_subject_request",
      reference: "PDP-2025-0042",
    },
  },
  RetentionApplied: {
    type: "RetentionApplied",
    occurredAt: T,
    data: { retention_days: 90, closed_before: CREATED, session_ids: [ids.session] },
  },
  LogReencrypted: {
    type: "LogReencrypted",
    occurredAt: T,
    data: { streams: 3, events: 9, root_before: "a".repeat(64), root_after: "b".repeat(64) },
  },
};

type ProjectionName =
  | "chat_users"
  | "chat_sessions"
  | "chat_session_contacts"
  | "chat_messages"
  | "chat_agents";

const byName: Record<ProjectionName, Projection> = {
  chat_users: chatUsersProjection,
  chat_sessions: chatSessionsProjection,
  chat_session_contacts: chatSessionContactsProjection,
  chat_messages: chatMessagesProjection,
  chat_agents: chatAgentsProjection,
};

const none: Record<ProjectionName, RowOp[]> = {
  chat_users: [],
  chat_sessions: [],
  chat_session_contacts: [],
  chat_messages: [],
  chat_agents: [],
};

const sessionUpdate = (set: Record<string, unknown>): RowOp[] => [
  { kind: "update", table: "chat_sessions", where: { id: ids.session }, set },
];

/** The exact rows every projection writes for every event type; [] where it does not handle the type. */
const expected: { [K in EventType]: Record<ProjectionName, RowOp[]> } = {
  ChatUserRegistered: {
    ...none,
    chat_users: [
      {
        kind: "upsert",
        table: "chat_users",
        conflict: ["id"],
        onConflict: "replace",
        row: {
          id: ids.chatUser,
          browser_uuid: ids.browser,
          oss_user_id: null,
          email: null,
          is_anonymous: true,
          ip_address: "203.0.113.5",
          user_agent: "UA/anon",
          merged_into_chat_user_id: null,
          created_at: T,
          updated_at: T,
          deleted_at: null,
        },
      },
    ],
    chat_sessions: [],
    chat_session_contacts: [],
  },
  ChatUserLinkedToOssUser: {
    ...none,
    chat_users: [
      {
        kind: "update",
        table: "chat_users",
        where: { id: ids.chatUser },
        set: { oss_user_id: OSS, email: EMAIL, is_anonymous: false, updated_at: T },
      },
    ],
    chat_sessions: [],
    chat_session_contacts: [],
  },
  ChatUserMergedInto: {
    ...none,
    chat_users: [
      // The target's row first, kept if it exists, so the merged row and moved sessions can point at it.
      {
        kind: "upsert",
        table: "chat_users",
        conflict: ["id"],
        onConflict: "keep",
        row: {
          id: ids.into,
          browser_uuid: null,
          oss_user_id: OSS,
          email: EMAIL,
          is_anonymous: false,
          ip_address: "198.51.100.9",
          user_agent: "UA/target",
          created_at: CREATED,
          updated_at: UPDATED,
          merged_into_chat_user_id: null,
          deleted_at: null,
        },
      },
      {
        kind: "update",
        table: "chat_users",
        where: { id: ids.chatUser },
        set: {
          oss_user_id: OSS,
          email: EMAIL,
          is_anonymous: false,
          merged_into_chat_user_id: ids.into,
          updated_at: T,
          deleted_at: T,
        },
      },
    ],
    chat_sessions: [
      {
        kind: "update",
        table: "chat_sessions",
        where: { chat_user_id: ids.chatUser },
        set: { chat_user_id: ids.into, updated_at: T },
      },
    ],
    chat_session_contacts: [],
  },
  OssIdentityClaimed: { ...none },
  OssIdentityReleased: { ...none },
  ChatSessionStarted: {
    ...none,
    chat_users: [],
    chat_sessions: [
      {
        kind: "upsert",
        table: "chat_sessions",
        conflict: ["id"],
        onConflict: "replace",
        row: {
          id: ids.session,
          chat_user_id: ids.chatUser,
          topic: "NIB",
          priority: "low",
          status: "waiting",
          channel: "web",
          anonymous_browser_uuid: ids.browser,
          created_at: T,
          updated_at: T,
          deleted_at: null,
          assigned_agent_id: null,
          assigned_agent_name: null,
          assigned_at: null,
          last_seq: 0,
          last_message_at: null,
          visitor_read_seq: 0,
          agent_read_seq: 0,
          closed_at: null,
          closed_by_kind: null,
          rating_score: null,
          rating_comment: null,
          rated_at: null,
          labels: [],
        },
      },
    ],
    chat_session_contacts: [],
  },
  ChatSessionContactSet: {
    ...none,
    chat_users: [],
    chat_sessions: [],
    chat_session_contacts: [
      {
        kind: "upsert",
        table: "chat_session_contacts",
        conflict: ["session_id"],
        onConflict: "replace",
        row: {
          id: ids.contact,
          session_id: ids.session,
          ...contact,
          created_at: T,
          updated_at: T,
          deleted_at: null,
        },
      },
    ],
  },
  ChatSessionContactUpdated: {
    ...none,
    chat_users: [],
    chat_sessions: [],
    chat_session_contacts: [
      {
        kind: "update",
        table: "chat_session_contacts",
        where: { session_id: ids.session },
        set: { ...contact, updated_at: T },
      },
    ],
  },
  ChatMessagePosted: {
    ...none,
    chat_sessions: sessionUpdate({ last_seq: 7, last_message_at: T, updated_at: T }),
    chat_messages: [
      {
        kind: "upsert",
        table: "chat_messages",
        conflict: ["id"],
        onConflict: "keep",
        row: {
          id: ids.message,
          session_id: ids.session,
          seq: 7,
          client_message_id: ids.clientMessage,
          author_kind: "visitor",
          author_id: ids.browser,
          author_name: "Siti Rahma",
          body: "<script>tetap teks</script>",
          created_at: T,
        },
      },
    ],
  },
  ChatSessionAssigned: {
    ...none,
    chat_sessions: sessionUpdate({
      status: "active",
      assigned_agent_id: ids.agent,
      assigned_agent_name: "Agen Dewi",
      assigned_at: T,
      updated_at: T,
    }),
  },
  ChatSessionClosed: {
    ...none,
    chat_sessions: sessionUpdate({ status: "closed", closed_at: T, closed_by_kind: "agent", updated_at: T }),
  },
  ChatSessionRated: {
    ...none,
    chat_sessions: sessionUpdate({ rating_score: 4, rating_comment: "Cepat", rated_at: T, updated_at: T }),
  },
  ChatMessagesRead: { ...none, chat_sessions: sessionUpdate({ visitor_read_seq: 5 }) },
  AgentStatusChanged: {
    ...none,
    chat_agents: [
      {
        kind: "upsert",
        table: "chat_agents",
        conflict: ["id"],
        onConflict: "replace",
        row: { id: ids.agent, name: "Agen Dewi", status: "available", updated_at: T },
      },
    ],
  },
  // Erasure blanks the personal columns of the user's rows and of every user merged into it.
  ChatUserErased: {
    ...none,
    chat_users: [{ kind: "erase", table: "chat_users", chatUserIds: [ids.into, ids.chatUser] }],
    // The rating comment.
    chat_sessions: [{ kind: "erase", table: "chat_sessions", chatUserIds: [ids.into, ids.chatUser] }],
    chat_session_contacts: [
      { kind: "erase", table: "chat_session_contacts", chatUserIds: [ids.into, ids.chatUser] },
    ],
    // The bodies and author names of the subject's sessions' messages too.
    chat_messages: [{ kind: "erase", table: "chat_messages", chatUserIds: [ids.into, ids.chatUser] }],
  },
  // Retention shreds the bodies of the sessions it names, and nothing else.
  RetentionApplied: {
    ...none,
    chat_messages: [
      {
        kind: "update",
        table: "chat_messages",
        where: { session_id: ids.session },
        set: { body: "[erased]" },
      },
    ],
  },
  LogReencrypted: { ...none },
  ChatNoteAdded: { ...none },
  ChatLabelsSet: { ...none, chat_sessions: sessionUpdate({ labels: ["nib", "urgent-follow-up"] }) },
  CannedResponseSaved: { ...none },
  CannedResponseDeleted: { ...none },
};

const projectionNames = Object.keys(byName) as ProjectionName[];

describe("projection coverage", () => {
  it("has a sample and expected rows for every event type, and nothing else", () => {
    expect(Object.keys(samples).sort()).toEqual([...eventTypes].sort());
    expect(Object.keys(expected).sort()).toEqual([...eventTypes].sort());
  });

  it("runs the read-table projections, users before sessions before contacts and messages", () => {
    const order = [
      "chat_users",
      "chat_sessions",
      "chat_session_contacts",
      "chat_messages",
      "chat_agents",
      "chat_notes",
      "canned_responses",
      "search_documents",
    ];
    expect(projections.map((p) => p.name)).toEqual(order);
    expect(projections.map((p) => p.table)).toEqual(order);
  });

  it("marks the agent's side read on an agent's receipt", () => {
    const agentRead = {
      ...samples.ChatMessagesRead,
      data: { ...samples.ChatMessagesRead.data, reader_kind: "agent" as const, reader_id: ids.agent },
    };
    expect(chatSessionsProjection.project(agentRead)).toEqual(sessionUpdate({ agent_read_seq: 5 }));
  });

  it.each(eventTypes)("has a %s sample that is valid event data", (type) => {
    expect(eventSchemas[type].safeParse(samples[type].data).success).toBe(true);
  });
});

describe.each(eventTypes)("%s", (type) => {
  it.each(projectionNames)("projects into %s exactly the expected rows", (name) => {
    const sample = samples[type];
    const rows = expected[type];
    expect(byName[name].project(sample)).toEqual(rows[name]);
  });
});

describe("projection details", () => {
  it("records the browser only for a session started anonymously", () => {
    const startedBy = (actor: Fact["actor"]) => {
      const [op] = chatSessionsProjection.project({ ...samples.ChatSessionStarted, actor } as Fact);
      return op?.kind === "upsert" ? op.row.anonymous_browser_uuid : "no upsert";
    };
    expect(startedBy({ kind: "anonymous", id: ids.browser })).toBe(ids.browser);
    expect(startedBy({ kind: "oss_user", id: OSS })).toBeNull();
    expect(startedBy({ kind: "staff", id: ids.browser })).toBeNull();
    expect(startedBy(undefined)).toBeNull();
  });

  it("writes only to its own table", () => {
    for (const projection of projections) {
      for (const type of eventTypes) {
        for (const op of projection.project(samples[type])) expect(op.table).toBe(projection.table);
      }
    }
  });

  it("lets a merge's target row neither point elsewhere nor be deleted, whatever the snapshot says", () => {
    const [keep] = chatUsersProjection.project(samples.ChatUserMergedInto);
    expect(keep).toMatchObject({ kind: "upsert", onConflict: "keep" });
    expect(keep?.kind === "upsert" && keep.row).toMatchObject({
      id: ids.into,
      merged_into_chat_user_id: null,
      deleted_at: null,
    });
  });

  it("leaves its table alone for an event it does not use (a new event is an edit in its own aggregate)", () => {
    const unknown = { type: "SomethingElse", occurredAt: T, data: {} } as unknown as Fact;
    for (const projection of projections) expect(projection.project(unknown)).toEqual([]);
  });
});
