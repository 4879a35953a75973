import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createStaffKey } from "../../src/auth/staffKeys";
import { chromiumPath, launchChromium } from "../support/browser";
import { mintTestToken } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";
import { buildWebBundles } from "../support/webBuild";
import { readySocket } from "../support/wsClient";

// The embeddable widget in a real headless Chromium (Debian's `chromium`, found at run time), embedded by its one
// script tag in portal pages served from another origin than the API; the agent's side goes through the HTTP API.
const executable = chromiumPath();
const suite = executable ? describe : describe.skip;
const title = executable
  ? "the embeddable widget in Chromium"
  : "the embeddable widget in Chromium — SKIPPED: no Chromium found (apt-get install -y chromium)";

const AXE = readFileSync(path.join(__dirname, "..", "..", "node_modules", "axe-core", "axe.min.js"), "utf8");
const HOSTILE = "* { font: 40px serif !important; color: red !important }";

let svc: TestService;
let browser: Browser;
let portal: Server;
let portalUrl: string;
let agent: Record<string, string>;

/** The OSS portal (another origin): a page embedding the widget with its one tag. */
function portalPage(url: URL, api: string): string {
  const lang = url.searchParams.get("lang") ?? "id";
  const css = url.searchParams.has("hostile") ? `<style>${HOSTILE}</style>` : "";
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Portal OSS</title>${css}</head>
<body><main><h1>Portal OSS</h1><p>Perizinan berusaha.</p></main>
<script src="${api}/widget.js" data-lang="${lang}" async></script></body></html>`;
}

const agentPost = (p: string, body: unknown = {}) => svc.post(p, body, agent);

async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openPortal(context: BrowserContext, query = ""): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${portalUrl}/portal${query}`);
  await page.waitForSelector("#oss-livechat >> button.launcher");
  return page;
}

async function openWidget(page: Page) {
  // The panel stays open across page loads of the portal (like other messengers): open it only if closed.
  if ((await page.$("#oss-livechat >> .panel")) === null) await page.click("button.launcher");
  await page.waitForSelector(".panel");
}

/** Fills the pre-chat form and starts; answers the new session's id. */
async function startChat(page: Page, topic = "Izin usaha mikro"): Promise<string> {
  await page.fill("#olc-topic", topic);
  await page.fill("#olc-name", "Siti Rahma");
  await page.fill("#olc-email", "siti@example.co.id");
  await page.fill("#olc-phone", "081234567890");
  await page.click(".prechat button[type=submit]");
  await page.waitForSelector("[role=log]");
  const stored = await page.evaluate(() => (globalThis as any).localStorage.getItem("osslivechat:session"));
  return JSON.parse(stored as string) as string;
}

async function sendFromWidget(page: Page, body: string) {
  await page.fill("#olc-message", body);
  await page.press("#olc-message", "Enter");
}

const bubbles = (page: Page) =>
  page.$$eval("#oss-livechat >> .msg", (items) =>
    items.map((el) => ({
      kind: el.classList.contains("visitor")
        ? "visitor"
        : el.classList.contains("agent")
          ? "agent"
          : "system",
      seq: el.getAttribute("data-seq") === null ? null : Number(el.getAttribute("data-seq")),
      state: el.getAttribute("data-state"),
      body: el.querySelector(".body")?.textContent ?? "",
    })),
  );

/** The session's messages as the agent reads them (the read tables: wait until they show `count`). */
async function serverMessages(sessionId: string, count = 0) {
  return until(
    () => agentMessages(sessionId),
    (m) => m.length >= count,
    `${count} messages in the read tables`,
  );
}

async function agentMessages(sessionId: string) {
  const res = await svc.get(`/api/agent/sessions/${sessionId}/messages?after_seq=0&limit=200`, agent);
  if (res.status === 404) return []; // the read tables do not show the session yet
  expect(res.status).toBe(200);
  return res.body.messages as { seq: number; author_kind: string; body: string }[];
}

