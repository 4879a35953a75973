import { randomUUID } from "node:crypto";
import type { CannedResponseEvent } from "../../src/domain/cannedResponses/events";
import { chatSessionDecider } from "../../src/domain/chatSession/decide";
import type { ChatSessionEvent } from "../../src/domain/chatSession/events";
import { ConflictError, NotFoundError } from "../../src/domain/errors";
import type { Fact } from "../../src/events/chatEvents";
import type { RecordedEvent } from "../../src/eventstore/eventStore";
import {
  cannedResponsesProjection,
  chatNotesProjection,
  searchDocumentsProjection,
} from "../../src/projections/workspace";
import { deliveriesFor } from "../../src/webhooks/deliveries";
import { cannedDecider } from "../../src/workspace/cannedResponses";
import { renderCanned } from "../../src/workspace/renderCanned";
import {
  decodeCursor,
  encodeCursor,
  markedRanges,
  parseQuery,
  snippetOf,
  substringRanges,
} from "../../src/workspace/searchText";
import { authorKindVisibleTo, eventVisibleTo, sessionRowFor } from "../../src/workspace/visibility";
import { deciderSpec } from "../support/decider";

const T = "2025-03-01T09:00:00.000Z";

describe("canned responses (decider)", () => {
  const set = deciderSpec(cannedDecider);
  const id = randomUUID();
  const fields = {
    shortcut: "salam",
    title: "Salam",
    body: "Halo {{contact_name}}",
    team_id: null,
    language: "id" as const,
  };
  const saved: CannedResponseEvent = {
    type: "CannedResponseSaved",
    data: { canned_response_id: id, scope: "shared", owner_agent_id: null, ...fields },
  };
  const save = (over: Partial<typeof fields>, existing: boolean, rid = id) =>
    ({
      type: "SaveCannedResponse",
      id: rid,
      existing,
      scope: "shared",
      ownerAgentId: null,
      fields: { ...fields, ...over },
    }) as const;

  it("creates, changes, and refuses a shortcut another response of the set has", () => {
    set.given([]).when(save({}, false)).thenEvents([saved]);
    set.given([saved]).when(save({}, false)).thenThrows(ConflictError);
    set
      .given([saved])
      .when(save({}, false, randomUUID()))
      .thenThrows(ConflictError, /shortcut/);
    set
      .given([saved])
      .when(save({ title: "Salam pagi" }, true))
      .thenEvents([{ ...saved, data: { ...saved.data, title: "Salam pagi" } }]);
    set.given([saved]).when(save({}, true)).thenNothing();
    set.given([]).when(save({}, true)).thenThrows(NotFoundError);
  });

  it("deletes a response; its shortcut is free again", () => {
    const deleted: CannedResponseEvent = {
      type: "CannedResponseDeleted",
      data: { canned_response_id: id, scope: "shared", owner_agent_id: null },
    };
    set
      .given([saved])
      .when({ type: "DeleteCannedResponse", id, scope: "shared", ownerAgentId: null })
      .thenEvents([deleted]);
    set
      .given([saved, deleted])
      .when({ type: "DeleteCannedResponse", id, scope: "shared", ownerAgentId: null })
      .thenThrows(NotFoundError);
    expect(
      set
        .given([saved, deleted])
        .when(save({}, false, randomUUID()))
        .events(),
    ).toHaveLength(1);
  });
});

describe("notes and labels (chat session decider)", () => {
  const session = deciderSpec(chatSessionDecider);
  const sessionId = randomUUID();
  const started: ChatSessionEvent = {
    type: "ChatSessionStarted",
    data: {
      session_id: sessionId,
      chat_user_id: randomUUID(),
      topic: "NIB",
      priority: "normal",
      channel: "web",
    },
  };
  const posted: ChatSessionEvent = {
    type: "ChatMessagePosted",
    data: {
      session_id: sessionId,
      message_id: randomUUID(),
      seq: 1,
      client_message_id: null,
      author_kind: "visitor",
      author_id: "b",
      author_name: null,
      body: "Halo",
    },
  };
  const dewi = { id: randomUUID(), name: "Dewi" };

  it("a note follows the last message; none on a session that does not exist", () => {
    const noteId = randomUUID();
    session
      .given([started, posted])
      .when({ type: "AddNote", noteId, author: dewi, body: "Cek NIB" })
      .thenEvents([
        {
          type: "ChatNoteAdded",
          data: {
            session_id: sessionId,
            note_id: noteId,
            after_seq: 1,
            author_id: dewi.id,
            author_name: "Dewi",
            body: "Cek NIB",
          },
        },
      ]);
    session.given([]).when({ type: "AddNote", noteId, author: dewi, body: "x" }).thenThrows(NotFoundError);
  });

  it("labels are a set: sorted, each once; the same set again records nothing", () => {
    const set: ChatSessionEvent = {
      type: "ChatLabelsSet",
      data: { session_id: sessionId, labels: ["nib", "oss"] },
    };
    session
      .given([started])
      .when({ type: "SetLabels", labels: ["oss", "nib", "oss"] })
      .thenEvents([set]);
    session
      .given([started, set])
      .when({ type: "SetLabels", labels: ["nib", "oss"] })
      .thenNothing();
    session
      .given([started, set])
      .when({ type: "SetLabels", labels: [] })
      .thenEvents([{ type: "ChatLabelsSet", data: { session_id: sessionId, labels: [] } }]);
  });
});

