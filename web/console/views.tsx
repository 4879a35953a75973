// The signed-in console: top bar, chat lists, conversation, contact panel, and the transfer and close dialogs.
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from "preact/hooks";
import { clock, dateTime, dayLabel, elapsed, initials, preview, visitorName } from "./format";
import type { Lang, T } from "./i18n";
import { BellIcon, BellOffIcon, ChatIcon, GlobeIcon } from "./icons";
import type { ConsoleStore, Pending } from "./store";
import type { Activity, AgentChat, AgentListEntry, Message, QueueItem, SessionDetail } from "./types";

type Tab = "queue" | "mine" | "closed";

function useStore(store: ConsoleStore): void {
  const [, bump] = useReducer((n: number, _: undefined) => n + 1, 0);
  useEffect(() => store.subscribe(() => bump(undefined)), [store]);
}

/** Re-renders every 30 s so waiting times stay current. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function sessionFromHash(): string | null {
  const m = /^#\/s\/([0-9a-fA-F-]{36})$/.exec(location.hash);
  return m?.[1]?.toLowerCase() ?? null;
}

export function Workspace(props: {
  store: ConsoleStore;
  t: T;
  lang: Lang;
  sound: boolean;
  onToggleSound: () => void;
  onToggleLang: () => void;
  onSignOut: () => void;
}) {
  const { store, t, lang } = props;
  useStore(store);
  const now = useNow();
  const [tab, setTab] = useState<Tab>("queue");
  const [dialog, setDialog] = useState<"transfer" | "close" | null>(null);

  useEffect(() => {
    const sync = () => store.select(sessionFromHash());
    sync();
    window.addEventListener("hashchange", sync);
    const visible = () => store.markRead();
    document.addEventListener("visibilitychange", visible);
    window.addEventListener("focus", visible);
    return () => {
      window.removeEventListener("hashchange", sync);
      document.removeEventListener("visibilitychange", visible);
      window.removeEventListener("focus", visible);
    };
  }, [store]);

  useEffect(() => {
    if (tab === "closed" && store.closed === null) store.loadClosed().catch((e) => store.fail(e));
  }, [tab, store]);

  const queue = store.queueList();
  const mine = store.mineList();
  const unread = mine.reduce((n, c) => n + c.unread_for_agent, 0);
  const badge = unread + queue.length;
  document.title = `${badge > 0 ? `(${badge}) ` : ""}${t("title")} — ${t("brand")}`;

  // Alt+↑ / Alt+↓: the previous or next chat of the list on screen.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
      const ids =
        tab === "queue"
          ? queue.map((q) => q.session_id)
          : tab === "mine"
            ? mine.map((c) => c.session_id)
            : (store.closed ?? []).map((c) => c.session_id);
      if (ids.length === 0) return;
      e.preventDefault();
      const at = store.selected ? ids.indexOf(store.selected) : -1;
      const next = e.key === "ArrowDown" ? (at + 1) % ids.length : at <= 0 ? ids.length - 1 : at - 1;
      location.hash = `#/s/${ids[next]}`;
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const selected = store.selected;
  // A chat claimed from the queue moves to "My chats": the list follows it.
  const seenQueued = useRef<string | null>(null);
  const queuedNow = selected !== null && store.queue.has(selected);
  useEffect(() => {
    if (queuedNow) seenQueued.current = selected;
    else if (selected !== null && selected === seenQueued.current && store.mine.has(selected)) {
      seenQueued.current = null;
      if (tab === "queue") setTab("mine");
    }
  });
  return (
    <div class="shell">
      <header class="topbar">
        <span class="logo">
          <span class="logo-mark">
            <ChatIcon />
          </span>
          <span class="brand-text">
            {t("brand")} · {t("title")}
          </span>
        </span>
        <span class="spacer" />
        <span role="status" id="conn" class={`conn ${store.conn}`}>
          {t(store.conn)}
        </span>
        <button
          type="button"
          role="switch"
          id="availability"
          class="switch"
          aria-checked={store.availability === "available"}
          onClick={() =>
            void store.setAvailability(store.availability === "available" ? "away" : "available")
          }
        >
          <span class="track" aria-hidden="true" />
          {t("available")}
        </button>
        <button
          type="button"
          class="btn ghost"
          id="sound"
          aria-pressed={props.sound}
          aria-label={t("sound")}
          title={t("sound")}
          onClick={props.onToggleSound}
        >
          {props.sound ? <BellIcon /> : <BellOffIcon />}
        </button>
        <button
          type="button"
          class="btn ghost"
          id="lang"
          onClick={props.onToggleLang}
          aria-label={t("switch_language_label")}
        >
          <GlobeIcon /> <span class="lang-text">{t("switch_language")}</span>
        </button>
        <span class="who">{store.me.name}</span>
        <button type="button" class="btn" id="sign-out" onClick={props.onSignOut}>
          {t("sign_out")}
        </button>
      </header>
      <div class={`workspace${selected ? " has-chat" : ""}`}>
        <nav class="sidebar" aria-label={t("chats_nav")}>
          <div class="tabs" role="tablist">
            <TabButton
              id="queue"
              tab={tab}
              setTab={setTab}
              label={t("queue")}
              count={queue.length}
              hot={false}
            />
            <TabButton
              id="mine"
              tab={tab}
              setTab={setTab}
              label={t("mine")}
              count={unread || mine.length}
              hot={unread > 0}
            />
            <TabButton id="closed" tab={tab} setTab={setTab} label={t("closed")} count={null} hot={false} />
          </div>
          <div
            class="tabpanel"
            role="tabpanel"
            id="panel-queue"
            aria-labelledby="tab-queue"
            hidden={tab !== "queue"}
          >
            <QueueList items={queue} selected={selected} t={t} now={now} />
          </div>
          <div
            class="tabpanel"
            role="tabpanel"
            id="panel-mine"
            aria-labelledby="tab-mine"
            hidden={tab !== "mine"}
          >
            <ChatList id="mine" items={mine} selected={selected} t={t} lang={lang} empty={t("mine_empty")} />
          </div>
          <div
            class="tabpanel"
            role="tabpanel"
            id="panel-closed"
            aria-labelledby="tab-closed"
            hidden={tab !== "closed"}
          >
            <div class="search">
              <label class="sr-only" for="closed-search">
                {t("search_topic")}
              </label>
              <input
                id="closed-search"
                type="search"
                placeholder={t("search_topic")}
                value={store.closedQuery}
                onInput={(e) => {
                  const q = (e.target as HTMLInputElement).value;
                  store.closedQuery = q;
                  store.emit();
                  debounce(() => store.loadClosed(q).catch((err) => store.fail(err)));
                }}
              />
            </div>
            {store.closed === null ? (
              <p class="empty">{t("loading")}</p>
            ) : (
              <ChatList
                id="closed"
                items={store.closed}
                selected={selected}
                t={t}
                lang={lang}
                empty={t("closed_empty")}
              />
            )}
          </div>
        </nav>
        <main class="conversation" id="conversation">
          {selected ? (
            <Conversation store={store} id={selected} t={t} lang={lang} now={now} onDialog={setDialog} />
          ) : (
            <div class="placeholder">
              <div>
                <p>{t("no_chat")}</p>
                <p>{t("no_chat_hint")}</p>
              </div>
            </div>
          )}
        </main>
        <aside class="contact" aria-label={t("contact_panel")}>
          {selected && <ContactPanel store={store} id={selected} t={t} lang={lang} />}
        </aside>
      </div>
      {dialog === "transfer" && selected && (
        <TransferDialog store={store} t={t} onDone={() => setDialog(null)} />
      )}
      {dialog === "close" && selected && (
        <ConfirmDialog
          id="close-dialog"
          title={t("close_title")}
          text={t("close_intro")}
          confirm={t("confirm_close")}
          cancel={t("cancel")}
          onCancel={() => setDialog(null)}
          onConfirm={async () => {
            await store.act("close");
            setDialog(null);
          }}
        />
      )}
    </div>
  );
}

let debounceTimer: ReturnType<typeof setTimeout> | undefined;
function debounce(fn: () => void) {
  clearTimeout(debounceTimer);
  debounceTimer = setTimeout(fn, 250);
}

function TabButton(props: {
  id: Tab;
  tab: Tab;
  setTab: (t: Tab) => void;
  label: string;
  count: number | null;
  hot: boolean;
}) {
  const selected = props.tab === props.id;
  return (
    <button
      type="button"
      role="tab"
      class="tab"
      id={`tab-${props.id}`}
      aria-selected={selected}
      aria-controls={`panel-${props.id}`}
      tabIndex={selected ? 0 : -1}
      onClick={() => props.setTab(props.id)}
      onKeyDown={(e) => {
        const order: Tab[] = ["queue", "mine", "closed"];
        const at = order.indexOf(props.id);
        const to =
          e.key === "ArrowRight"
            ? order[(at + 1) % 3]
            : e.key === "ArrowLeft"
              ? order[(at + 2) % 3]
              : undefined;
        if (to) {
          props.setTab(to);
          document.getElementById(`tab-${to}`)?.focus();
        }
      }}
    >
      {props.label}
      {props.count !== null && props.count > 0 && (
        <span class={`count${props.hot ? " hot" : ""}`}>{props.count}</span>
      )}
    </button>
  );
}

function PriorityBadge({ t, priority }: { t: T; priority: string }) {
  const key = `priority_${priority}` as "priority_low";
  return <span class={`prio ${priority}`}>{t(key)}</span>;
}

function QueueList({
  items,
  selected,
  t,
  now,
}: {
  items: QueueItem[];
  selected: string | null;
  t: T;
  now: number;
}) {
  if (items.length === 0) return <p class="empty">{t("queue_empty")}</p>;
  return (
    <ul class="list" id="queue">
      {items.map((q) => (
        <li key={q.session_id} data-session-id={q.session_id}>
          <a
            class="item"
            href={`#/s/${q.session_id}`}
            aria-current={q.session_id === selected ? "true" : undefined}
          >
            <span class="avatar" aria-hidden="true">
              {initials(t("visitor"))}
            </span>
            <span class="main">
              <span class="row">
                <span class="name">{q.topic}</span>
                <PriorityBadge t={t} priority={q.priority} />
              </span>
              <span class="row">
                <span class="topic">{t("visitor")}</span>
                <span class="time">{t("waiting_for", { t: elapsed(t, q.created_at, now) })}</span>
              </span>
            </span>
          </a>
        </li>
      ))}
    </ul>
  );
}

function ChatList(props: {
  id: string;
  items: AgentChat[];
  selected: string | null;
  t: T;
  lang: Lang;
  empty: string;
}) {
  const { t, lang } = props;
  if (props.items.length === 0) return <p class="empty">{props.empty}</p>;
  return (
    <ul class="list" id={props.id}>
      {props.items.map((c) => {
        const name = visitorName(t, c.contact_name);
        const last = c.last_message;
        const who = last?.author_kind === "agent" ? `${t("you")}: ` : "";
        const when = c.closed_at ?? last?.created_at ?? c.created_at;
        return (
          <li key={c.session_id} data-session-id={c.session_id}>
            <a
              class={`item${c.unread_for_agent > 0 ? " unread" : ""}`}
              href={`#/s/${c.session_id}`}
              aria-current={c.session_id === props.selected ? "true" : undefined}
            >
              <span class="avatar" aria-hidden="true">
                {initials(name)}
              </span>
              <span class="main">
                <span class="row">
                  <span class="name">{name}</span>
                  <span class="time">{c.closed_at ? dateTime(lang, when) : clock(lang, when)}</span>
                </span>
                <span class="topic">{c.topic}</span>
                <span class="row">
                  <span class="preview">{last ? `${who}${preview(last.body)}` : "—"}</span>
                  {c.unread_for_agent > 0 && (
                    <span class="badge unread-badge">
                      <span aria-hidden="true">{c.unread_for_agent}</span>
                      <span class="sr-only">{t("unread", { n: c.unread_for_agent })}</span>
                    </span>
                  )}
                </span>
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}

type Line =
  | { kind: "day"; key: string; text: string }
  | { kind: "sys"; key: string; text: string; at: string }
  | { kind: "msg"; key: string; message: Message }
  | { kind: "pending"; key: string; pending: Pending };

function activityText(t: T, a: Activity): string {
  switch (a.kind) {
    case "claimed":
      return t("sys_claimed", { agent: a.agent.name });
    case "transferred":
      return t("sys_transferred", { agent: a.agent.name });
    case "routed":
      return t("sys_routed", { agent: a.agent.name });
    case "closed":
      return t(
        a.by === "visitor"
          ? "sys_closed_visitor"
          : a.by === "agent"
            ? "sys_closed_agent"
            : "sys_closed_system",
      );
    case "rated":
      return t("sys_rated", { score: a.score });
  }
}

/** Messages by seq with the session's activity placed by time, and a day line where the day changes. */
function linesOf(
  t: T,
  lang: Lang,
  now: number,
  detail: SessionDetail | undefined,
  messages: Message[],
  pending: Pending[],
): Line[] {
  const events: { at: string; line: Line }[] = [];
  if (detail) {
    events.push({
      at: detail.created_at,
      line: {
        kind: "sys",
        key: "start",
        text: t("sys_started", { topic: detail.topic }),
        at: detail.created_at,
      },
    });
    detail.activity.forEach((a, i) => {
      events.push({ at: a.at, line: { kind: "sys", key: `a${i}`, text: activityText(t, a), at: a.at } });
    });
  }
  const out: Line[] = [];
  let day = "";
  const push = (at: string, line: Line) => {
    const d = dayLabel(t, lang, at, now);
    if (d !== day) {
      day = d;
      out.push({ kind: "day", key: `d${at}`, text: d });
    }
    out.push(line);
  };
  let e = 0;
  for (const m of messages) {
    while (e < events.length && (events[e] as { at: string }).at <= m.created_at) {
      const ev = events[e++] as { at: string; line: Line };
      push(ev.at, ev.line);
    }
    push(m.created_at, { kind: "msg", key: m.message_id, message: m });
  }
  for (; e < events.length; e++) {
    const ev = events[e] as { at: string; line: Line };
    push(ev.at, ev.line);
  }
  for (const p of pending) push(p.at, { kind: "pending", key: p.clientId, pending: p });
  return out;
}

