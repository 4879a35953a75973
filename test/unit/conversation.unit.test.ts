import { randomUUID } from "node:crypto";
import { decideAutoAssign, decideClaim, decideTransfer } from "../../src/commands/assignment";
import { type ChatSessionState, evolveChatSession, initialChatSession } from "../../src/commands/chatSession";
import {
  alreadyPosted,
  decideClose,
  decideMarkRead,
  decidePostMessage,
  decideRate,
  type Participant,
} from "../../src/commands/conversation";
import { ConflictError, NotFoundError } from "../../src/commands/errors";
import { GENERATION } from "../../src/commands/recentMessages";
import type { DomainEvent, Fact } from "../../src/events/chatEvents";

const T = "2025-03-01T09:00:00.000Z";
const given = (events: DomainEvent[]): ChatSessionState =>
  events.map((e) => ({ ...e, occurredAt: T }) as Fact).reduce(evolveChatSession, initialChatSession);

const ids = () => ({ session: randomUUID(), user: randomUUID(), browser: randomUUID() });
const dewi = { id: randomUUID(), name: "Dewi" };
const budi = { id: randomUUID(), name: "Budi" };
const asAgent = (a: { id: string; name: string }): Participant => ({ kind: "agent", ...a });

function started(f: ReturnType<typeof ids>): DomainEvent {
  return {
    type: "ChatSessionStarted",
    data: { session_id: f.session, chat_user_id: f.user, topic: "NIB", priority: "normal", channel: "web" },
  };
}

function posted(f: ReturnType<typeof ids>, seq: number, clientId: string | null = null): DomainEvent {
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

const assignedTo = (f: ReturnType<typeof ids>, a: { id: string; name: string }): DomainEvent => ({
  type: "ChatSessionAssigned",
  data: { session_id: f.session, agent_id: a.id, agent_name: a.name, reason: "claim", from_agent_id: null },
});
const closed = (f: ReturnType<typeof ids>): DomainEvent => ({
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
    const contact: DomainEvent = {
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
    expect(decideClaim({ agent: dewi, ...free }, given([started(f)]))).toEqual([
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
    const held = given([started(f), assignedTo(f, dewi)]);
    expect(decideClaim({ agent: dewi, ...free }, held)).toEqual([]);
    expect(() => decideClaim({ agent: budi, ...free }, held)).toThrow(ConflictError);
    expect(() => decideClaim({ agent: dewi, ...free }, given([started(f), closed(f)]))).toThrow(
      ConflictError,
    );
    expect(() => decideClaim({ agent: dewi, ...free }, initialChatSession)).toThrow(NotFoundError);
  });

  it("only the holder transfers, with the reason and from whom", () => {
    const f = ids();
    const held = given([started(f), assignedTo(f, dewi)]);
    expect(decideTransfer({ by: dewi, to: budi, toAvailable: true }, held)).toEqual([
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
    expect(() => decideTransfer({ by: budi, to: dewi, toAvailable: true }, held)).toThrow(ConflictError);
    expect(decideTransfer({ by: dewi, to: dewi, toAvailable: true }, held)).toEqual([]);
  });

  it("an agent at MAX_CHATS_PER_AGENT active chats claims no more, but re-claiming its own is still a no-op", () => {
    const f = ids();
    const full = { activeChats: 5, maxChats: 5 };
    expect(() => decideClaim({ agent: dewi, ...full }, given([started(f)]))).toThrow(
      new ConflictError("The agent already holds as many active chats as allowed"),
    );
    expect(decideClaim({ agent: dewi, activeChats: 4, maxChats: 5 }, given([started(f)]))).toHaveLength(1);
    expect(decideClaim({ agent: dewi, ...full }, given([started(f), assignedTo(f, dewi)]))).toEqual([]);
  });

  it("a transfer to an agent who is away is refused", () => {
    const f = ids();
    const held = given([started(f), assignedTo(f, dewi)]);
    expect(() => decideTransfer({ by: dewi, to: budi, toAvailable: false }, held)).toThrow(
      new ConflictError("The agent to transfer to is away"),
    );
  });

  it("auto-assigns only a session still waiting", () => {
    const f = ids();
    const [event] = decideAutoAssign({ agent: dewi }, given([started(f)]));
    expect(event?.type === "ChatSessionAssigned" && event.data.reason).toBe("auto");
    expect(decideAutoAssign({ agent: dewi }, given([started(f), assignedTo(f, budi)]))).toEqual([]);
    expect(decideAutoAssign({ agent: dewi }, given([started(f), closed(f)]))).toEqual([]);
    expect(decideAutoAssign({ agent: dewi }, initialChatSession)).toEqual([]);
  });
});

describe("close, rate, read", () => {
  it("closes once, saying by whom; closing again changes nothing", () => {
    const f = ids();
    const by: Participant = { kind: "visitor", id: f.browser, name: null };
    expect(decideClose({ by }, given([started(f)]))).toEqual([
      {
        type: "ChatSessionClosed",
        data: { session_id: f.session, closed_by_kind: "visitor", closed_by_id: f.browser },
      },
    ]);
    expect(decideClose({ by }, given([started(f), closed(f)]))).toEqual([]);
  });

  it("an agent closes a waiting session or its own, not another agent's", () => {
    const f = ids();
    expect(decideClose({ by: asAgent(dewi) }, given([started(f)]))).toHaveLength(1);
    expect(decideClose({ by: asAgent(dewi) }, given([started(f), assignedTo(f, dewi)]))).toHaveLength(1);
    expect(() => decideClose({ by: asAgent(budi) }, given([started(f), assignedTo(f, dewi)]))).toThrow(
      ConflictError,
    );
  });

  it("rates a closed session only", () => {
    const f = ids();
    expect(() => decideRate({ score: 5, comment: null }, given([started(f)]))).toThrow(ConflictError);
    expect(decideRate({ score: 5, comment: "Bagus" }, given([started(f), closed(f)]))).toEqual([
      { type: "ChatSessionRated", data: { session_id: f.session, score: 5, comment: "Bagus" } },
    ]);
  });

  it("moves a read mark forward only, and never past the last message", () => {
    const f = ids();
    const reader: Participant = { kind: "visitor", id: f.browser, name: null };
    const history = [started(f), posted(f, 1), posted(f, 2), posted(f, 3)];
    expect(decideMarkRead({ reader, upToSeq: 10 }, given(history))).toEqual([
      {
        type: "ChatMessagesRead",
        data: { session_id: f.session, reader_kind: "visitor", reader_id: f.browser, up_to_seq: 3 },
      },
    ]);
    const read: DomainEvent = {
      type: "ChatMessagesRead",
      data: { session_id: f.session, reader_kind: "visitor", reader_id: f.browser, up_to_seq: 2 },
    };
    expect(decideMarkRead({ reader, upToSeq: 1 }, given([...history, read]))).toEqual([]);
    expect(decideMarkRead({ reader, upToSeq: 2 }, given([...history, read]))).toEqual([]);
    expect(() => decideMarkRead({ reader: asAgent(dewi), upToSeq: 1 }, given(history))).toThrow(
      ConflictError,
    );
  });
});
