import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { decideClaim, decideTransfer } from "../../src/domain/chatSession/assignment";
import {
  decideClose,
  decideMarkRead,
  decidePostMessage,
  decideRate,
} from "../../src/domain/chatSession/conversation";
import type { ChatSessionFact } from "../../src/domain/chatSession/events";
import {
  type ChatSessionState,
  evolveChatSession,
  initialChatSession,
} from "../../src/domain/chatSession/state";
import type { DomainEvent } from "../../src/events/chatEvents";
import {
  agentStatusBody,
  messagesQuery,
  ratingBody,
  readBody,
  transferBody,
  visitorPostMessageBody,
} from "../../src/http/schemas/conversation";
import { codeOfEnglish, fieldProblems } from "../../src/i18n";

function problems(schema: z.ZodType, value: unknown) {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) throw new Error(`expected ${JSON.stringify(value).slice(0, 80)} to be refused`);
  return fieldProblems(parsed.error);
}

const session = randomUUID();

describe("conversation request schemas", () => {
  test.each([
    [{ session_id: session, body: "" }, "body", "field_required"],
    [{ session_id: session, body: " \n\t " }, "body", "field_required"],
    [{ session_id: session, body: "x".repeat(4001) }, "body", "field_too_long"],
    [{ session_id: session, body: "bell\u0007" }, "body", "field_control_characters"],
    [{ session_id: session, body: "c1\u0085" }, "body", "field_control_characters"],
    [{ session_id: session, body: "\ud800" }, "body", "field_unicode"],
    [{ session_id: session }, "body", "field_required"],
    [{ body: "x" }, "session_id", "field_required"],
    [{ session_id: "x", body: "x" }, "session_id", "field_uuid"],
    [{ session_id: session, body: "x", client_message_id: "1" }, "client_message_id", "field_uuid"],
  ])("a message %j is refused at %s with %s", (value, field, code) => {
    expect(problems(visitorPostMessageBody, value)).toContainEqual(expect.objectContaining({ field, code }));
  });

  test("a body of 4000 characters counted as code points, tabs and line breaks are text", () => {
    expect(visitorPostMessageBody.safeParse({ session_id: session, body: "😀".repeat(4000) }).success).toBe(
      true,
    );
    expect(visitorPostMessageBody.safeParse({ session_id: session, body: "a\tb\r\nc" }).success).toBe(true);
  });

  test("ratings, receipts, transfers, status and queries name the field", () => {
    expect(problems(ratingBody, { score: 0 })[0]).toMatchObject({ field: "score", code: "field_too_small" });
    expect(problems(ratingBody, { score: 2.5 })[0]).toMatchObject({
      field: "score",
      code: "field_not_integer",
    });
    expect(problems(ratingBody, { score: 3, comment: "c".repeat(1001) })[0]).toMatchObject({
      field: "comment",
      code: "field_too_long",
    });
    expect(problems(readBody, { up_to_seq: -1 })[0]).toMatchObject({ field: "up_to_seq" });
    expect(problems(transferBody, { to_agent_id: "dewi" })[0]).toMatchObject({
      field: "to_agent_id",
      code: "field_uuid",
    });
    expect(problems(agentStatusBody, { status: "busy" })[0]).toMatchObject({
      field: "status",
      code: "field_one_of",
    });
    expect(problems(messagesQuery, { id: session, after_seq: "-1" })[0]).toMatchObject({
      field: "after_seq",
    });
    expect(problems(messagesQuery, { id: session, limit: "500" })[0]).toMatchObject({ field: "limit" });
  });
});

describe("conversation domain errors", () => {
  const T = "2025-03-01T09:00:00.000Z";
  const given = (events: DomainEvent[]): ChatSessionState =>
    events
      .map((e) => ({ ...e, occurredAt: T }) as ChatSessionFact)
      .reduce(evolveChatSession, initialChatSession);
  const started: DomainEvent = {
    type: "ChatSessionStarted",
    data: { session_id: session, chat_user_id: randomUUID(), topic: "x", priority: "normal", channel: "web" },
  };
  const agentA = { id: randomUUID(), name: "A" };
  const agentB = { id: randomUUID(), name: "B" };
  const held = given([
    started,
    {
      type: "ChatSessionAssigned",
      data: {
        session_id: session,
        agent_id: agentA.id,
        agent_name: "A",
        reason: "claim",
        from_agent_id: null,
      },
    },
  ]);
  const closed = given([
    started,
    {
      type: "ChatSessionClosed",
      data: { session_id: session, closed_by_kind: "visitor", closed_by_id: "b" },
    },
  ]);
  const asB = { kind: "agent" as const, ...agentB };

  test("every refusal has its own code and translation in the catalogue", () => {
    const refusals = [
      () =>
        decidePostMessage({ messageId: randomUUID(), clientMessageId: null, author: asB, body: "x" }, held),
      () =>
        decidePostMessage({ messageId: randomUUID(), clientMessageId: null, author: asB, body: "x" }, closed),
      () => decideClaim({ agent: agentB, activeChats: 0, maxChats: 5 }, held),
      () => decideClaim({ agent: agentB, activeChats: 5, maxChats: 5 }, given([started])),
      () => decideTransfer({ by: agentB, to: agentA, toAvailable: true }, held),
      () => decideTransfer({ by: agentA, to: agentB, toAvailable: false }, held),
      () => decideClose({ by: asB }, held),
      () => decideMarkRead({ reader: asB, upToSeq: 1 }, held),
      () => decideRate({ score: 5, comment: null }, held),
      () => decideRate({ score: 5, comment: null }, initialChatSession),
    ];
    const codes = refusals.map((refuse) => {
      try {
        refuse();
      } catch (err) {
        return codeOfEnglish((err as Error).message, "conflict");
      }
      throw new Error("expected a refusal");
    });
    expect(codes).toEqual([
      "agent_not_assigned_post",
      "chat_session_closed",
      "chat_session_held",
      "agent_at_capacity",
      "agent_not_assigned_transfer",
      "agent_unavailable",
      "agent_not_assigned_close",
      "agent_not_assigned_read",
      "rating_needs_closed",
      "chat_session_not_found",
    ]);
  });
});
