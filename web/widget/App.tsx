// The widget's markup: a launcher and a panel (pre-chat form, conversation, end of chat), all in the Shadow DOM.
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Message } from "../client";
import { formatTime, type Lang } from "../shared/i18n";
import type { Contact, Controller, State } from "./controller";
import { type TextKey, t } from "./texts";

function useWidgetState(controller: Controller): State {
  const [state, setState] = useState(controller.state);
  useEffect(() => controller.subscribe(() => setState(controller.state)), [controller]);
  return state;
}

const Icon = {
  chat: (
    <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 3C6.5 3 2 6.9 2 11.7c0 2.5 1.2 4.7 3.2 6.3L4.5 21.5a.5.5 0 0 0 .7.6l4-1.9c.9.2 1.8.3 2.8.3 5.5 0 10-3.9 10-8.8S17.5 3 12 3Z"
      />
    </svg>
  ),
  close: (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2.2"
        stroke-linecap="round"
        d="M6 6l12 12M18 6 6 18"
      />
    </svg>
  ),
  chevron: (
    <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2.4"
        stroke-linecap="round"
        stroke-linejoin="round"
        d="m6 9 6 6 6-6"
      />
    </svg>
  ),
  send: (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M3.4 20.4 21 12 3.4 3.6l-.1 6.5L15 12 3.3 13.9l.1 6.5Z" />
    </svg>
  ),
  bell: (on: boolean) => (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
        d="M6 16V11a6 6 0 1 1 12 0v5l1.5 2h-15L6 16Zm4 4h4"
      />
      {on ? null : <path stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M4 4l16 16" />}
    </svg>
  ),
  end: (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linecap="round"
        stroke-linejoin="round"
        d="M10 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h4M15 16l4-4-4-4M19 12H9"
      />
    </svg>
  ),
  check: (double: boolean) => (
    <svg viewBox="0 0 20 12" width="18" height="11" aria-hidden="true" focusable="false">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linecap="round"
        stroke-linejoin="round"
        d={double ? "M1 6.5 4.5 10 11 2M8 9l1 1 7-8" : "M4 6.5 7.5 10 14 2"}
      />
    </svg>
  ),
  clock: (
    <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.6" />
      <path
        d="M8 4.5V8l2.3 1.5"
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linecap="round"
      />
    </svg>
  ),
  star: (
    <svg viewBox="0 0 24 24" width="30" height="30" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="m12 2.8 2.8 5.8 6.3.9-4.6 4.4 1.1 6.3L12 17.2l-5.6 3 1.1-6.3L2.9 9.5l6.3-.9L12 2.8Z"
      />
    </svg>
  ),
};

function initials(name: string): string {
  const parts = name
    .trim()
    .split(/\s+/)
    .filter((p) => /^[\p{L}\p{N}]/u.test(p));
  return ((parts[0]?.[0] ?? "") + (parts[1]?.[0] ?? "")).toUpperCase() || "•";
}

function statusText(s: State): string {
  const name = s.agent?.name ?? t(s.lang, "agent");
  switch (s.status) {
    case "waiting":
      return t(s.lang, "status_waiting");
    case "active":
      return t(s.lang, s.transferred ? "status_transferred" : "status_active", { name });
    case "closed":
      return t(s.lang, "status_closed");
    default:
      return t(s.lang, "subtitle_idle");
  }
}

export function App({ controller }: { controller: Controller }) {
  const s = useWidgetState(controller);
  const { lang } = s;
  const launcherLabel =
    s.unread > 0 ? t(lang, "open_chat_unread", { count: s.unread }) : t(lang, "open_chat");
  return (
    <div class="olc" lang={lang}>
      {s.open ? <Panel s={s} controller={controller} /> : null}
      <button
        type="button"
        class={`launcher${s.open ? " is-open" : ""}`}
        aria-label={s.open ? t(lang, "close_panel") : launcherLabel}
        aria-expanded={s.open}
        aria-controls="olc-panel"
        onClick={() => controller.setOpen(!s.open)}
      >
        {s.open ? Icon.chevron : Icon.chat}
        {s.unread > 0 && !s.open ? (
          <span class="badge" aria-hidden="true">
            {s.unread > 99 ? "99+" : s.unread}
          </span>
        ) : null}
      </button>
    </div>
  );
}

function IconButton(props: {
  label: string;
  onClick: () => void;
  pressed?: boolean;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <button
      type="button"
      class={`icon-btn${props.class ? ` ${props.class}` : ""}`}
      aria-label={props.label}
      title={props.label}
      aria-pressed={props.pressed}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}

function Panel({ s, controller }: { s: State; controller: Controller }) {
  const { lang } = s;
  const inChat = s.sessionId !== null && s.status !== null;
  const canEnd = inChat && s.status !== "closed";
  const offline = !s.browserOnline || (s.wasOnline && s.connection !== "online");
  return (
    <section
      id="olc-panel"
      class="panel"
      role="dialog"
      aria-modal="false"
      aria-labelledby="olc-title"
      onKeyDown={(e) => {
        // Escape closes the panel and gives the focus back to the launcher.
        if (e.key !== "Escape") return;
        const root = (e.currentTarget as HTMLElement).getRootNode() as ShadowRoot;
        controller.setOpen(false);
        requestAnimationFrame(() =>
          (root.querySelector("button.launcher") as HTMLButtonElement | null)?.focus(),
        );
      }}
    >
      <header class="head">
        <div class="avatar" aria-hidden="true">
          {s.agent && s.status === "active" ? initials(s.agent.name) : Icon.chat}
        </div>
        <div class="titles">
          <h2 id="olc-title">{s.agent && s.status === "active" ? s.agent.name : t(lang, "title")}</h2>
          <p class="subtitle">{t(lang, s.agent && s.status === "active" ? "team" : "subtitle_idle")}</p>
        </div>
        <div class="actions">
          <button
            type="button"
            class="text-btn lang"
            aria-label={`${lang === "id" ? "EN" : "ID"} — ${t(lang, "switch_language_label")}`}
            title={t(lang, "switch_language_label")}
            onClick={() => controller.setLanguage(lang === "id" ? "en" : "id")}
          >
            {lang === "id" ? "EN" : "ID"}
          </button>
          <IconButton
            label={t(lang, s.sound ? "sound_on" : "sound_off")}
            pressed={s.sound}
            onClick={() => controller.toggleSound()}
          >
            {Icon.bell(s.sound)}
          </IconButton>
          {canEnd ? (
            <IconButton label={t(lang, "end_chat")} class="end" onClick={() => controller.askEnd(true)}>
              {Icon.end}
            </IconButton>
          ) : null}
          <IconButton label={t(lang, "close_panel")} onClick={() => controller.setOpen(false)}>
            {Icon.close}
          </IconButton>
        </div>
      </header>
      {inChat ? (
        <p class="status" role="status" data-status={s.status ?? "idle"}>
          <span class="dot" aria-hidden="true" />
          {statusText(s)}
        </p>
      ) : null}
      {s.debug ? (
        <div class="debug-bar">
          <button type="button" class="text-btn debug" onClick={() => controller.dropConnection()}>
            {t(lang, "drop_connection")}
          </button>
        </div>
      ) : null}
      {offline ? (
        <div class="banner" role="status">
          <span class="spinner" aria-hidden="true" />
          {t(lang, s.browserOnline ? "reconnecting" : "offline")}
        </div>
      ) : null}
      {s.confirmingEnd ? (
        <div class="confirm" role="alertdialog" aria-labelledby="olc-confirm">
          <p id="olc-confirm">{t(lang, "end_chat_confirm")}</p>
          <div class="confirm-actions">
            <button type="button" class="btn ghost" onClick={() => controller.askEnd(false)}>
              {t(lang, "cancel")}
            </button>
            <button
              type="button"
              class="btn danger"
              disabled={s.busy}
              onClick={() => void controller.endChat()}
            >
              {t(lang, "end_chat_yes")}
            </button>
          </div>
        </div>
      ) : null}
      {inChat ? <Conversation s={s} controller={controller} /> : <PreChat s={s} controller={controller} />}
      {s.error ? (
        <div class="error" role="alert">
          <span>{s.error}</span>
          <IconButton label={t(lang, "close_panel")} onClick={() => controller.dismissError()}>
            {Icon.close}
          </IconButton>
        </div>
      ) : null}
    </section>
  );
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  error?: string | undefined;
  optional?: string | undefined;
  type?: string;
  autocomplete?: string;
  placeholder?: string;
  multiline?: boolean;
  maxLength?: number;
  inputRef?: { current: HTMLInputElement | HTMLTextAreaElement | null };
  onInput: (value: string) => void;
}

function Field(p: FieldProps) {
  const common = {
    id: p.id,
    value: p.value,
    placeholder: p.placeholder,
    maxLength: p.maxLength,
    "aria-invalid": p.error ? true : undefined,
    "aria-describedby": p.error ? `${p.id}-error` : undefined,
    onInput: (e: Event) => p.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={p.id}>
        {p.label}
        {p.optional ? <span class="optional"> ({p.optional})</span> : null}
      </label>
      {p.multiline ? (
        <textarea {...common} rows={2} ref={p.inputRef as { current: HTMLTextAreaElement | null }} />
      ) : (
        <input
          {...common}
          type={p.type ?? "text"}
          autoComplete={p.autocomplete}
          ref={p.inputRef as { current: HTMLInputElement | null }}
        />
      )}
      {p.error ? (
        <p class="field-error" id={`${p.id}-error`}>
          {p.error}
        </p>
      ) : null}
    </div>
  );
}

function PreChat({ s, controller }: { s: State; controller: Controller }) {
  const { lang } = s;
  const [topic, setTopic] = useState("");
  const [contact, setContact] = useState<Contact>(s.contact);
  const [errors, setErrors] = useState<Partial<Record<"topic" | "name" | "email", TextKey>>>({});
  const first = useRef<HTMLInputElement | HTMLTextAreaElement | null>(null);
  useEffect(() => first.current?.focus(), []);
  const err = (k: "topic" | "name" | "email", label: TextKey) =>
    errors[k] ? t(lang, errors[k] as TextKey, { field: t(lang, label) }) : undefined;

  async function submit(e: Event) {
    e.preventDefault();
    const found: typeof errors = {};
    if (topic.trim() === "") found.topic = "required";
    if (contact.name.trim() === "") found.name = "required";
    if (contact.email.trim() === "") found.email = "required";
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact.email.trim())) found.email = "invalid_email";
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    await controller.start(topic.trim(), {
      name: contact.name.trim(),
      email: contact.email.trim(),
      phone: contact.phone.trim(),
    });
  }

  return (
    <form class="prechat" noValidate onSubmit={submit}>
      <div class="welcome">
        <h3>{t(lang, "welcome_title")}</h3>
        <p>{t(lang, "welcome_body")}</p>
      </div>
      <Field
        id="olc-topic"
        label={t(lang, "topic")}
        placeholder={t(lang, "topic_hint")}
        value={topic}
        multiline
        maxLength={500}
        error={err("topic", "topic")}
        inputRef={first}
        onInput={setTopic}
      />
      <Field
        id="olc-name"
        label={t(lang, "name")}
        value={contact.name}
        autocomplete="name"
        maxLength={200}
        error={err("name", "name")}
        onInput={(name) => setContact({ ...contact, name })}
      />
      <Field
        id="olc-email"
        label={t(lang, "email")}
        type="email"
        value={contact.email}
        autocomplete="email"
        maxLength={320}
        error={err("email", "email")}
        onInput={(email) => setContact({ ...contact, email })}
      />
      <Field
        id="olc-phone"
        label={t(lang, "phone")}
        optional={t(lang, "optional")}
        type="tel"
        value={contact.phone}
        autocomplete="tel"
        maxLength={40}
        onInput={(phone) => setContact({ ...contact, phone })}
      />
      <button type="submit" class="btn primary wide" disabled={s.busy}>
        {t(lang, s.busy ? "starting" : "start_chat")}
      </button>
      <p class="note">{t(lang, "remembered")}</p>
    </form>
  );
}

