// The agent console served at /console: sign in with a staff key, then queue, chats, conversation, contact.
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import css from "./console.css";
import { type Lang, type T, translator } from "./i18n";
import { ChatIcon, GlobeIcon } from "./icons";
import { ApiError, createApi } from "./net";
import { askNotificationPermissionOnce, chime, desktopNotify, unlockAudio } from "./notify";
import { ConsoleStore } from "./store";
import type { Availability } from "./types";
import { Workspace } from "./views";

const KEY = "osslc.console.staffKey";
const LANG = "osslc.console.lang";
const SOUND = "osslc.console.sound";

const store = {
  get(storage: Storage, name: string): string | null {
    try {
      return storage.getItem(name);
    } catch {
      return null;
    }
  },
  set(storage: Storage, name: string, value: string | null): void {
    try {
      if (value === null) storage.removeItem(name);
      else storage.setItem(name, value);
    } catch {
      // storage blocked: the console still works for this page
    }
  },
};

function initialLang(): Lang {
  const saved = store.get(localStorage, LANG);
  if (saved === "id" || saved === "en") return saved;
  return "id";
}

export function LangToggle({ t, onToggle }: { t: T; onToggle: () => void }) {
  return (
    <button
      type="button"
      class="btn ghost"
      id="lang"
      onClick={onToggle}
      aria-label={t("switch_language_label")}
    >
      <GlobeIcon /> {t("switch_language")}
    </button>
  );
}

function SignIn({
  t,
  message,
  busy,
  onSubmit,
  onToggleLang,
}: {
  t: T;
  message: string | null;
  busy: boolean;
  onSubmit: (key: string) => void;
  onToggleLang: () => void;
}) {
  const [key, setKey] = useState("");
  return (
    <main class="signin">
      <div class="signin-card">
        <div class="signin-top">
          <span class="logo">
            <span class="logo-mark">
              <ChatIcon />
            </span>
            {t("brand")}
          </span>
          <LangToggle t={t} onToggle={onToggleLang} />
        </div>
        <h1>{t("sign_in_title")}</h1>
        <p>{t("sign_in_intro")}</p>
        {message && (
          <div class="alert" role="alert" id="signin-error">
            {message}
          </div>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (key.trim()) onSubmit(key.trim());
          }}
        >
          <div class="field">
            <label for="staff-key">{t("staff_key")}</label>
            <input
              id="staff-key"
              type="password"
              autocomplete="off"
              required
              value={key}
              onInput={(e) => setKey((e.target as HTMLInputElement).value)}
              aria-describedby={message ? "signin-error" : undefined}
            />
          </div>
          <button id="connect" class="btn primary" type="submit" disabled={busy}>
            {busy ? t("signing_in") : t("sign_in")}
          </button>
        </form>
      </div>
    </main>
  );
}

interface Signed {
  readonly store: ConsoleStore;
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const t = useMemo(() => translator(lang), [lang]);
  const [signed, setSigned] = useState<Signed | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sound, setSound] = useState(() => store.get(localStorage, SOUND) !== "off");
  const langRef = useMemo(() => ({ current: lang }), []);
  langRef.current = lang;
  const soundRef = useMemo(() => ({ current: sound }), []);
  soundRef.current = sound;
  const tRef = useMemo(() => ({ current: t }), []);
  tRef.current = t;

  useEffect(() => {
    document.documentElement.lang = lang;
    store.set(localStorage, LANG, lang);
  }, [lang]);

  async function signIn(key: string, fromGesture: boolean) {
    setBusy(true);
    setMessage(null);
    if (fromGesture) {
      askNotificationPermissionOnce();
      unlockAudio();
    }
    const api = createApi(key, () => langRef.current);
    try {
      const me = await api.get<{ agent_id: string; name: string; status: Availability }>("/api/agent/status");
      store.set(sessionStorage, KEY, key);
      const s = new ConsoleStore(
        api,
        key,
        { id: me.agent_id, name: me.name },
        me.status,
        () => langRef.current,
        {
          notify(kind, sessionId, text) {
            const tr = tRef.current;
            if (soundRef.current) chime(kind);
            if (kind === "queue") {
              desktopNotify(tr("notify_queue"), text, `queue-${sessionId}`, () => {
                location.hash = `#/s/${sessionId}`;
              });
            } else {
              const chat = s.mine.get(sessionId);
              const name = chat?.contact_name ?? tr("visitor");
              desktopNotify(tr("notify_message", { name }), text, `msg-${sessionId}`, () => {
                location.hash = `#/s/${sessionId}`;
              });
            }
          },
          rejected() {
            s.stop();
            store.set(sessionStorage, KEY, null);
            setSigned(null);
            setMessage(tRef.current("key_revoked"));
          },
        },
      );
      s.start();
      setSigned({ store: s });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      if (status === 401) {
        store.set(sessionStorage, KEY, null);
        setMessage(t("invalid_key"));
      } else if (status === 403) {
        store.set(sessionStorage, KEY, null);
        setMessage(t("not_agent_key"));
      } else {
        setMessage(t("server_unreachable"));
      }
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    const saved = store.get(sessionStorage, KEY);
    if (saved) void signIn(saved, false);
  }, []);

  const toggleLang = () => setLang(lang === "id" ? "en" : "id");

  if (!signed) {
    document.title = `${t("title")} — ${t("brand")}`;
    return (
      <SignIn
        t={t}
        message={message}
        busy={busy}
        onSubmit={(k) => void signIn(k, true)}
        onToggleLang={toggleLang}
      />
    );
  }
  return (
    <Workspace
      store={signed.store}
      t={t}
      lang={lang}
      sound={sound}
      onToggleSound={() => {
        setSound(!sound);
        store.set(localStorage, SOUND, sound ? "off" : "on");
        unlockAudio();
      }}
      onToggleLang={toggleLang}
      onSignOut={() => {
        signed.store.stop();
        store.set(sessionStorage, KEY, null);
        setMessage(null);
        setSigned(null);
      }}
    />
  );
}

const style = document.createElement("style");
style.textContent = css;
document.head.append(style);
const root = document.getElementById("app") ?? document.body.appendChild(document.createElement("div"));
render(<App />, root);