function Conversation(props: {
  store: ConsoleStore;
  id: string;
  t: T;
  lang: Lang;
  now: number;
  onDialog: (d: "transfer" | "close") => void;
}) {
  const { store, id, t, lang } = props;
  const detail = store.details.get(id);
  const chat = store.mine.get(id);
  const queued = store.queue.get(id);
  const tr = store.transcript(id);
  const messages = [...tr.messages.values()].sort((a, b) => a.seq - b.seq);
  const pending = store.pending.get(id) ?? [];
  const status = detail?.status ?? (queued ? "waiting" : chat ? "active" : undefined);
  const mineActive = status === "active" && detail?.assigned_agent?.id === store.me.id;
  const waiting = status === "waiting";
  const contactName = detail?.contact?.contact_name ?? chat?.contact_name ?? null;
  const name = visitorName(t, contactName);
  const topic = detail?.topic ?? chat?.topic ?? queued?.topic ?? "";
  const priority = detail?.priority ?? chat?.priority ?? queued?.priority;
  const typing = (store.typingUntil.get(id) ?? 0) > Date.now();
  const lines = linesOf(t, lang, props.now, detail, messages, pending);
  const visitorRead = store.visitorRead.get(id) ?? 0;

  const logRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useLayoutEffect(() => {
    const el = logRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });
  useEffect(() => {
    stick.current = true;
  }, [id]);

  return (
    <>
      <div class="conv-head">
        <a class="btn ghost back" href="#/" aria-label={t("back")}>
          ←
        </a>
        <span class="avatar" aria-hidden="true">
          {initials(name)}
        </span>
        <div>
          <h2 id="conv-title">{name}</h2>
          <div class="sub">
            <span id="topic">{topic}</span>
            {priority && <PriorityBadge t={t} priority={priority} />}
            {status && (
              <span class={`status ${status}`} id="status" data-status={status}>
                {t(`status_${status}` as "status_active")}
              </span>
            )}
          </div>
        </div>
        <div class="actions">
          {waiting && (
            <button type="button" class="btn primary" id="claim" onClick={() => void store.act("claim")}>
              {t("claim")}
            </button>
          )}
          {mineActive && (
            <button type="button" class="btn" id="transfer" onClick={() => props.onDialog("transfer")}>
              {t("transfer")}
            </button>
          )}
          {(mineActive || waiting) && (
            <button type="button" class="btn danger" id="close" onClick={() => props.onDialog("close")}>
              {t("close_chat")}
            </button>
          )}
        </div>
      </div>
      {store.toast !== null && (
        <div class="alert toast" role="alert">
          {store.toast || t("error_generic")}{" "}
          <button
            type="button"
            class="btn ghost"
            onClick={() => {
              store.toast = null;
              store.emit();
            }}
          >
            {t("dismiss")}
          </button>
        </div>
      )}
      {store.conn === "offline" && (
        <div class="banner" role="status">
          {t("offline")}
        </div>
      )}
      <div
        class="transcript"
        id="transcript"
        role="log"
        aria-live="polite"
        aria-label={t("transcript", { name })}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must be reachable by keyboard to scroll it
        tabIndex={0}
        ref={logRef}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        {lines.map((line) => (
          <TranscriptLine
            key={line.key}
            line={line}
            t={t}
            lang={lang}
            name={name}
            visitorRead={visitorRead}
          />
        ))}
      </div>
      <div class="typing" aria-live="polite" id="typing">
        {typing ? t("typing", { name }) : ""}
      </div>
      {mineActive ? (
        <Composer store={store} t={t} id={id} />
      ) : (
        <div class="notice" id="composer-notice">
          <span>
            {status === "closed"
              ? t("chat_closed")
              : waiting
                ? t("claim_to_reply")
                : detail?.assigned_agent
                  ? t("held_by_other", { name: detail.assigned_agent.name })
                  : t("loading")}
          </span>
        </div>
      )}
    </>
  );
}

