// The visitor's client of OSS LiveChat, without any UI: HTTP typed from the OpenAPI document, a WebSocket that
// resumes by after_seq, an outbox that sends each message exactly once (its client_message_id is made when it is
// typed), read receipts, and identify() for a visitor who logs in to the portal. The widget is built on it; a
// portal with its own UI can use it alone (README, "The widget").
import type { AgentRef, AuthFrame, MessageView, ServerFrame } from "./frames";
import { type Answer, ApiError, createHttp, NetworkError, type Operation } from "./http";
import { createOutbox, type KeyValueStore, type OutboxItem, type Posted } from "./outbox";
import { type ConnectionState, createLiveSocket } from "./socket";

export type { AgentRef, MessageView, ServerFrame, SessionStatus } from "./frames";
export { ApiError, NetworkError } from "./http";
export type { OutboxItem, Posted } from "./outbox";
export type { ConnectionState } from "./socket";

export type Language = "id" | "en";

export interface VisitorClientOptions {
  /** The API's origin, e.g. "https://chat.oss.go.id"; "" (default) for the page's own. */
  readonly baseUrl?: string;
  /** Keeps the browser UUID and the outbox across reloads (default: localStorage; null: memory only). */
  readonly storage?: KeyValueStore | null;
  /** Prefix of the storage keys (default "osslivechat:"). */
  readonly storageKey?: string;
  readonly language?: Language;
}

export interface ContactInput {
  readonly contact_name: string;
  readonly contact_email: string;
  readonly contact_phone?: string;
}

export interface ClientEvents {
  /** The socket's state: "online" once authenticated. */
  state: ConnectionState;
  /** Every frame the server sends (message, subscribed, status, typing, read, error). */
  frame: ServerFrame;
  /** A queued message was accepted by the API (with its seq). */
  sent: { readonly item: OutboxItem; readonly posted: Posted };
  /** A queued message was refused (e.g. 409: the chat is closed); it is dropped from the outbox. */
  failed: { readonly item: OutboxItem; readonly error: unknown };
  /** The outbox changed. */
  outbox: readonly OutboxItem[];
}

type Listener<T> = (value: T) => void;

function defaultStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage blocked (third-party context, privacy settings)
  }
}

