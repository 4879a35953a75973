import { streams } from "../streams";
import { type ChatUserCommand, chatUserDecider } from "./decide";
import type { ChatUserEvent, OssIdentityEvent } from "./events";
import { identityOwner } from "./identityIds";
import { type OssIdentityCommand, type OssIdentityState, ossIdentityDecider } from "./ossIdentity";
import type { ChatUserState } from "./state";

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
  readonly events: readonly (ChatUserEvent | OssIdentityEvent)[];
}

export type Decision<R> =
  | { readonly kind: "read"; readonly chatUserId: string }
  | { readonly kind: "decided"; readonly result: R; readonly writes: readonly StreamEvents[] };

/** The events decided so far, and the states they lead to (a later step sees an earlier one's events). */
export class Plan {
  private readonly identityEvents: OssIdentityEvent[] = [];
  private readonly userEvents = new Map<string, ChatUserEvent[]>();
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

  /** The OSS identity's decider on its state (the identity's stream is written once per decision). */
  toIdentity(command: OssIdentityCommand): void {
    this.identityEvents.push(...ossIdentityDecider.decide(command, this.states.identity));
  }

  /** A chat user's decider on its state so far; the next step sees these events folded in. */
  toUser(chatUserId: string, command: ChatUserCommand): void {
    let state = this.user(chatUserId) ?? chatUserDecider.initialState;
    const events = chatUserDecider.decide(command, state);
    if (events.length === 0) return;
    for (const event of events) {
      state = chatUserDecider.evolve(state, { ...event, occurredAt: this.origin.occurredAt });
    }
    this.current.set(chatUserId, state);
    this.userEvents.set(chatUserId, [...(this.userEvents.get(chatUserId) ?? []), ...events]);
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
    const { ipAddress, userAgent } = this.origin;
    this.toUser(chatUserId, { type: "RegisterChatUser", chatUserId, browserUuid, oss, ipAddress, userAgent });
  }

  link(chatUserId: string, login: OssLogin): void {
    this.toUser(chatUserId, {
      type: "LinkChatUser",
      chatUserId,
      ossUserId: login.ossUserId,
      email: login.email,
    });
  }

  claim(chatUserId: string, login: OssLogin): void {
    this.toIdentity({ type: "ClaimOssIdentity", ossUserId: login.ossUserId, chatUserId, email: login.email });
  }
}
