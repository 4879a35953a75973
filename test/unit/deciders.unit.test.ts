import { randomUUID } from "node:crypto";
import { agentDecider } from "../../src/domain/agent/decide";
import type { AgentEvent } from "../../src/domain/agent/events";
import { chatSessionDecider } from "../../src/domain/chatSession/decide";
import { chatUserDecider } from "../../src/domain/chatUser/decide";
import type { ChatUserEvent } from "../../src/domain/chatUser/events";
import { ossIdentityDecider } from "../../src/domain/chatUser/ossIdentity";
import { ConflictError, NotFoundError } from "../../src/domain/errors";
import { deciderSpec } from "../support/decider";

// Each aggregate's one decide, through its Decider value: the command union reaches every rule.

describe("agent", () => {
  const agent = deciderSpec(agentDecider);
  const dewi = { id: randomUUID(), name: "Dewi" };
  const available: AgentEvent = {
    type: "AgentStatusChanged",
    data: { agent_id: dewi.id, agent_name: "Dewi", status: "available" },
  };

  it("records a new status, and nothing for the status the agent has", () => {
    agent
      .given([])
      .when({ type: "SetAgentStatus", agent: dewi, status: "available" })
      .thenEvents([available]);
    agent.given([available]).when({ type: "SetAgentStatus", agent: dewi, status: "available" }).thenNothing();
    agent
      .given([available])
      .when({ type: "SetAgentStatus", agent: dewi, status: "away" })
      .thenEvents([
        { type: "AgentStatusChanged", data: { agent_id: dewi.id, agent_name: "Dewi", status: "away" } },
      ]);
  });
});

describe("chat user", () => {
  const user = deciderSpec(chatUserDecider);
  const chatUserId = randomUUID();
  const browserUuid = randomUUID();
  const registered: ChatUserEvent = {
    type: "ChatUserRegistered",
    data: {
      chat_user_id: chatUserId,
      browser_uuid: browserUuid,
      oss_user_id: null,
      email: null,
      is_anonymous: true,
      ip_address: "10.0.0.1",
      user_agent: null,
    },
  };
  const register = {
    type: "RegisterChatUser",
    chatUserId,
    browserUuid,
    oss: null,
    ipAddress: "10.0.0.1",
    userAgent: null,
  } as const;

  it("registers once; registering again changes nothing", () => {
    user.given([]).when(register).thenEvents([registered]);
    user.given([registered]).when(register).thenNothing();
  });

  it("links to an OSS account, and merges into the account's chat user carrying its state", () => {
    user
      .given([registered])
      .when({ type: "LinkChatUser", chatUserId, ossUserId: "oss-1", email: "a@example.co.id" })
      .thenEvents([
        {
          type: "ChatUserLinkedToOssUser",
          data: { chat_user_id: chatUserId, oss_user_id: "oss-1", email: "a@example.co.id" },
        },
      ]);
    const into = {
      browser_uuid: null,
      oss_user_id: "oss-1",
      email: "a@example.co.id",
      is_anonymous: false,
      ip_address: "10.0.0.2",
      user_agent: null,
      created_at: "2025-01-01T00:00:00.000Z",
      updated_at: "2025-01-01T00:00:00.000Z",
    };
    const intoChatUserId = randomUUID();
    user
      .given([registered])
      .when({
        type: "MergeChatUser",
        chatUserId,
        intoChatUserId,
        ossUserId: "oss-1",
        email: "a@example.co.id",
        into,
      })
      .thenEvents([
        {
          type: "ChatUserMergedInto",
          data: {
            chat_user_id: chatUserId,
            into_chat_user_id: intoChatUserId,
            oss_user_id: "oss-1",
            email: "a@example.co.id",
            into,
          },
        },
      ]);
  });
});

describe("OSS identity", () => {
  const identity = deciderSpec(ossIdentityDecider);
  const chatUserId = randomUUID();

  it("is claimed for a chat user and released from a stale claim", () => {
    identity
      .given([])
      .when({ type: "ClaimOssIdentity", ossUserId: "oss-2", chatUserId, email: "b@example.co.id" })
      .thenEvents([
        {
          type: "OssIdentityClaimed",
          data: { oss_user_id: "oss-2", chat_user_id: chatUserId, email: "b@example.co.id" },
        },
      ]);
    identity
      .given([])
      .when({ type: "ReleaseOssIdentity", ossUserId: "oss-2", chatUserId })
      .thenEvents([
        { type: "OssIdentityReleased", data: { oss_user_id: "oss-2", chat_user_id: chatUserId } },
      ]);
  });
});

describe("chat session", () => {
  const session = deciderSpec(chatSessionDecider);
  const sessionId = randomUUID();
  const chatUserId = randomUUID();
  const start = {
    type: "StartChatSession",
    sessionId,
    chatUserId,
    topic: "NIB",
    priority: "normal",
    channel: "web",
  } as const;
  const started = {
    type: "ChatSessionStarted",
    data: {
      session_id: sessionId,
      chat_user_id: chatUserId,
      topic: "NIB",
      priority: "normal",
      channel: "web",
    },
  } as const;

  it("starts once", () => {
    session.given([]).when(start).thenEvents([started]);
    session.given([started]).when(start).thenThrows(ConflictError);
  });

  it("refuses every command on a session that was never started", () => {
    const visitor = { kind: "visitor", id: randomUUID(), name: null } as const;
    const agent = { id: randomUUID(), name: "Dewi" };
    const never = session.given([]);
    never
      .when({
        type: "PostMessage",
        messageId: randomUUID(),
        clientMessageId: null,
        author: visitor,
        body: "x",
      })
      .thenThrows(NotFoundError);
    never.when({ type: "CloseSession", by: visitor }).thenThrows(NotFoundError);
    never.when({ type: "RateSession", score: 4, comment: null }).thenThrows(NotFoundError);
    never.when({ type: "MarkRead", reader: visitor, upToSeq: 1 }).thenThrows(NotFoundError);
    never.when({ type: "ClaimSession", agent, activeChats: 0, maxChats: 5 }).thenThrows(NotFoundError);
    never
      .when({ type: "TransferSession", by: agent, to: agent, toAvailable: true })
      .thenThrows(NotFoundError);
    const contact = {
      contact_name: "Siti",
      contact_email: "siti@example.co.id",
      contact_phone: null,
      position: null,
      company_name: null,
    };
    never.when({ type: "SetContact", contactId: randomUUID(), contact }).thenThrows(NotFoundError);
  });
});
