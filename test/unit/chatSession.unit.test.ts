import { randomUUID } from "node:crypto";
import type { ChatSessionFact } from "../../src/domain/chatSession/events";
import { decideSetContact, decideStart } from "../../src/domain/chatSession/opening";
import {
  type ChatSessionState,
  type ContactDetails,
  evolveChatSession,
  initialChatSession,
} from "../../src/domain/chatSession/state";
import { ConflictError, NotFoundError } from "../../src/domain/errors";

const given = (events: ChatSessionFact[]): ChatSessionState =>
  events.reduce(evolveChatSession, initialChatSession);

const STARTED_AT = "2025-02-01T08:00:00.000Z";
const CONTACT_AT = "2025-02-01T08:05:00.000Z";

function started(sessionId: string, chatUserId: string): ChatSessionFact {
  return {
    type: "ChatSessionStarted",
    occurredAt: STARTED_AT,
    data: {
      session_id: sessionId,
      chat_user_id: chatUserId,
      topic: "Izin usaha",
      priority: "high",
      channel: "web",
    },
  };
}

function contactSet(sessionId: string, contactId: string, contact: ContactDetails): ChatSessionFact {
  return {
    type: "ChatSessionContactSet",
    occurredAt: CONTACT_AT,
    data: { session_id: sessionId, contact_id: contactId, ...contact },
  };
}

function contactUpdated(sessionId: string, contact: ContactDetails): ChatSessionFact {
  return {
    type: "ChatSessionContactUpdated",
    occurredAt: CONTACT_AT,
    data: { session_id: sessionId, ...contact },
  };
}

const budi: ContactDetails = {
  contact_name: "Budi Santoso",
  contact_email: "budi@example.co.id",
  contact_phone: "+6281234567890",
  position: "Direktur",
  company_name: "PT Maju Jaya",
};

function fresh() {
  return { sessionId: randomUUID(), chatUserId: randomUUID(), contactId: randomUUID() };
}

describe("chat session decider: start", () => {
  it("starts a new session", () => {
    const f = fresh();
    const events = decideStart(
      {
        sessionId: f.sessionId,
        chatUserId: f.chatUserId,
        topic: "Perizinan",
        priority: "urgent",
        channel: "web",
      },
      given([]),
    );
    expect(events).toEqual([
      {
        type: "ChatSessionStarted",
        data: {
          session_id: f.sessionId,
          chat_user_id: f.chatUserId,
          topic: "Perizinan",
          priority: "urgent",
          channel: "web",
        },
      },
    ]);
  });

  it("refuses to start a session that exists already", () => {
    const f = fresh();
    const command = {
      sessionId: f.sessionId,
      chatUserId: f.chatUserId,
      topic: "x",
      priority: "low",
      channel: "web",
    } as const;
    expect(() => decideStart(command, given([started(f.sessionId, f.chatUserId)]))).toThrow(ConflictError);
  });
});

describe("chat session decider: set contact", () => {
  it("refuses to set the contact of a missing session", () => {
    const f = fresh();
    expect(() => decideSetContact({ contactId: f.contactId, contact: budi }, given([]))).toThrow(
      NotFoundError,
    );
  });

  it("sets the first contact of a session", () => {
    const f = fresh();
    const events = decideSetContact(
      { contactId: f.contactId, contact: budi },
      given([started(f.sessionId, f.chatUserId)]),
    );
    expect(events).toEqual([
      { type: "ChatSessionContactSet", data: { session_id: f.sessionId, contact_id: f.contactId, ...budi } },
    ]);
  });

  it("updates the contact when a different one is set", () => {
    const f = fresh();
    const changed: ContactDetails = { ...budi, contact_phone: null, position: "Manajer" };
    const events = decideSetContact(
      { contactId: randomUUID(), contact: changed },
      given([started(f.sessionId, f.chatUserId), contactSet(f.sessionId, f.contactId, budi)]),
    );
    expect(events).toEqual([
      { type: "ChatSessionContactUpdated", data: { session_id: f.sessionId, ...changed } },
    ]);
  });

  it.each([
    ["contact_name", { contact_name: "Budi S." }],
    ["contact_email", { contact_email: "budi.s@example.co.id" }],
    ["contact_phone", { contact_phone: null }],
    ["position", { position: null }],
    ["company_name", { company_name: "PT Lain" }],
  ] as const)("treats a change of %s alone as an update", (_field, change) => {
    const f = fresh();
    const events = decideSetContact(
      { contactId: randomUUID(), contact: { ...budi, ...change } },
      given([started(f.sessionId, f.chatUserId), contactSet(f.sessionId, f.contactId, budi)]),
    );
    expect(events.map((e) => e.type)).toEqual(["ChatSessionContactUpdated"]);
  });

  it("decides nothing when the identical contact is set again", () => {
    const f = fresh();
    const events = decideSetContact(
      { contactId: randomUUID(), contact: { ...budi } },
      given([started(f.sessionId, f.chatUserId), contactSet(f.sessionId, f.contactId, budi)]),
    );
    expect(events).toEqual([]);
  });

  it("compares with the latest update, not the first contact", () => {
    const f = fresh();
    const changed: ContactDetails = { ...budi, company_name: "PT Baru" };
    const history = [
      started(f.sessionId, f.chatUserId),
      contactSet(f.sessionId, f.contactId, budi),
      contactUpdated(f.sessionId, changed),
    ];
    expect(decideSetContact({ contactId: randomUUID(), contact: changed }, given(history))).toEqual([]);
    expect(decideSetContact({ contactId: randomUUID(), contact: budi }, given(history))).toEqual([
      { type: "ChatSessionContactUpdated", data: { session_id: f.sessionId, ...budi } },
    ]);
  });
});

describe("chat session evolve", () => {
  it("folds a start into a started session without contact", () => {
    const f = fresh();
    expect(given([started(f.sessionId, f.chatUserId)])).toMatchObject({
      status: "started",
      sessionId: f.sessionId,
      chatUserId: f.chatUserId,
      contact: null,
      phase: "waiting",
      assignee: null,
      lastSeq: 0,
    });
  });

  it("keeps only the contact details, not the contact id or session id", () => {
    const f = fresh();
    const state = given([started(f.sessionId, f.chatUserId), contactSet(f.sessionId, f.contactId, budi)]);
    expect(state).toMatchObject({
      status: "started",
      sessionId: f.sessionId,
      chatUserId: f.chatUserId,
      contact: budi,
    });
    expect(state.status === "started" && Object.keys(state.contact ?? {}).sort()).toEqual(
      Object.keys(budi).sort(),
    );
  });

  it("ignores a contact before the session started", () => {
    const f = fresh();
    expect(given([contactSet(f.sessionId, f.contactId, budi)])).toEqual({ status: "none" });
  });
});
