import { randomUUID } from "node:crypto";
import {
  alreadyPosted,
  decidePostMessage,
  type Participant,
} from "../../src/domain/chatSession/conversation";
import { chatSessionDecider } from "../../src/domain/chatSession/decide";
import type { ChatSessionEvent, ChatSessionFact } from "../../src/domain/chatSession/events";
import { GENERATION } from "../../src/domain/chatSession/recentMessages";
import {
  type ChatSessionState,
  evolveChatSession,
  initialChatSession,
} from "../../src/domain/chatSession/state";
import { ConflictError, NotFoundError } from "../../src/domain/errors";
import { deciderSpec } from "../support/decider";

const T = "2025-03-01T09:00:00.000Z";
const given = (events: ChatSessionEvent[]): ChatSessionState =>
  events.map((e): ChatSessionFact => ({ ...e, occurredAt: T })).reduce(evolveChatSession, initialChatSession);
const session = deciderSpec(chatSessionDecider, T);

const ids = () => ({ session: randomUUID(), user: randomUUID(), browser: randomUUID() });
const dewi = { id: randomUUID(), name: "Dewi" };
const budi = { id: randomUUID(), name: "Budi" };
const asAgent = (a: { id: string; name: string }): Participant => ({ kind: "agent", ...a });

function started(f: ReturnType<typeof ids>): ChatSessionEvent {
  return {
    type: "ChatSessionStarted",
    data: { session_id: f.session, chat_user_id: f.user, topic: "NIB", priority: "normal", channel: "web" },
  };
}

function posted(f: ReturnType<typeof ids>, seq: number, clientId: string | null = null): ChatSessionEvent {
  return {
    type: "ChatMessagePosted",
    data: {
      session_id: f.session,
      message_id: randomUUID(),
      seq,
      client_message_id: clientId,
      author_kind: "visitor",
      author_id: f.browser,
      author_name: null,
      body: `pesan ${seq}`,
    },
  };
}

const assignedTo = (f: ReturnType<typeof ids>, a: { id: string; name: string }): ChatSessionEvent => ({
  type: "ChatSessionAssigned",
  data: { session_id: f.session, agent_id: a.id, agent_name: a.name, reason: "claim", from_agent_id: null },
});
const closed = (f: ReturnType<typeof ids>): ChatSessionEvent => ({
  type: "ChatSessionClosed",
  data: { session_id: f.session, closed_by_kind: "visitor", closed_by_id: f.browser },
});