interface Row {
  readonly key: string;
  readonly kind: Message["author_kind"];
  readonly name: string | null;
  readonly body: string;
  readonly at: string;
  readonly seq: number | null;
  readonly state: "sending" | "sent" | "read" | "failed" | null;
  readonly error?: string;
}

function rowsOf(s: State): Row[] {
  const rows: Row[] = s.messages.map((m) => ({
    key: m.message_id,
    kind: m.author_kind,
    name: m.author_name,
    body: m.body,
    at: m.created_at,
    seq: m.seq,
    state: m.author_kind !== "visitor" ? null : m.seq <= s.agentReadSeq ? "read" : "sent",
  }));
  for (const [id, a] of Object.entries(s.accepted)) {
    rows.push({
      key: id,
      kind: "visitor",
      name: null,
      body: a.body,
      at: a.created_at,
      seq: a.seq,
      state: "sent",
    });
  }
  for (const p of s.pending) {
    rows.push({
      key: p.client_message_id,
      kind: "visitor",
      name: null,
      body: p.body,
      at: p.created_at,
      seq: null,
      state: "sending",
    });
  }
  for (const f of s.failed) {
    const { item } = f;
    rows.push({
      key: item.client_message_id,
      kind: "visitor",
      name: null,
      body: item.body,
      at: item.created_at,
      seq: null,
      state: "failed",
      error: f.error,
    });
  }
  return rows;
}

