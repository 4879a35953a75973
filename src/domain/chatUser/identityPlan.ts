import type { DomainEvent, Fact } from "../../events/chatEvents";
import { streams } from "../../events/streams";
import { identityOwner } from "./identityIds";
import type { OssIdentityState } from "./ossIdentity";
import { type ChatUserState, decideRegister, evolveChatUser } from "./state";

// The vocabulary of the identity workflow (identityWorkflow.ts) and the plan its decisions are built in.

export interface OssLogin {
  readonly ossUserId: string;
  readonly email: string;
}

/** Where and when the command comes from: the registration facts, and the instant its events record. */
export interface Origin {
  readonly ipAddress: string;
  readonly userAgent: string | null;
  readonly occurredAt: string;
}

/** The states decided over: the OSS identity's (unclaimed when there is none) and the chat users read so far. */
export interface IdentityStates {
  readonly identity: OssIdentityState;
  readonly users: ReadonlyMap<string, ChatUserState>;
}

/** One stream's share of a decision, with the chat user its events belong to (the bus key). */
export interface StreamEvents {
  readonly streamId: string;
  readonly ownerId: string;
  readonly events: readonly DomainEvent[];
}

export type Decision<R> =
  | { readonly kind: "read"; readonly chatUserId: string }
  | { readonly kind: "decided"; readonly result: R; readonly writes: readonly StreamEvents[] };

/** The events decided so far, and the states they lead to (a later step sees an earlier one's events). */
export class Plan {
  private readonly identityEvents: DomainEvent[] = [];
  private readonly userEvents = new Map<string, DomainEvent[]>();
  private readonly current: Map<string, ChatUserState>;

  constructor(
    readonly states: IdentityStates,
    private readonly origin: Origin,
  ) {
    this.current = new Map(states.users);
  }

  user(chatUserId: string): ChatUserState | undefined {
    return this.current.get(chatUserId);
  }

  toIdentity(event: DomainEvent): void {
    this.identityEvents.push(event);
  }

  toUser(chatUserId: string, event: DomainEvent): void {
    const state = this.user(chatUserId) ?? { status: "none" };
    this.current.set(
      chatUserId,
      evolveChatUser(state, { ...event, occurredAt: this.origin.occurredAt } as Fact),
    );
    this.userEvents.set(chatUserId, [...(this.userEvents.get(chatUserId) ?? []), event]);
  }

  /** Identity first, then users in the order they were touched: a merge follows its target's registration. */
  decided<R>(result: R, ossUserId: string | null): Decision<R> {
    const writes: StreamEvents[] = [];
    if (ossUserId !== null && this.identityEvents.length > 0) {
      writes.push({
        streamId: streams.ossIdentity(ossUserId),
        ownerId: identityOwner(ossUserId),
        events: this.identityEvents,
      });
    }
    for (const [chatUserId, events] of this.userEvents) {
      writes.push({ streamId: streams.chatUser(chatUserId), ownerId: chatUserId, events });
    }
    return { kind: "decided", result, writes };
  }

  register(chatUserId: string, browserUuid: string | null, oss: OssLogin | null): void {
    const state = this.user(chatUserId) ?? { status: "none" };
    const { ipAddress, userAgent } = this.origin;
    for (const e of decideRegister({ chatUserId, browserUuid, oss, ipAddress, userAgent }, state)) {
      this.toUser(chatUserId, e);
    }
  }

  link(chatUserId: string, login: OssLogin): void {
    this.toUser(chatUserId, {
      type: "ChatUserLinkedToOssUser",
      data: { chat_user_id: chatUserId, oss_user_id: login.ossUserId, email: login.email },
    });
  }

  claim(chatUserId: string, login: OssLogin): void {
    this.toIdentity({
      type: "OssIdentityClaimed",
      data: { oss_user_id: login.ossUserId, chat_user_id: chatUserId, email: login.email },
    });
  }
}
