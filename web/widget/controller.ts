// The widget's state and behaviour, without its markup: the view (App.tsx) renders a State and calls these.
import {
  type Agent,
  ApiError,
  type ConnectionState,
  type Message,
  NetworkError,
  type OutboxItem,
  type SessionStatus,
  type VisitorClient,
} from "../client";
import type { Lang } from "../shared/i18n";
import { playChime } from "./sound";
import { t } from "./texts";

export interface Contact {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
}

export interface Accepted {
  readonly seq: number;
  readonly body: string;
  readonly created_at: string;
}

export interface State {
  readonly open: boolean;
  readonly lang: Lang;
  readonly sound: boolean;
  readonly connection: ConnectionState;
  /** The socket was online once: a later drop shows the reconnect banner. */
  readonly wasOnline: boolean;
  readonly browserOnline: boolean;
  readonly sessionId: string | null;
  readonly status: SessionStatus | null;
  readonly agent: Agent | null;
  /** The agent changed while the chat was active (transfer). */
  readonly transferred: boolean;
  readonly messages: readonly Message[];
  readonly pending: readonly OutboxItem[];
  /** Messages the API accepted (by client_message_id) that the socket has not delivered yet. */
  readonly accepted: Readonly<Record<string, Accepted>>;
  readonly failed: readonly { readonly item: OutboxItem; readonly error: string }[];
  readonly agentReadSeq: number;
  readonly visitorReadSeq: number;
  readonly agentTyping: boolean;
  readonly unread: number;
  readonly rated: boolean;
  readonly busy: boolean;
  readonly error: string | null;
  readonly contact: Contact;
  readonly confirmingEnd: boolean;
  readonly debug: boolean;
}

export type WidgetEvent = "message" | "unread" | "open" | "close";

const KEY = "osslivechat:";