function Tick({ state, lang }: { state: Row["state"]; lang: Lang }) {
  if (state === null || state === "failed") return null;
  const label = t(lang, state === "sending" ? "sending" : state === "read" ? "read" : "sent");
  return (
    <span class={`tick ${state}`} role="img" aria-label={label} title={label}>
      {state === "sending" ? Icon.clock : Icon.check(state === "read")}
    </span>
  );
}

/** A scrollable transcript must be reachable by keyboard (axe: scrollable-region-focusable). */
const keyboardScrollable = { tabIndex: 0 };

function Conversation({ s, controller }: { s: State; controller: Controller }) {
  const { lang } = s;
  const log = useRef<HTMLDivElement>(null);
  const rows = rowsOf(s);
  const stick = useRef(true);
  useLayoutEffect(() => {
    const el = log.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });
  return (
    <>
      <div
        class="log"
        ref={log}
        role="log"
        aria-live="polite"
        aria-label={t(lang, "transcript")}
        {...keyboardScrollable}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
        }}
      >
        {rows.map((row, i) => {
          const prev = rows[i - 1];
          const groupStart = !prev || prev.kind !== row.kind || prev.name !== row.name;
          const author =
            row.kind === "visitor"
              ? t(lang, "you")
              : row.kind === "system"
                ? t(lang, "system")
                : (row.name ?? t(lang, "agent"));
          return (
            <div
              key={row.key}
              class={`msg ${row.kind}${groupStart ? " first" : ""}`}
              data-seq={row.seq ?? undefined}
              data-state={row.state ?? undefined}
            >
              {groupStart && row.kind === "agent" ? (
                <div class="author" aria-hidden="true">
                  <span class="mini-avatar">{initials(author)}</span>
                  {author}
                </div>
              ) : null}
              <div class="bubble">
                <span class="sr-only">{author}: </span>
                <p class="body">{row.body}</p>
                <span class="meta">
                  <time dateTime={row.at}>{formatTime(row.at, lang)}</time>
                  <Tick state={row.state} lang={lang} />
                </span>
              </div>
              {row.state === "failed" ? (
                <p class="msg-error">{`${t(lang, "failed")}: ${row.error ?? ""}`}</p>
              ) : null}
            </div>
          );
        })}
      </div>
      <div class="typing" aria-live="polite">
        {s.agentTyping && s.status !== "closed" ? (
          <>
            <span class="dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {t(lang, "typing", { name: s.agent?.name ?? t(lang, "agent") })}
          </>
        ) : null}
      </div>
      {s.status === "closed" ? (
        <Ended s={s} controller={controller} />
      ) : (
        <Composer s={s} controller={controller} />
      )}
    </>
  );
}