function memoryStore(): KeyValueStore {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

/** The token's claims, read without verifying (the API verifies): the user it names, for link-user's body. */
function tokenClaims(token: string): { sub?: unknown; email?: unknown } {
  try {
    const part = token.split(".")[1] ?? "";
    return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const retryable = (err: unknown) =>
  err instanceof NetworkError || (err instanceof ApiError && (err.status === 429 || err.status >= 500));

export function createVisitorClient(options: VisitorClientOptions = {}) {
  const baseUrl = (options.baseUrl ?? "").replace(/\/$/, "");
  const storage =
    options.storage === undefined ? (defaultStorage() ?? memoryStore()) : (options.storage ?? memoryStore());
  const prefix = options.storageKey ?? "osslivechat:";
  let browserUuid = storage.getItem(`${prefix}browser`);
  if (browserUuid === null || !/^[0-9a-f-]{36}$/i.test(browserUuid)) {
    browserUuid = crypto.randomUUID();
    storage.setItem(`${prefix}browser`, browserUuid);
  }
  const browser = browserUuid;
  let language: Language = options.language ?? "id";
  let linkedUser: string | null = null;
  const readSent = new Map<string, number>();
  const listeners: { [K in keyof ClientEvents]?: Set<Listener<ClientEvents[K]>> } = {};

  function emit<K extends keyof ClientEvents>(event: K, value: ClientEvents[K]) {
    for (const fn of listeners[event] ?? []) {
      try {
        (fn as Listener<ClientEvents[K]>)(value);
      } catch (err) {
        console.error(err);
      }
    }
  }

  const http = createHttp({
    baseUrl,
    // The browser UUID is the visitor's credential for the chat, logged in or not: identify() links it to the
    // OSS account, so its chats belong to the account, and no short-lived token has to be kept or renewed.
    headers: () => ({ "Accept-Language": language, "X-Browser-UUID": browser }),
  });

  const call = http;

  const wsUrl = (() => {
    const origin = baseUrl === "" ? location.origin : baseUrl;
    return `${origin.replace(/^http/, "ws")}/api/oss-chat/ws`;
  })();

  const socket = createLiveSocket({
    url: wsUrl,
    auth: (): AuthFrame => ({ type: "auth", browser_uuid: browser }),
    onFrame: (frame) => emit("frame", frame),
    onState: (state) => {
      emit("state", state);
      if (state === "online") void outbox.flush();
    },
    onAuthRefused: () => {
      // A browser UUID is never refused as a credential; try again a little later.
      setTimeout(() => socket.reconnect(), 5000);
    },
  });

  const outbox = createOutbox({
    storage,
    key: `${prefix}outbox:${browser}`,
    retryable,
    post: (item) =>
      call("post", "/api/oss-chat/message", {
        body: { session_id: item.session_id, client_message_id: item.client_message_id, body: item.body },
      }),
    onSent: (item, posted) => emit("sent", { item, posted }),
    onFailed: (item, error) => emit("failed", { item, error }),
    onChange: (items) => emit("outbox", items),
  });
  if (typeof window !== "undefined") window.addEventListener("online", () => void outbox.flush());

  return {
    /** The anonymous identity this browser keeps (localStorage). */
    browserUuid: browser,
    get language(): Language {
      return language;
    },
    /** Answers and error messages come in this language (Accept-Language). */
    setLanguage(next: Language) {
      language = next;
    },
    /** The OSS user this browser was linked to by identify() on this page, or null. */
    get identifiedAs(): string | null {
      return linkedUser;
    },
    get state(): ConnectionState {
      return socket.state;
    },
    on<K extends keyof ClientEvents>(event: K, fn: Listener<ClientEvents[K]>): () => void {
      let set = listeners[event] as Set<Listener<ClientEvents[K]>> | undefined;
      if (!set) {
        set = new Set();
        (listeners as Record<string, unknown>)[event] = set;
      }
      set.add(fn);
      return () => set.delete(fn);
    },

    /**
     * The visitor logged in to the portal: `token` is the OSS identity token the portal's backend signed. Links
     * this browser to the account (link-user, idempotent): its chats, past and future, belong to the account and
     * stay readable here. The token is used for this call only, never kept.
     */
    async identify(token: string) {
      const { sub, email } = tokenClaims(token);
      const linked = await http("post", "/api/oss-chat/link-user", {
        body: { browser_uuid: browser, oss_user_id: String(sub ?? ""), email: String(email ?? "") },
        headers: { Authorization: `Bearer ${token}` },
      });
      linkedUser = linked.oss_user_id;
      return linked;
    },

    start(topic: string): Promise<Answer<Operation<"/api/oss-chat/start", "post">>> {
      return call("post", "/api/oss-chat/start", {
        body: { browser_uuid: browser, topic },
      });
    },
    setContact(sessionId: string, contact: ContactInput) {
      return call("post", "/api/oss-chat/contact", { body: { session_id: sessionId, ...contact } });
    },
    session(sessionId: string) {
      return call("get", "/api/oss-chat/session/{id}", { params: { id: sessionId } });
    },
    messages(sessionId: string, afterSeq = 0, limit = 200) {
      return call("get", "/api/oss-chat/session/{id}/messages", {
        params: { id: sessionId },
        query: { after_seq: afterSeq, limit },
      });
    },
    /** This browser's chats; with an OSS token, the account's (every device's). */
    history(token?: string) {
      return call(
        "get",
        "/api/oss-chat/history",
        token ? { headers: { Authorization: `Bearer ${token}` } } : {},
      );
    },
    close(sessionId: string) {
      outbox.discard(sessionId);
      return call("post", "/api/oss-chat/session/{id}/close", { params: { id: sessionId } });
    },
    rate(sessionId: string, score: number, comment?: string) {
      return call("post", "/api/oss-chat/session/{id}/rating", {
        params: { id: sessionId },
        body: comment ? { score, comment } : { score },
      });
    },

    /** Live delivery of a session: backlog after `afterSeq` (default: what this client saw), then live. */
    watch(sessionId: string, afterSeq?: number) {
      socket.watch(sessionId, afterSeq);
    },
    unwatch(sessionId: string) {
      socket.unwatch(sessionId);
    },
    /** Queues a message; it is posted now if the API answers, else when the connection is back. */
    send(sessionId: string, body: string): OutboxItem {
      return outbox.add(sessionId, body);
    },
    pending(sessionId: string): readonly OutboxItem[] {
      return outbox.items().filter((i) => i.session_id === sessionId);
    },
    /** Read receipt: the visitor has seen the messages up to `seq` (sent once per new high mark). */
    async markRead(sessionId: string, seq: number) {
      if (seq <= (readSent.get(sessionId) ?? 0)) return;
      readSent.set(sessionId, seq);
      try {
        await call("post", "/api/oss-chat/session/{id}/read", {
          params: { id: sessionId },
          body: { up_to_seq: seq },
        });
      } catch {
        if ((readSent.get(sessionId) ?? 0) === seq) readSent.delete(sessionId); // try again next time
      }
    },
    typing(sessionId: string) {
      socket.typing(sessionId);
    },
    /** Cuts the socket as a network drop would (it reconnects and resumes by itself). */
    dropConnection() {
      socket.drop();
    },
    stop() {
      socket.stop();
      outbox.stop();
    },
  };
}

export type VisitorClient = ReturnType<typeof createVisitorClient>;
export type { AgentRef as Agent, MessageView as Message };