describe("rendering canned responses", () => {
  const values = { contact_name: "Siti", agent_name: "Dewi", topic: "NIB", session_id: "s-1" };
  it("fills the variables, spaces inside the braces allowed", () => {
    expect(
      renderCanned("Halo {{contact_name}}, saya {{ agent_name }} ({{topic}}, {{session_id}})", values),
    ).toEqual({
      text: "Halo Siti, saya Dewi (NIB, s-1)",
      unresolved: [],
    });
  });
  it("leaves unknown variables and missing values as written, and never throws", () => {
    expect(
      renderCanned("{{nib}} {{contact_name}} {{constructor}} {{ }} {{", { ...values, contact_name: null }),
    ).toEqual({
      text: "{{nib}} {{contact_name}} {{constructor}} {{ }} {{",
      unresolved: ["nib", "contact_name", "constructor"],
    });
  });
});

describe("search text", () => {
  it("splits phrases, words and identifiers", () => {
    expect(parseQuery('Mengurus "izin usaha" NIB 91200034 budi@contoh.co.id, perizinann!')).toEqual({
      phrases: ["izin usaha"],
      words: ["mengurus", "nib", "perizinann"],
      identifiers: ["91200034", "budi@contoh.co.id"],
    });
    expect(parseQuery('""  12 ')).toEqual({ phrases: [], words: [], identifiers: [] });
  });
  it("finds marked ranges, substrings, and cuts a snippet around the first match", () => {
    expect(markedRanges("cara \u0001urus\u0002 \u0001perizinan\u0002", "\u0001", "\u0002")).toEqual([
      { start: 5, end: 9 },
      { start: 10, end: 19 },
    ]);
    expect(substringRanges("NIB 9120003451234 dan 345", ["345"])).toEqual([
      { start: 10, end: 13 },
      { start: 22, end: 25 },
    ]);
    const long = `${"awal ".repeat(60)}NIB 9120003451234 ${"akhir ".repeat(60)}`;
    const at = long.indexOf("345123");
    const { snippet, ranges } = snippetOf(long, [{ start: at, end: at + 6 }], 100);
    expect(snippet.length).toBeLessThanOrEqual(102);
    expect(snippet.startsWith("…")).toBe(true);
    expect(snippet.slice(ranges[0]?.start, ranges[0]?.end)).toBe("345123");
  });
  it("round-trips a cursor and refuses a forged one", () => {
    const cursor = { score: "0.0608", at: T, id: randomUUID() };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor("nope")).toBeNull();
    expect(
      decodeCursor(Buffer.from(JSON.stringify({ ...cursor, score: "1; DROP" })).toString("base64url")),
    ).toBeNull();
  });
});

describe("what a visitor may see", () => {
  it("keeps agent-only events, notes and labels from visitors", () => {
    for (const type of ["ChatNoteAdded", "ChatLabelsSet", "CannedResponseSaved", "CannedResponseDeleted"]) {
      expect(eventVisibleTo("visitor", type)).toBe(false);
      expect(eventVisibleTo("agent", type)).toBe(true);
    }
    expect(eventVisibleTo("visitor", "ChatMessagePosted")).toBe(true);
    expect(authorKindVisibleTo("visitor", "note")).toBe(false);
    expect(authorKindVisibleTo("agent", "note")).toBe(true);
    expect(sessionRowFor("visitor", { id: "s", labels: ["nib"] })).toEqual({ id: "s" });
    expect(sessionRowFor("agent", { id: "s", labels: ["nib"] })).toEqual({ id: "s", labels: ["nib"] });
  });

  it("never queues a webhook delivery of a note, whatever an endpoint's stored subscription says", () => {
    const note = {
      id: randomUUID(),
      streamId: "chatSession-x",
      revision: 3n,
      position: 10n,
      type: "ChatNoteAdded",
      data: { session_id: randomUUID(), body: "rahasia" },
      metadata: { occurred_at: T, actor: { kind: "staff", id: "a" } },
    } as unknown as RecordedEvent;
    const endpoint = { id: randomUUID(), event_types: ["ChatNoteAdded", "ChatMessagePosted"] };
    expect(deliveriesFor([note], [endpoint])).toEqual([]);
    expect(deliveriesFor([{ ...note, type: "ChatMessagePosted" } as RecordedEvent], [endpoint])).toHaveLength(
      1,
    );
  });
});