/** The session as the read tables show it, once `ok` holds (they trail the event store by a moment). */
function sessionWhen(sessionId: string, ok: (body: any) => boolean, what: string) {
  return until(
    () => svc.get(`/api/oss-chat/session/${sessionId}`, agent),
    (r) => r.status === 200 && ok(r.body),
    what,
  ).then((r) => r.body);
}

/** axe-core on the page (the widget's open shadow root included): violations of impact serious or critical. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run((globalThis as any).document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v: any) => v.impact === "serious" || v.impact === "critical")
      .map((v: any) => `${v.id}: ${v.nodes.map((n: any) => JSON.stringify(n.target)).join(", ")}`);
  });
  return violations as string[];
}

suite(title, () => {
  beforeAll(async () => {
    buildWebBundles();
    // The portal's origin must be known before the service starts: CORS_ORIGINS names it.
    portal = createServer((req, res) => {
      const url = new URL(req.url ?? "/", portalUrl);
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(portalPage(url, svc.url));
    });
    await new Promise<void>((resolve) => portal.listen(0, "127.0.0.1", resolve));
    portalUrl = `http://localhost:${(portal.address() as AddressInfo).port}`;
    svc = await startTestService({ CORS_ORIGINS: portalUrl });
    const created = await createStaffKey(svc.database.knex, { name: "Budi Santoso", role: "agent" });
    agent = { authorization: `Bearer ${created.key}` };

    browser = await launchChromium(executable as string);
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await new Promise((resolve) => portal?.close(resolve));
  });

  it("serves /widget.js and its hashed bundle for cross-origin embedding, cached by content hash", async () => {
    const loader = await fetch(`${svc.url}/widget.js`, { headers: { origin: "https://elsewhere.example" } });
    expect(loader.status).toBe(200);
    expect(loader.headers.get("content-type")).toMatch(/javascript/);
    expect(loader.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(loader.headers.get("cache-control")).toBe("public, max-age=300");
    const text = await loader.text();
    const bundle = /\/web\/(widget\.[0-9a-f]{12}\.js)/.exec(text)?.[1];
    expect(bundle).toBeDefined();
    const res = await fetch(`${svc.url}/web/${bundle}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect((await fetch(`${svc.url}/web/widget.000000000000.js`)).status).toBe(404);
    // The API answers the portal's origin (CORS_ORIGINS) and no other.
    const allowed = await fetch(`${svc.url}/api/oss-chat/history`, { headers: { origin: portalUrl } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(portalUrl);
    const other = await fetch(`${svc.url}/api/oss-chat/history`, {
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a visitor chats through the widget: pre-chat form, both ways, typing, read ticks, HTML as text, end, rating, new chat", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await openPortal(context);
    const before = await page.evaluate(() => (globalThis as any).document.body.children.length);
    await openWidget(page);
    expect(await page.textContent(".prechat button[type=submit]")).toBe("Mulai obrolan");
    // No priority for visitors, no debug control without ?debug=1.
    expect(await page.$$("#oss-livechat >> select, #oss-livechat >> .debug")).toHaveLength(0);
    const sessionId = await startChat(page);
    expect(await page.textContent(".panel .status")).toContain("Menunggu agen");
    const detail = { body: await sessionWhen(sessionId, (b) => b.contact !== null, "the contact") };
    expect(detail.body.contact).toMatchObject({
      contact_name: "Siti Rahma",
      contact_phone: "+6281234567890",
    });
    expect(detail.body.priority).toBe("normal");

    expect((await agentPost(`/api/agent/sessions/${sessionId}/claim`)).status).toBe(200);
    await page.waitForSelector(".panel .status:has-text('Anda terhubung dengan Budi Santoso')");

    await sendFromWidget(page, "Halo, saya butuh bantuan NIB");
    await page.waitForSelector(".msg.visitor[data-seq='1'][data-state='sent']");
    expect((await serverMessages(sessionId, 1)).map((m) => m.body)).toEqual(["Halo, saya butuh bantuan NIB"]);
    // The agent reads it: the visitor's tick turns to read.
    expect((await agentPost(`/api/agent/sessions/${sessionId}/read`, { up_to_seq: 1 })).status).toBe(200);
    await page.waitForSelector(".msg.visitor[data-seq='1'][data-state='read'] .tick[aria-label='Dibaca']");

    // The agent types (over its socket), then answers with HTML: the widget shows it as text.
    const socket = await readySocket(svc.url, "/api/agent/ws", {
      staff_key: (agent.authorization as string).slice(7),
    });
    socket.send({ type: "subscribe", session_id: sessionId, after_seq: 0 });
    await socket.next((f) => f.type === "subscribed");
    socket.send({ type: "typing", session_id: sessionId });
    await page.waitForSelector(".typing:has-text('Budi Santoso sedang mengetik')");
    const html = '<b>Tebal</b> <img src=x onerror="window.pwned=1"> & <script>window.pwned=2</script>';
    expect((await agentPost(`/api/agent/sessions/${sessionId}/messages`, { body: html })).status).toBe(201);
    await page.waitForSelector(".msg.agent[data-seq='2']");
    expect(await page.textContent(".msg.agent[data-seq='2'] .body")).toBe(html);
    expect(await page.$$(".msg.agent b, .msg.agent img, .msg.agent script")).toHaveLength(0);
    expect(await page.evaluate(() => (globalThis as any).pwned)).toBeUndefined();
    expect(await page.textContent(".msg.agent .author")).toContain("Budi Santoso");
    expect(await page.textContent(".msg.agent[data-seq='2'] time")).toMatch(/^\d\d[.:]\d\d$/);
    // Transferred to another agent: the status line says so, the new agent's name shows.
    const second = await createStaffKey(svc.database.knex, { name: "Dewi Lestari", role: "agent" });
    const secondAuth = { authorization: `Bearer ${second.key}` };
    const available = await fetch(`${svc.url}/api/agent/status`, {
      method: "PUT",
      headers: { ...secondAuth, "content-type": "application/json" },
      body: JSON.stringify({ status: "available" }),
    });
    expect(available.status).toBe(200);
    expect(
      (await agentPost(`/api/agent/sessions/${sessionId}/transfer`, { to_agent_id: second.id })).status,
    ).toBe(200);
    await page.waitForSelector(".panel .status:has-text('Obrolan dialihkan ke Dewi Lestari')");
    expect(await page.textContent(".head h2")).toBe("Dewi Lestari");
    const first = agent;
    agent = secondAuth; // the assigned agent from here on
    // Shown while open and visible: the widget posts its read receipt.
    await until(
      () => svc.get(`/api/oss-chat/session/${sessionId}`, agent),
      (r) => r.body.unread_for_visitor === 0,
      "the visitor's read receipt",
    );

    // Closed: unread badge and events while the panel is closed.
    await page.evaluate(() => {
      (globalThis as any).seen = [];
      (globalThis as any).OssLiveChat.on("unread", (n: number) => (globalThis as any).seen.push(n));
    });
    await page.press("#olc-message", "Escape"); // closes the panel, the launcher has the focus
    await page.waitForSelector(".panel", { state: "detached" });
    // The focus moves in the next animation frame after the panel closes.
    await page.waitForFunction(
      () =>
        String(
          (globalThis as any).document.getElementById("oss-livechat").shadowRoot.activeElement?.className ??
            "",
        ).includes("launcher"),
      undefined,
      { timeout: 10_000 },
    );
    await openWidget(page);
    await page.click(".head button[aria-label='Tutup jendela obrolan']");
    expect((await agentPost(`/api/agent/sessions/${sessionId}/messages`, { body: "Ada lagi?" })).status).toBe(
      201,
    );
    await page.waitForSelector("button.launcher .badge:has-text('1')");
    expect(await page.getAttribute("button.launcher", "aria-label")).toContain("1 pesan belum dibaca");
    expect(await page.evaluate(() => (globalThis as any).seen)).toEqual([1]);
    // The page hidden: a title badge.
    await page.evaluate(() => {
      const doc = (globalThis as any).document;
      Object.defineProperty(doc, "visibilityState", { value: "hidden", configurable: true });
      doc.dispatchEvent(new Event("visibilitychange"));
    });
    expect(await page.title()).toBe("(1) Pesan baru · Portal OSS");
    await page.evaluate(() => {
      const doc = (globalThis as any).document;
      Object.defineProperty(doc, "visibilityState", { value: "visible", configurable: true });
      doc.dispatchEvent(new Event("visibilitychange"));
    });
    expect(await page.title()).toBe("Portal OSS");
    await page.evaluate(() => (globalThis as any).OssLiveChat.open());
    await page.waitForSelector("button.launcher .badge", { state: "detached" });

    // The visitor ends the chat, rates it, and starts a new one with the contact remembered.
    await page.click(".head button[aria-label='Akhiri obrolan']");
    await page.click(".confirm .btn.danger");
    await page.waitForSelector(".ended h3:has-text('Obrolan selesai')");
    expect(await page.$$("#olc-message")).toHaveLength(0);
    await sessionWhen(sessionId, (b) => b.status === "closed", "the session closed by the visitor");
    await page.click(".ended .rating button[type=submit]");
    await page.waitForSelector("#olc-score-error");
    await page.click(".star:nth-child(4)");
    await page.fill("#olc-comment", "Cepat dan jelas");
    await page.click(".ended .rating button[type=submit]");
    await page.waitForSelector(".ended .thanks");
    const rated = await until(
      () => svc.database.knex("chat_sessions").where({ id: sessionId }).first(),
      (row) => row?.rating_score !== null,
      "the rating in the read tables",
    );
    expect([rated.rating_score, rated.rating_comment]).toEqual([4, "Cepat dan jelas"]);
    await page.click(".ended .btn.ghost");
    await page.waitForSelector(".prechat");
    expect(await page.inputValue("#olc-name")).toBe("Siti Rahma");
    expect(await page.inputValue("#olc-email")).toBe("siti@example.co.id");
    expect(await page.inputValue("#olc-topic")).toBe("");

    // English, errors included: the API's error comes in the widget's language.
    await page.click(".head .lang");
    expect(await page.textContent(".prechat button[type=submit]")).toBe("Start chat");
    await page.fill("#olc-topic", "Import licence");
    await page.fill("#olc-phone", "12");
    await page.click(".prechat button[type=submit]");
    const error = await page.waitForSelector(".panel [role=alert]");
    expect(await error.textContent()).toMatch(/Invalid request|contact_phone|phone/i);
    expect(await error.textContent()).not.toMatch(/tidak valid|Permintaan/);

    // One element on the host page, one global.
    expect(await page.evaluate(() => (globalThis as any).document.body.children.length)).toBe(before);
    expect(await page.$$eval("body > #oss-livechat", (els) => els.length)).toBe(1);
    socket.close();
    agent = first;
    await context.close();
  });

  it("keeps its look on a host page whose stylesheet says * { font: 40px serif !important; color: red !important }", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const styles = async (query: string) => {
      const page = await openPortal(context, query);
      await openWidget(page);
      await page.mouse.move(5, 5); // no hover
      await page.waitForTimeout(400); // transitions done
      const read = await page.evaluate(
        (selectors) => {
          const root = (globalThis as any).document.getElementById("oss-livechat")?.shadowRoot;
          return selectors.map((sel) => {
            const el = root?.querySelector(sel);
            if (!el) return `missing ${sel}`;
            const c = (globalThis as any).getComputedStyle(el);
            return [c.fontFamily, c.fontSize, c.fontWeight, c.lineHeight, c.color, c.backgroundColor].join(
              " | ",
            );
          });
        },
        [
          "button.launcher",
          ".head h2",
          ".head .subtitle",
          ".welcome p",
          "#olc-topic",
          "label[for=olc-name]",
          ".prechat .btn",
        ],
      );
      const hostFont = await page.evaluate(
        () => (globalThis as any).getComputedStyle((globalThis as any).document.querySelector("h1")).fontSize,
      );
      await page.close();
      return { read, hostFont };
    };
    const plain = await styles("");
    const hostile = await styles("?hostile=1");
    expect(hostile.hostFont).toBe("40px"); // the host's rule is in force on the host page
    expect(plain.read).toHaveLength(7);
    expect(hostile.read).toEqual(plain.read);
    expect(plain.read.join()).not.toMatch(/(^|, )serif \||40px|rgb\(255, 0, 0\)/);
    await context.close();
  });

  it("on a 375×812 phone the panel is full screen and nothing scrolls sideways", async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await openPortal(context, "?debug=1");
    await openWidget(page);
    const sessionId = await startChat(page);
    // ?debug=1 on the page shows the "drop connection" control (never otherwise); the socket resumes after it.
    await page.click(".debug-bar .debug");
    await page.waitForSelector(".banner");
    await page.waitForSelector(".banner", { state: "detached" });
    await sendFromWidget(
      page,
      `Nomor: ${"1234567890".repeat(12)} dan tautan https://oss.go.id/${"a".repeat(80)}`,
    );
    await page.waitForSelector(".msg.visitor[data-seq='1']");
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const box = await page.$eval("#oss-livechat >> .panel", (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
    expect(box).toEqual({ x: 0, y: 0, width: 375, height: 812 });
    const overflow = await page.evaluate(() => {
      const root = (globalThis as any).document.getElementById("oss-livechat")?.shadowRoot;
      const wide = [...(root?.querySelectorAll("*") ?? [])].filter(
        (el) =>
          el.scrollWidth > el.clientWidth + 1 &&
          (globalThis as any).getComputedStyle(el).overflowX !== "hidden",
      );
      return {
        page: (globalThis as any).document.documentElement.scrollWidth,
        wide: wide.map((el) => el.className),
      };
    });
    expect(overflow).toEqual({ page: 375, wide: [] });
    await context.close();
  });

  it("messages typed offline wait in the outbox and arrive once each, in order, when back online", async () => {
    const context = await browser.newContext();
    const page = await openPortal(context);
    await openWidget(page);
    const sessionId = await startChat(page);
    await page.waitForSelector(".panel:not(:has(.banner))");
    await context.setOffline(true);
    await page.waitForSelector(".banner:has-text('offline')");
    await sendFromWidget(page, "Pesan pertama saat offline");
    await sendFromWidget(page, "Pesan kedua saat offline");
    await page.waitForSelector(".msg.visitor[data-state='sending'] >> nth=1");
    expect(await serverMessages(sessionId)).toEqual([]);
    await context.setOffline(false);
    await page.waitForSelector(".msg.visitor[data-seq='2']", { timeout: 30_000 });
    await page.waitForSelector(".banner", { state: "detached" });
    const bodies = ["Pesan pertama saat offline", "Pesan kedua saat offline"];
    expect((await serverMessages(sessionId, 2)).map((m) => [m.seq, m.body])).toEqual(
      bodies.map((b, i) => [i + 1, b]),
    );
    expect((await bubbles(page)).map((b) => [b.seq, b.body])).toEqual(bodies.map((b, i) => [i + 1, b]));
    // A reload resumes the conversation (by after_seq) with nothing twice.
    await page.reload();
    await page.waitForSelector("#oss-livechat >> .msg.visitor[data-seq='2']");
    expect((await bubbles(page)).map((b) => b.seq)).toEqual([1, 2]);
    await context.close();
  });

  it("identify(token) after an anonymous chat keeps its history and links the browser (the demo portal's login)", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${svc.url}/demo`);
    await page.waitForSelector("#oss-livechat >> button.launcher");
    await openWidget(page);
    const sessionId = await startChat(page, "Pertanyaan tentang NIB");
    await sendFromWidget(page, "Selamat siang, bagaimana cara mendaftar NIB?");
    await page.waitForSelector(".msg.visitor[data-seq='1']");
    expect((await agentPost(`/api/agent/sessions/${sessionId}/claim`)).status).toBe(200);

    await page.click("#login"); // the portal's "log in as a test user": OssLiveChat.identify(token)
    await page.waitForSelector("#who:has-text('demo.user@example.com')");
    const token = await mintTestToken("OSS-DEMO-USER", "demo.user@example.com");
    const history = await until(
      () => svc.get("/api/oss-chat/history?limit=20", { authorization: `Bearer ${token}` }),
      (r) => r.status === 200 && r.body.sessions.some((s: any) => s.session_id === sessionId),
      "the linked history",
    );
    expect(history.body.total).toBeGreaterThanOrEqual(1);
    await sessionWhen(sessionId, (b) => b.chat_user.oss_user_id === "OSS-DEMO-USER", "the linked chat user");

    // The chat goes on: the transcript is still there, and both ways still work.
    await sendFromWidget(page, "Saya sudah masuk");
    await page.waitForSelector(".msg.visitor[data-seq='2']");
    expect(
      (
        await agentPost(`/api/agent/sessions/${sessionId}/messages`, {
          body: "Baik, silakan buka menu Perizinan lalu pilih Pendaftaran NIB.",
        })
      ).status,
    ).toBe(201);
    await page.waitForSelector(".msg.agent[data-seq='3']");
    expect((await bubbles(page)).map((b) => b.seq)).toEqual([1, 2, 3]);
    expect((await agentPost(`/api/agent/sessions/${sessionId}/read`, { up_to_seq: 2 })).status).toBe(200);
    await page.waitForSelector(".msg.visitor[data-seq='2'][data-state='read']");
    await page.screenshot({ path: path.join(__dirname, "..", "..", "docs", "screenshots", "widget.png") });

    // The browser is linked: its next chat belongs to the account too.
    expect((await agentPost(`/api/agent/sessions/${sessionId}/close`)).status).toBe(200);
    await page.click(".ended .btn.ghost");
    const next = await startChat(page, "Pertanyaan kedua");
    expect(next).not.toBe(sessionId);
    await sessionWhen(
      next,
      (b) => b.chat_user.oss_user_id === "OSS-DEMO-USER",
      "the next chat on the account",
    );
    await context.close();
  });

  it("passes an axe-core audit (no serious or critical violations) open, in chat and ended, in both languages", async () => {
    for (const lang of ["id", "en"] as const) {
      // Reduced motion: the panel's fade-in would otherwise be audited half transparent (low contrast).
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        reducedMotion: "reduce",
      });
      const page = await openPortal(context, `?lang=${lang}`);
      expect(await seriousViolations(page)).toEqual([]); // closed: the launcher alone
      await openWidget(page);
      expect(await seriousViolations(page)).toEqual([]);
      const sessionId = await startChat(page);
      await agentPost(`/api/agent/sessions/${sessionId}/claim`);
      await sendFromWidget(page, "Halo");
      await agentPost(`/api/agent/sessions/${sessionId}/messages`, { body: "Selamat siang" });
      await page.waitForSelector(".msg.agent");
      expect(await page.getAttribute("#oss-livechat >> [role=log]", "aria-live")).toBe("polite");
      expect(await seriousViolations(page)).toEqual([]);
      await agentPost(`/api/agent/sessions/${sessionId}/close`);
      await page.waitForSelector(".ended");
      expect(await seriousViolations(page)).toEqual([]);
      // Every control has an accessible name.
      const unnamed = await page.$$eval(
        "#oss-livechat >> button, #oss-livechat >> input, #oss-livechat >> textarea",
        (els) =>
          els.filter((el) => {
            const label =
              el.getAttribute("aria-label") ?? (el as any).labels?.[0]?.textContent ?? el.textContent;
            return (label ?? "").trim() === "";
          }).length,
      );
      expect(unnamed).toBe(0);
      await context.close();
    }
  });
});