function TranscriptLine({
  line,
  t,
  lang,
  name,
  visitorRead,
}: {
  line: Line;
  t: T;
  lang: Lang;
  name: string;
  visitorRead: number;
}) {
  switch (line.kind) {
    case "day":
      return <div class="day">{line.text}</div>;
    case "sys":
      return (
        <div class="sys">
          {line.text}
          <time dateTime={line.at}>{clock(lang, line.at)}</time>
        </div>
      );
    case "pending":
      return (
        <div class={`msg agent ${line.pending.failed ? "failed" : "pending"}`}>
          <div class="bubble">{line.pending.body}</div>
          <span class="meta">{line.pending.failed ? t("error_generic") : t("sending")}</span>
        </div>
      );
    case "msg": {
      const m = line.message;
      if (m.author_kind === "system") {
        return (
          <div class="sys">
            {m.body}
            <time dateTime={m.created_at}>{clock(lang, m.created_at)}</time>
          </div>
        );
      }
      const visitor = m.author_kind === "visitor";
      const author = visitor
        ? visitorName(t, m.author_name ?? (name === t("visitor") ? null : name))
        : (m.author_name ?? "");
      const read = !visitor && m.seq <= visitorRead;
      return (
        <div class={`msg ${visitor ? "visitor" : "agent"}`} data-seq={m.seq}>
          <span class="author">{author}</span>
          <div class="bubble body">{m.body}</div>
          <span class="meta">
            <time dateTime={m.created_at}>{clock(lang, m.created_at)}</time>
            {!visitor && (
              <span class={`tick${read ? " read" : ""}`} data-read={read ? "true" : "false"}>
                <span aria-hidden="true">{read ? "✓✓" : "✓"}</span> {read ? t("read") : t("sent")}
              </span>
            )}
          </span>
        </div>
      );
    }
  }
}