function Composer({ s, controller }: { s: State; controller: Controller }) {
  const { lang } = s;
  const [text, setText] = useState("");
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => input.current?.focus(), []);
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
  }, [text]);
  function send(e?: Event) {
    e?.preventDefault();
    if (text.trim() === "") return;
    controller.send(text);
    setText("");
    input.current?.focus();
  }
  return (
    <form class="composer" onSubmit={send}>
      <label class="sr-only" for="olc-message">
        {t(lang, "message")}
      </label>
      <textarea
        id="olc-message"
        ref={input}
        rows={1}
        maxLength={4000}
        placeholder={t(lang, "message_hint")}
        value={text}
        onInput={(e) => {
          setText((e.currentTarget as HTMLTextAreaElement).value);
          controller.typing();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
        }}
      />
      <button
        type="submit"
        class="send"
        aria-label={t(lang, "send")}
        title={t(lang, "send")}
        disabled={text.trim() === ""}
      >
        {Icon.send}
      </button>
    </form>
  );
}

function Ended({ s, controller }: { s: State; controller: Controller }) {
  const { lang } = s;
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  const [missing, setMissing] = useState(false);
  return (
    <section class="ended" aria-labelledby="olc-ended">
      <h3 id="olc-ended">{t(lang, "ended_title")}</h3>
      <p>{t(lang, "ended_body")}</p>
      {s.rated ? (
        <p class="thanks" role="status">
          {t(lang, "rating_thanks")}
        </p>
      ) : (
        <form
          class="rating"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (score === 0) {
              setMissing(true);
              return;
            }
            void controller.rate(score, comment);
          }}
        >
          <fieldset aria-describedby={missing ? "olc-score-error" : undefined}>
            <legend>{t(lang, "rate_prompt")}</legend>
            <div class="stars">
              {[1, 2, 3, 4, 5].map((n) => (
                <label key={n} class={`star${n <= score ? " on" : ""}`}>
                  <input
                    type="radio"
                    name="olc-score"
                    value={n}
                    checked={score === n}
                    onChange={() => {
                      setScore(n);
                      setMissing(false);
                    }}
                  />
                  {Icon.star}
                  <span class="sr-only">{t(lang, "star", { score: n })}</span>
                </label>
              ))}
            </div>
            {missing ? (
              <p class="field-error" id="olc-score-error">
                {t(lang, "choose_score")}
              </p>
            ) : null}
          </fieldset>
          <label for="olc-comment" class="sr-only">
            {t(lang, "comment")}
          </label>
          <textarea
            id="olc-comment"
            rows={2}
            maxLength={1000}
            placeholder={t(lang, "comment_hint")}
            value={comment}
            onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)}
          />
          <button type="submit" class="btn primary wide" disabled={s.busy}>
            {t(lang, "submit_rating")}
          </button>
        </form>
      )}
      <button type="button" class="btn ghost wide" onClick={() => controller.newChat()}>
        {t(lang, "new_chat")}
      </button>
    </section>
  );
}
