// The embeddable visitor widget: one <script src=".../widget.js" data-lang="id" async> tag. It adds one fixed
// element to the page, renders inside its Shadow DOM (the page's CSS cannot reach in, its CSS cannot leak out),
// and defines one global, window.OssLiveChat: open(), close(), identify(token), setLanguage(lang), on(event, fn).
import { render } from "preact";
import { createVisitorClient } from "../client";
import { pickLanguage } from "../shared/i18n";
import { App } from "./App";
import { createController, type WidgetEvent } from "./controller";
import css from "./widget.css";

/** What the loader (/widget.js) left: calls made before this bundle arrived, replayed in order. */
interface Stub {
  readonly q?: [string, ArrayLike<unknown>, (v: unknown) => void, (e: unknown) => void][];
}

export interface OssLiveChatApi {
  open(): void;
  close(): void;
  identify(token: string): Promise<unknown>;
  setLanguage(lang: "id" | "en"): void;
  on(event: WidgetEvent, fn: (value: unknown) => void): () => void;
  readonly version: string;
}

/** Read while the script runs (document.currentScript is only set then): the API's origin and data-lang. */
function readConfig() {
  const script = document.currentScript as HTMLScriptElement | null;
  const src = script?.src ? new URL(script.src) : new URL(location.href);
  return { apiBase: script?.dataset.api || src.origin, dataLang: script?.dataset.lang };
}

function boot({ apiBase, dataLang }: ReturnType<typeof readConfig>) {
  const w = window as unknown as { OssLiveChat?: OssLiveChatApi & Stub };
  const existing = w.OssLiveChat;
  if (existing && !existing.q) return; // already running on this page
  const lang = pickLanguage(dataLang, document.documentElement.lang);
  const debug = new URLSearchParams(location.search).get("debug") === "1";

  const client = createVisitorClient({ baseUrl: apiBase === location.origin ? "" : apiBase, language: lang });
  const controller = createController(client, { lang, debug });

  // The one element on the host page: fixed, empty to the page, everything inside its shadow root.
  const host = document.createElement("div");
  host.id = "oss-livechat";
  host.setAttribute("style", "position:fixed;right:0;bottom:0;width:0;height:0;z-index:2147483000;");
  const root = host.attachShadow({ mode: "open" });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = css;
    root.append(style);
  }
  const mount = document.createElement("div");
  root.append(mount);
  (document.body ?? document.documentElement).append(host);
  render(<App controller={controller} />, mount);

  const api: OssLiveChatApi = {
    open: () => controller.setOpen(true),
    close: () => controller.setOpen(false),
    identify: (token: string) => controller.identify(token),
    setLanguage: (next) => controller.setLanguage(next),
    on: (event, fn) => controller.on(event, fn),
    version: "1",
  };
  w.OssLiveChat = api;
  for (const [method, args, resolve, reject] of existing?.q ?? []) {
    try {
      const fn = api[method as keyof OssLiveChatApi] as (...a: unknown[]) => unknown;
      Promise.resolve(fn(...Array.from(args))).then(resolve, reject);
    } catch (err) {
      reject(err);
    }
  }
}

const config = readConfig();
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => boot(config));
else boot(config);