describe("post message", () => {
  const visitor = (f: ReturnType<typeof ids>): Participant => ({
    kind: "visitor",
    id: f.browser,
    name: null,
  });

  it("gives the first message seq 1 and each next one the next seq", () => {
    const f = ids();
    const messageId = randomUUID();
    const cmd = { messageId, clientMessageId: null, author: visitor(f), body: "Halo" };
    expect(decidePostMessage(cmd, given([started(f)]))).toEqual([
      {
        type: "ChatMessagePosted",
        data: {
          session_id: f.session,
          message_id: messageId,
          seq: 1,
          client_message_id: null,
          author_kind: "visitor",
          author_id: f.browser,
          author_name: null,
          body: "Halo",
        },
      },
    ]);
    const [next] = decidePostMessage(cmd, given([started(f), posted(f, 1), posted(f, 2)]));
    expect(next?.type === "ChatMessagePosted" && next.data.seq).toBe(3);
  });

  it("appends nothing for a client message id already posted, and finds the first message", () => {
    const f = ids();
    const clientId = randomUUID();
    const state = given([started(f), posted(f, 1, clientId)]);
    const cmd = { messageId: randomUUID(), clientMessageId: clientId, author: visitor(f), body: "lagi" };
    expect(decidePostMessage(cmd, state)).toEqual([]);
    expect(alreadyPosted(state, clientId)).toMatchObject({ seq: 1, createdAt: T });
  });

  it("remembers client ids for at least the last GENERATION messages", () => {
    const f = ids();
    const first = randomUUID();
    const events = [started(f), posted(f, 1, first)];
    for (let seq = 2; seq <= GENERATION; seq++) events.push(posted(f, seq, randomUUID()));
    expect(alreadyPosted(given(events), first)?.seq).toBe(1);
  });

  it("names a visitor by their contact details when they gave them", () => {
    const f = ids();
    const contact: ChatSessionEvent = {
      type: "ChatSessionContactSet",
      data: {
        session_id: f.session,
        contact_id: randomUUID(),
        contact_name: "Siti",
        contact_email: "siti@example.co.id",
        contact_phone: null,
        position: null,
        company_name: null,
      },
    };
    const cmd = { messageId: randomUUID(), clientMessageId: null, author: visitor(f), body: "Halo" };
    const [event] = decidePostMessage(cmd, given([started(f), contact]));
    expect(event?.type === "ChatMessagePosted" && event.data.author_name).toBe("Siti");
  });

  it("refuses an unknown session, a closed one, and an agent who does not hold it", () => {
    const f = ids();
    const cmd = { messageId: randomUUID(), clientMessageId: null, author: visitor(f), body: "x" };
    expect(() => decidePostMessage(cmd, initialChatSession)).toThrow(NotFoundError);
    expect(() => decidePostMessage(cmd, given([started(f), closed(f)]))).toThrow(ConflictError);
    const byAgent = { ...cmd, author: asAgent(dewi) };
    expect(() => decidePostMessage(byAgent, given([started(f)]))).toThrow(ConflictError);
    expect(() => decidePostMessage(byAgent, given([started(f), assignedTo(f, budi)]))).toThrow(ConflictError);
    expect(decidePostMessage(byAgent, given([started(f), assignedTo(f, dewi)]))).toHaveLength(1);
  });
});

describe("claim, transfer and auto-assignment", () => {
  const free = { activeChats: 0, maxChats: 5 };
  it("a waiting session is claimed; claiming one's own again changes nothing; another's is a conflict", () => {
    const f = ids();
    const claim = { type: "ClaimSession", agent: dewi, ...free } as const;
    session
      .given([started(f)])
      .when(claim)
      .thenEvents([
        {
          type: "ChatSessionAssigned",
          data: {
            session_id: f.session,
            agent_id: dewi.id,
            agent_name: "Dewi",
            reason: "claim",
            from_agent_id: null,
          },
        },
      ]);
    const held = session.given([started(f), assignedTo(f, dewi)]);
    held.when(claim).thenNothing();
    held.when({ ...claim, agent: budi }).thenThrows(ConflictError);
    session
      .given([started(f), closed(f)])
      .when(claim)
      .thenThrows(ConflictError);
    session.given([]).when(claim).thenThrows(NotFoundError);
  });

  it("only the holder transfers, with the reason and from whom", () => {
    const f = ids();
    const held = session.given([started(f), assignedTo(f, dewi)]);
    held.when({ type: "TransferSession", by: dewi, to: budi, toAvailable: true }).thenEvents([
      {
        type: "ChatSessionAssigned",
        data: {
          session_id: f.session,
          agent_id: budi.id,
          agent_name: "Budi",
          reason: "transfer",
          from_agent_id: dewi.id,
        },
      },
    ]);
    held.when({ type: "TransferSession", by: budi, to: dewi, toAvailable: true }).thenThrows(ConflictError);
    held.when({ type: "TransferSession", by: dewi, to: dewi, toAvailable: true }).thenNothing();
  });

  it("an agent at MAX_CHATS_PER_AGENT active chats claims no more, but re-claiming its own is still a no-op", () => {
    const f = ids();
    const full = { type: "ClaimSession", agent: dewi, activeChats: 5, maxChats: 5 } as const;
    session
      .given([started(f)])
      .when(full)
      .thenThrows(ConflictError, "The agent already holds as many active chats as allowed");
    expect(
      session
        .given([started(f)])
        .when({ ...full, activeChats: 4 })
        .events(),
    ).toHaveLength(1);
    session
      .given([started(f), assignedTo(f, dewi)])
      .when(full)
      .thenNothing();
  });

  it("a transfer to an agent who is away is refused", () => {
    const f = ids();
    session
      .given([started(f), assignedTo(f, dewi)])
      .when({ type: "TransferSession", by: dewi, to: budi, toAvailable: false })
      .thenThrows(ConflictError, "The agent to transfer to is away");
  });

  it("auto-assigns only a session still waiting", () => {
    const f = ids();
    const autoAssign = { type: "AutoAssignSession", agent: dewi } as const;
    const [event] = session
      .given([started(f)])
      .when(autoAssign)
      .events();
    expect(event?.type === "ChatSessionAssigned" && event.data.reason).toBe("auto");
    session
      .given([started(f), assignedTo(f, budi)])
      .when(autoAssign)
      .thenNothing();
    session
      .given([started(f), closed(f)])
      .when(autoAssign)
      .thenNothing();
    session.given([]).when(autoAssign).thenNothing();
  });
});