describe("workspace projections", () => {
  const sessionId = randomUUID();
  const fact = (f: Omit<Fact, "occurredAt">) => ({ ...f, occurredAt: T }) as Fact;

  it("indexes every searchable text of a session, one document each", () => {
    const contact = fact({
      type: "ChatSessionContactSet",
      data: {
        session_id: sessionId,
        contact_id: randomUUID(),
        contact_name: "Siti",
        contact_email: "siti@contoh.co.id",
        contact_phone: null,
        position: null,
        company_name: "CV Maju",
      },
    } as Omit<Fact, "occurredAt">);
    expect(searchDocumentsProjection.project(contact).map((op) => op.kind === "upsert" && op.row)).toEqual([
      {
        id: `${sessionId}:contact_name`,
        session_id: sessionId,
        field: "contact_name",
        seq: null,
        body: "Siti",
        created_at: T,
      },
      {
        id: `${sessionId}:contact_email`,
        session_id: sessionId,
        field: "contact_email",
        seq: null,
        body: "siti@contoh.co.id",
        created_at: T,
      },
      {
        id: `${sessionId}:contact_phone`,
        session_id: sessionId,
        field: "contact_phone",
        seq: null,
        body: "",
        created_at: T,
      },
      {
        id: `${sessionId}:company_name`,
        session_id: sessionId,
        field: "company_name",
        seq: null,
        body: "CV Maju",
        created_at: T,
      },
    ]);
    const labels = fact({
      type: "ChatLabelsSet",
      data: { session_id: sessionId, labels: ["nib", "oss"] },
    } as Omit<Fact, "occurredAt">);
    expect(searchDocumentsProjection.project(labels)).toMatchObject([
      { row: { field: "labels", body: "nib oss" } },
    ]);
    const erased = fact({
      type: "ChatUserErased",
      data: {
        chat_user_id: "u",
        erased_chat_user_ids: ["u"],
        erased_by: { kind: "staff", id: "p" },
        reason: "other",
        reference: null,
      },
    } as Omit<Fact, "occurredAt">);
    for (const projection of [searchDocumentsProjection, chatNotesProjection])
      expect(projection.project(erased)).toEqual([
        { kind: "erase", table: projection.table, chatUserIds: ["u"] },
      ]);
    const retention = fact({
      type: "RetentionApplied",
      data: { retention_days: 30, closed_before: T, session_ids: [sessionId] },
    } as Omit<Fact, "occurredAt">);
    expect(searchDocumentsProjection.project(retention)).toEqual([
      {
        kind: "update",
        table: "search_documents",
        where: { session_id: sessionId, field: "message" },
        set: { body: "[erased]" },
      },
    ]);
  });

  it("keeps notes and canned responses; a deleted canned response is marked", () => {
    const noteId = randomUUID();
    const note = fact({
      type: "ChatNoteAdded",
      data: {
        session_id: sessionId,
        note_id: noteId,
        after_seq: 2,
        author_id: "a",
        author_name: "Dewi",
        body: "Cek",
      },
    } as Omit<Fact, "occurredAt">);
    expect(chatNotesProjection.project(note)).toMatchObject([
      { kind: "upsert", row: { id: noteId, after_seq: 2, body: "Cek" } },
    ]);
    expect(searchDocumentsProjection.project(note)).toMatchObject([
      { row: { id: noteId, field: "note", seq: 2 } },
    ]);
    const cid = randomUUID();
    const deleted = fact({
      type: "CannedResponseDeleted",
      data: { canned_response_id: cid, scope: "personal", owner_agent_id: "a" },
    } as Omit<Fact, "occurredAt">);
    expect(cannedResponsesProjection.project(deleted)).toEqual([
      {
        kind: "update",
        table: "canned_responses",
        where: { id: cid },
        set: { deleted_at: T, updated_at: T },
      },
    ]);
  });
});