function Composer({ store, t, id }: { store: ConsoleStore; t: T; id: string }) {
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    setText("");
    ref.current?.focus();
  }, [id]);
  const send = () => {
    const body = text;
    if (!body.trim()) return;
    setText("");
    void store.sendMessage(body);
    ref.current?.focus();
  };
  return (
    <div class="composer">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label class="sr-only" for="body">
          {t("message")}
        </label>
        <textarea
          id="body"
          ref={ref}
          rows={2}
          maxLength={4000}
          placeholder={t("message_placeholder")}
          aria-describedby="send-hint"
          value={text}
          onInput={(e) => {
            setText((e.target as HTMLTextAreaElement).value);
            store.typing();
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="btn primary" id="send" disabled={!text.trim()}>
          {t("send")}
        </button>
      </form>
      <div class="hint" id="send-hint">
        {t("send_hint")}
      </div>
    </div>
  );
}

function ContactPanel({ store, id, t, lang }: { store: ConsoleStore; id: string; t: T; lang: Lang }) {
  const detail = store.details.get(id);
  if (!detail) return <p class="empty">{t("loading")}</p>;
  const c = detail.contact;
  const name = visitorName(t, c?.contact_name);
  const user = detail.chat_user;
  const sessions = store.userSessions.get(detail.chat_user_id);
  const row = (label: string, value: string | null | undefined) =>
    value ? (
      <>
        <dt>{label}</dt>
        <dd>{value}</dd>
      </>
    ) : null;
  return (
    <div id="contact-panel">
      <h2>{t("contact_panel")}</h2>
      <div class="who">
        <span class="avatar" aria-hidden="true">
          {initials(name)}
        </span>
        <div>
          <strong id="contact-name">{name}</strong>
          {user.is_anonymous || !user.oss_user_id ? (
            <span class="pill anon" id="login-state">
              {t("anonymous")}
            </span>
          ) : (
            <span class="pill in" id="login-state">
              {t("logged_in")}
            </span>
          )}
        </div>
      </div>
      {c ? (
        <dl>
          {row(t("contact_email"), c.contact_email)}
          {row(t("contact_phone"), c.contact_phone)}
          {row(t("contact_position"), c.position)}
          {row(t("contact_company"), c.company_name)}
          {row(t("oss_account"), user.oss_user_id ?? t("not_logged_in"))}
          {row(t("started_at"), dateTime(lang, detail.created_at))}
          {detail.rating
            ? row(
                t("rating"),
                `${detail.rating.score}/5${detail.rating.comment ? ` — ${detail.rating.comment}` : ""}`,
              )
            : null}
        </dl>
      ) : (
        <>
          <p>{t("no_contact")}</p>
          <dl>
            {row(t("oss_account"), user.oss_user_id ?? t("not_logged_in"))}
            {row(t("started_at"), dateTime(lang, detail.created_at))}
          </dl>
        </>
      )}
      <h3>{t("earlier_sessions")}</h3>
      {sessions === undefined ? (
        <p>{t("loading")}</p>
      ) : sessions.filter((s) => s.session_id !== id).length === 0 ? (
        <p>{t("no_earlier")}</p>
      ) : (
        <ul class="earlier" id="earlier-sessions">
          {sessions
            .filter((s) => s.session_id !== id)
            .map((s) => (
              <li key={s.session_id}>
                <a href={`#/s/${s.session_id}`}>
                  <span class="t">{s.topic}</span>
                  <span class="d">
                    {dateTime(lang, s.created_at)} · {t(`status_${s.status}` as "status_active")}
                    {s.assigned_agent ? ` · ${s.assigned_agent.name}` : ""}
                  </span>
                </a>
              </li>
            ))}
        </ul>
      )}
    </div>
  );
}

function Modal(props: { id: string; labelledBy: string; onCancel: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      id={props.id}
      ref={ref}
      aria-labelledby={props.labelledBy}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      {props.children}
    </dialog>
  );
}

function ConfirmDialog(props: {
  id: string;
  title: string;
  text: string;
  confirm: string;
  cancel: string;
  onCancel: () => void;
  onConfirm: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <Modal id={props.id} labelledBy={`${props.id}-title`} onCancel={props.onCancel}>
      <div class="dialog-body">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <p>{props.text}</p>
      </div>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={props.onCancel} autofocus>
          {props.cancel}
        </button>
        <button
          type="button"
          class="btn danger solid"
          id={`${props.id}-confirm`}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await props.onConfirm();
          }}
        >
          {props.confirm}
        </button>
      </div>
    </Modal>
  );
}