function readJson<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(KEY + key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

function writeJson(key: string, value: unknown) {
  try {
    if (value === null) localStorage.removeItem(KEY + key);
    else localStorage.setItem(KEY + key, JSON.stringify(value));
  } catch {
    // storage denied: the widget works for this page's life
  }
}

export function createController(client: VisitorClient, initial: { lang: Lang; debug: boolean }) {
  const storedLang = readJson<Lang | null>("lang", null);
  let state: State = {
    open: readJson<boolean>("open", false),
    lang: storedLang ?? initial.lang,
    sound: readJson<boolean>("sound", false),
    connection: client.state,
    wasOnline: false,
    browserOnline: typeof navigator === "undefined" ? true : navigator.onLine !== false,
    sessionId: readJson<string | null>("session", null),
    status: null,
    agent: null,
    transferred: false,
    messages: [],
    pending: [],
    accepted: {},
    failed: [],
    agentReadSeq: 0,
    visitorReadSeq: 0,
    agentTyping: false,
    unread: 0,
    rated: false,
    busy: false,
    error: null,
    contact: readJson<Contact>("contact", { name: "", email: "", phone: "" }),
    confirmingEnd: false,
    debug: initial.debug,
  };
  client.setLanguage(state.lang);
  const views = new Set<() => void>();
  const handlers: { [E in WidgetEvent]: Set<(value: unknown) => void> } = {
    message: new Set(),
    unread: new Set(),
    open: new Set(),
    close: new Set(),
  };
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let lastTypingSent = 0;
  let live = false; // backlog delivered: later messages are news
  const baseTitle = { value: typeof document === "undefined" ? "" : document.title, badged: false };

  function fire(event: WidgetEvent, value: unknown) {
    for (const fn of handlers[event]) {
      try {
        fn(value);
      } catch (err) {
        console.error(err);
      }
    }
  }

  function set(patch: Partial<State>) {
    const before = state;
    state = { ...state, ...patch };
    if (state.unread !== before.unread) {
      fire("unread", state.unread);
      updateTitle();
    }
    for (const view of views) view();
  }

  function errorText(err: unknown): string {
    if (err instanceof NetworkError) return t(state.lang, "network_error");
    if (err instanceof ApiError) return err.status === 429 ? t(state.lang, "too_many") : err.message;
    return t(state.lang, "network_error");
  }

  function pageVisible() {
    return typeof document === "undefined" || document.visibilityState !== "hidden";
  }

  function updateTitle() {
    if (typeof document === "undefined") return;
    if (state.unread > 0 && !pageVisible()) {
      if (!baseTitle.badged) baseTitle.value = document.title;
      baseTitle.badged = true;
      document.title = `${t(state.lang, "new_message_title", { count: state.unread })} · ${baseTitle.value}`;
    } else if (baseTitle.badged) {
      document.title = baseTitle.value;
      baseTitle.badged = false;
    }
  }

  /** What the visitor can see now is read: post the receipt and clear the badge. */
  function markSeen() {
    const { sessionId, messages } = state;
    if (!state.open || !pageVisible() || sessionId === null) return;
    const last = messages[messages.length - 1];
    if (last === undefined) return;
    const news = messages.some((m) => m.author_kind !== "visitor" && m.seq > state.visitorReadSeq);
    if (news) void client.markRead(sessionId, last.seq);
    if (news || state.unread !== 0)
      set({ visitorReadSeq: Math.max(state.visitorReadSeq, last.seq), unread: 0 });
  }

  function unreadOf(messages: readonly Message[], readSeq: number): number {
    return messages.filter((m) => m.author_kind !== "visitor" && m.seq > readSeq).length;
  }

  function watchSession(sessionId: string) {
    live = false;
    set({
      sessionId,
      messages: [],
      accepted: {},
      failed: [],
      status: state.sessionId === sessionId ? state.status : "waiting",
      agent: null,
      transferred: false,
      agentReadSeq: 0,
      visitorReadSeq: 0,
      unread: 0,
      rated: false,
      pending: client.pending(sessionId),
    });
    client.watch(sessionId, 0);
  }

  function forgetSession() {
    if (state.sessionId) client.unwatch(state.sessionId);
    writeJson("session", null);
  }

  client.on("state", (connection) =>
    set({
      connection,
      wasOnline: state.wasOnline || connection === "online",
      browserOnline: typeof navigator === "undefined" ? true : navigator.onLine !== false,
    }),
  );
  client.on("outbox", () => set({ pending: state.sessionId ? client.pending(state.sessionId) : [] }));
  client.on("sent", ({ item, posted }) => {
    if (state.messages.some((m) => m.seq === posted.seq)) return;
    const accepted = { seq: posted.seq, body: item.body, created_at: posted.created_at };
    set({ accepted: { ...state.accepted, [item.client_message_id]: accepted } });
  });
  client.on("failed", ({ item, error }) => {
    if (item.session_id !== state.sessionId) return;
    set({ failed: [...state.failed, { item, error: errorText(error) }] });
  });
  client.on("frame", (frame) => {
    if (frame.type === "error") {
      if (frame.code === 404 && frame.session_id === state.sessionId) {
        forgetSession();
        set({ sessionId: null, status: null, messages: [], error: t(state.lang, "session_lost") });
      }
      return;
    }
    if (!("session_id" in frame) || frame.session_id !== state.sessionId) return;
    switch (frame.type) {
      case "message": {
        const message = frame.message;
        const messages = [...state.messages.filter((m) => m.seq !== message.seq), message].sort(
          (a, b) => a.seq - b.seq,
        );
        const accepted = Object.fromEntries(
          Object.entries(state.accepted).filter(([, a]) => a.seq !== message.seq),
        );
        const news = live && message.author_kind !== "visitor";
        set({
          messages,
          accepted,
          agentTyping: message.author_kind === "agent" ? false : state.agentTyping,
          // The backlog is counted once the read marks are known (subscribed): no badge flashing on a reload.
          unread: live ? unreadOf(messages, state.visitorReadSeq) : state.unread,
        });
        if (news) {
          fire("message", { session_id: frame.session_id, message });
          if (state.sound && (!state.open || !pageVisible())) playChime();
        }
        markSeen();
        return;
      }
      case "subscribed": {
        live = true;
        const visitorReadSeq = Math.max(state.visitorReadSeq, frame.visitor_read_seq ?? 0);
        set({
          status: frame.status,
          agent: frame.assigned_agent,
          agentReadSeq: Math.max(state.agentReadSeq, frame.agent_read_seq ?? 0),
          visitorReadSeq,
          unread: unreadOf(state.messages, visitorReadSeq),
        });
        markSeen();
        return;
      }
      case "status": {
        const transferred =
          frame.status === "active" &&
          state.agent !== null &&
          frame.assigned_agent !== null &&
          frame.assigned_agent.id !== state.agent.id;
        set({
          status: frame.status,
          agent: frame.assigned_agent ?? state.agent,
          transferred: transferred || (frame.status === "active" && state.transferred),
          agentTyping: false,
          confirmingEnd: false,
        });
        return;
      }
      case "typing":
        if (frame.author_kind !== "agent") return;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => set({ agentTyping: false }), 4000);
        set({ agentTyping: true });
        return;
      case "read":
        if (frame.reader_kind === "agent")
          set({ agentReadSeq: Math.max(state.agentReadSeq, frame.up_to_seq) });
        else set({ visitorReadSeq: Math.max(state.visitorReadSeq, frame.up_to_seq) });
        return;
      default:
        return;
    }
  });

  if (typeof document !== "undefined") {
    document.addEventListener("visibilitychange", () => {
      updateTitle();
      markSeen();
    });
  }
  if (state.sessionId !== null) watchSession(state.sessionId);

  return {
    get state() {
      return state;
    },
    subscribe(view: () => void): () => void {
      views.add(view);
      return () => views.delete(view);
    },
    on(event: WidgetEvent, fn: (value: unknown) => void): () => void {
      if (!(event in handlers)) throw new Error(`OssLiveChat.on: unknown event "${event}"`);
      handlers[event].add(fn);
      return () => handlers[event].delete(fn);
    },
    setOpen(open: boolean) {
      if (open === state.open) return;
      writeJson("open", open);
      set({ open, confirmingEnd: false });
      fire(open ? "open" : "close", null);
      if (open) markSeen();
    },
    setLanguage(lang: Lang) {
      if (lang !== "id" && lang !== "en") throw new Error('OssLiveChat.setLanguage: "id" or "en"');
      writeJson("lang", lang);
      client.setLanguage(lang);
      set({ lang, error: null });
      updateTitle();
    },
    toggleSound() {
      writeJson("sound", !state.sound);
      set({ sound: !state.sound });
      if (state.sound) playChime();
    },
    async identify(token: string) {
      return client.identify(token);
    },

    /** The pre-chat form: starts the session (once) and saves its contact, remembered for the next chat. */
    async start(topic: string, contact: Contact) {
      set({ busy: true, error: null });
      try {
        const sessionId = state.sessionId ?? (await client.start(topic)).session_id;
        if (state.sessionId === null) {
          writeJson("session", sessionId);
          set({ sessionId, status: "waiting" });
        }
        writeJson("contact", contact);
        set({ contact });
        await client.setContact(sessionId, {
          contact_name: contact.name,
          contact_email: contact.email,
          ...(contact.phone.trim() === "" ? {} : { contact_phone: contact.phone }),
        });
        watchSession(sessionId);
        set({ busy: false });
        return null;
      } catch (err) {
        set({ busy: false, error: errorText(err) });
        return err;
      }
    },

    send(body: string) {
      const text = body.trim();
      if (text === "" || state.sessionId === null || state.status === "closed") return;
      client.send(state.sessionId, body);
      set({ error: null });
    },

    typing() {
      if (state.sessionId === null || Date.now() - lastTypingSent < 1500) return;
      lastTypingSent = Date.now();
      client.typing(state.sessionId);
    },

    askEnd(confirming: boolean) {
      set({ confirmingEnd: confirming });
    },

    async endChat() {
      if (state.sessionId === null) return;
      set({ busy: true, error: null });
      try {
        await client.close(state.sessionId);
        set({ busy: false, status: "closed", confirmingEnd: false });
      } catch (err) {
        set({ busy: false, error: errorText(err) });
      }
    },

    async rate(score: number, comment: string) {
      if (state.sessionId === null) return;
      set({ busy: true, error: null });
      try {
        await client.rate(state.sessionId, score, comment.trim() === "" ? undefined : comment);
        set({ busy: false, rated: true });
      } catch (err) {
        set({ busy: false, error: errorText(err) });
      }
    },

    newChat() {
      forgetSession();
      set({
        sessionId: null,
        status: null,
        agent: null,
        messages: [],
        pending: [],
        accepted: {},
        failed: [],
        unread: 0,
        rated: false,
        error: null,
        transferred: false,
      });
    },

    dismissError() {
      set({ error: null });
    },

    dropConnection() {
      client.dropConnection();
    },
  };
}

export type Controller = ReturnType<typeof createController>;