describe("close, rate, read", () => {
  it("closes once, saying by whom; closing again changes nothing", () => {
    const f = ids();
    const by: Participant = { kind: "visitor", id: f.browser, name: null };
    session
      .given([started(f)])
      .when({ type: "CloseSession", by })
      .thenEvents([
        {
          type: "ChatSessionClosed",
          data: { session_id: f.session, closed_by_kind: "visitor", closed_by_id: f.browser },
        },
      ]);
    session
      .given([started(f), closed(f)])
      .when({ type: "CloseSession", by })
      .thenNothing();
  });

  it("an agent closes a waiting session or its own, not another agent's", () => {
    const f = ids();
    expect(
      session
        .given([started(f)])
        .when({ type: "CloseSession", by: asAgent(dewi) })
        .events(),
    ).toHaveLength(1);
    const heldByDewi = session.given([started(f), assignedTo(f, dewi)]);
    expect(heldByDewi.when({ type: "CloseSession", by: asAgent(dewi) }).events()).toHaveLength(1);
    heldByDewi.when({ type: "CloseSession", by: asAgent(budi) }).thenThrows(ConflictError);
  });

  it("rates a closed session only", () => {
    const f = ids();
    session
      .given([started(f)])
      .when({ type: "RateSession", score: 5, comment: null })
      .thenThrows(ConflictError);
    session
      .given([started(f), closed(f)])
      .when({ type: "RateSession", score: 5, comment: "Bagus" })
      .thenEvents([
        { type: "ChatSessionRated", data: { session_id: f.session, score: 5, comment: "Bagus" } },
      ]);
  });

  it("moves a read mark forward only, and never past the last message", () => {
    const f = ids();
    const reader: Participant = { kind: "visitor", id: f.browser, name: null };
    const history = [started(f), posted(f, 1), posted(f, 2), posted(f, 3)];
    session
      .given(history)
      .when({ type: "MarkRead", reader, upToSeq: 10 })
      .thenEvents([
        {
          type: "ChatMessagesRead",
          data: { session_id: f.session, reader_kind: "visitor", reader_id: f.browser, up_to_seq: 3 },
        },
      ]);
    const read: ChatSessionEvent = {
      type: "ChatMessagesRead",
      data: { session_id: f.session, reader_kind: "visitor", reader_id: f.browser, up_to_seq: 2 },
    };
    session
      .given([...history, read])
      .when({ type: "MarkRead", reader, upToSeq: 1 })
      .thenNothing();
    session
      .given([...history, read])
      .when({ type: "MarkRead", reader, upToSeq: 2 })
      .thenNothing();
    session
      .given(history)
      .when({ type: "MarkRead", reader: asAgent(dewi), upToSeq: 1 })
      .thenThrows(ConflictError);
  });
});