function TransferDialog({ store, t, onDone }: { store: ConsoleStore; t: T; onDone: () => void }) {
  const [agents, setAgents] = useState<AgentListEntry[] | null>(null);
  const [choice, setChoice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    store
      .agents()
      .then((list) => setAgents(list.filter((a) => a.agent_id !== store.me.id)))
      .catch((e) => {
        store.fail(e);
        onDone();
      });
  }, [store]);
  return (
    <Modal id="transfer-dialog" labelledBy="transfer-title" onCancel={onDone}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!choice) return;
          setBusy(true);
          await store.transfer(choice);
          onDone();
        }}
      >
        <div class="dialog-body">
          <h2 id="transfer-title">{t("transfer_title")}</h2>
          <p>{t("transfer_intro")}</p>
          {agents === null ? (
            <p>{t("loading")}</p>
          ) : agents.length === 0 ? (
            <p>{t("no_agents")}</p>
          ) : (
            <fieldset>
              <legend>{t("choose_agent")}</legend>
              {agents.map((a) => (
                <label class="agent-option" key={a.agent_id} data-agent-id={a.agent_id}>
                  <input
                    type="radio"
                    name="agent"
                    value={a.agent_id}
                    checked={choice === a.agent_id}
                    onChange={() => setChoice(a.agent_id)}
                  />
                  <span class={`dot ${a.status}`} aria-hidden="true" />
                  <span>
                    <strong>{a.name}</strong>
                    <span class="load">{t("agent_load", { status: t(a.status), n: a.active_chats })}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          )}
        </div>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onDone}>
            {t("cancel")}
          </button>
          <button type="submit" class="btn primary" id="transfer-confirm" disabled={!choice || busy}>
            {t("confirm_transfer")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
