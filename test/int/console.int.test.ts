import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createStaffKey } from "../../src/auth/staffKeys";
import { chromiumPath, launchChromium } from "../support/browser";
import { asBrowser, asOssUser } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";
import { buildWebBundles } from "../support/webBuild";
import { readySocket } from "../support/wsClient";

// The agent console (/console) in a real headless Chromium; the visitor's side is driven over the HTTP API and
// the visitor's WebSocket (the widget has its own suite).
const executable = chromiumPath();
const suite = executable ? describe : describe.skip;
const title = executable
  ? "agent console in Chromium"
  : "agent console in Chromium — SKIPPED: no Chromium found (apt-get install -y chromium)";

const AXE = readFileSync(path.join(__dirname, "..", "..", "node_modules", "axe-core", "axe.min.js"), "utf8");
const SCREENSHOT = path.join(__dirname, "..", "..", "docs", "screenshots", "console.png");

let svc: TestService;
let browser: Browser;
let budiKey: string;
let dewiKey: string;
let auditorKey: string;

interface VisitorChat {
  browser: string;
  headers: Record<string, string>;
  sessionId: string;
}

async function visitorStarts(
  topic: string,
  priority: string,
  browserUuid: string = randomUUID(),
): Promise<VisitorChat> {
  const r = await svc.post("/api/oss-chat/start", { browser_uuid: browserUuid, topic, priority });
  expect(r.status).toBe(201);
  await settle(r.body.position);
  return { browser: browserUuid, headers: asBrowser(browserUuid), sessionId: r.body.session_id };
}

/**
 * Waits until the read tables show the write at `position`: the console reads its lists and details from them
 * (min_position answers stale after 15 s on a loaded box: ask again until they do).
 */
async function settle(position: number) {
  const until = Date.now() + 120_000;
  for (;;) {
    const r = await svc.get(`/api/agent/queue?min_position=${position}`, {
      authorization: `Bearer ${budiKey}`,
    });
    if (r.headers.get("x-read-model-stale") !== "true" || Date.now() > until) return;
  }
}

async function visitorSays(v: VisitorChat, body: string) {
  const r = await svc.post("/api/oss-chat/message", { session_id: v.sessionId, body }, v.headers);
  expect(r.status).toBe(201);
  return r.body as { seq: number; position: number };
}

/** A console page that records desktop notifications instead of showing them. */
async function consolePage(context: BrowserContext): Promise<Page> {
  await context.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (globalThis as any).__notifications = shown;
    class FakeNotification {
      static permission = "granted";
      static requestPermission = async () => "granted";
      onclick: (() => void) | null = null;
      constructor(title: string, options: { body: string }) {
        shown.push({ title, body: options.body });
      }
      close() {}
    }
    (globalThis as any).Notification = FakeNotification;
  });
  const page = await context.newPage();
  await page.goto(`${svc.url}/console`);
  return page;
}

async function signIn(page: Page, key: string) {
  await page.fill("#staff-key", key);
  await page.click("#connect");
  await page.waitForSelector("#conn.online");
}

/** axe-core's serious and critical violations on the page as it is. */
async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => (globalThis as any).axe.run((globalThis as any).document));
  return (result.violations as any[])
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
}

/** Every button, link and form control without an accessible name (label, aria-label(ledby), text or title). */
async function unnamedControls(page: Page): Promise<string[]> {
  return page.$$eval("button, a[href], input, textarea, select, [role='switch'], [role='tab']", (els) => {
    const doc = (globalThis as any).document;
    return els
      .filter((e: any) => {
        if (e.closest("[hidden]") || e.type === "hidden") return false;
        const by: string | null = e.getAttribute("aria-labelledby");
        const labelled = by
          ? by
              .split(/\s+/)
              .map((id) => doc.getElementById(id)?.textContent ?? "")
              .join("")
          : "";
        const labels = [...(e.labels ?? [])].map((l: any) => l.textContent ?? "").join("");
        const name = [e.getAttribute("aria-label"), labelled, labels, e.textContent, e.getAttribute("title")]
          .map((s) => (s ?? "").trim())
          .find((s) => s !== "");
        return name === undefined;
      })
      .map((e: any) => String(e.outerHTML).slice(0, 120));
  });
}

async function auditBothLanguages(page: Page, where: string) {
  for (let i = 0; i < 2; i++) {
    expect({
      where,
      lang: await page.getAttribute("html", "lang"),
      problems: await axeProblems(page),
    }).toEqual({
      where,
      lang: expect.any(String),
      problems: [],
    });
    expect(await unnamedControls(page)).toEqual([]);
    await page.click("#lang");
  }
}

/** Waits until fn's value equals (or, with `not`, differs from) the expected one; fails with the last value. */
async function poll<V>(
  fn: () => Promise<V>,
  expected: V,
  options: { not?: boolean; timeoutMs?: number } = {},
) {
  const until = Date.now() + (options.timeoutMs ?? 10_000);
  let last: V = await fn();
  const done = (v: V) => (options.not ? !Object.is(v, expected) : Object.is(v, expected));
  while (!done(last) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  if (options.not) expect(last).not.toBe(expected);
  else expect(last).toBe(expected);
}

const bubbles = (page: Page) =>
  page.$$eval("#transcript .msg[data-seq]", (els) =>
    els.map((el) => ({
      seq: Number(el.getAttribute("data-seq")),
      kind: el.classList.contains("visitor") ? "visitor" : "agent",
      author: el.querySelector(".author")?.textContent,
      body: el.querySelector(".body")?.textContent,
      elements: el.querySelector(".body")?.children.length,
    })),
  );

suite(title, () => {
  beforeAll(async () => {
    buildWebBundles();
    // A short heartbeat: a revoked key's sockets close within one (see the last test).
    svc = await startTestService({ WS_HEARTBEAT_MS: "1000" });
    budiKey = (await createStaffKey(svc.database.knex, { name: "Budi", role: "agent" })).key;
    dewiKey = (await createStaffKey(svc.database.knex, { name: "Dewi", role: "agent" })).key;
    auditorKey = (await createStaffKey(svc.database.knex, { name: "Audit", role: "auditor" })).key;
    browser = await launchChromium(executable as string);
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it("serves the console page and its hashed bundle with an immutable cache", async () => {
    const page = await fetch(`${svc.url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const html = await page.text();
    const src = /src="(\/console\/assets\/console\.[0-9a-f]{12}\.js)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    const bundle = await fetch(`${svc.url}${src}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(bundle.headers.get("content-type")).toContain("javascript");
    expect((await fetch(`${svc.url}/console/assets/console.000000000000.js`)).status).toBe(404);
    expect((await fetch(`${svc.url}/console/assets/..%2Fmanifest.json`)).status).toBe(404);
  });

  it("an invalid key says so and stops; a key of another role is refused too", async () => {
    const context = await browser.newContext();
    const page = await consolePage(context);
    await page.fill("#staff-key", "lcs_not-a-real-key");
    await page.click("#connect");
    await page.waitForSelector("[role='alert']:has-text('Kunci staf tidak valid')");
    // It stays on the sign-in form: no socket, no "reconnecting".
    await page.waitForTimeout(1500);
    expect(await page.$("#conn")).toBeNull();
    expect(await page.isVisible("#staff-key")).toBe(true);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);

    await page.fill("#staff-key", auditorKey);
    await page.click("#connect");
    await page.waitForSelector("[role='alert']:has-text('bukan kunci agen')");
    await page.click("#lang");
    await page.fill("#staff-key", "lcs_still-wrong");
    await page.click("#connect");
    await page.waitForSelector("[role='alert']:has-text('This staff key is not valid')");
    await context.close();
  });

  it("an agent works a chat through the console: claim, both ways, ticks, transfer from the list, close", async () => {
    const earlier = await visitorStarts("Pertanyaan lama tentang NIB", "normal");
    await visitorSays(earlier, "Pertanyaan lama saya");
    const v = await visitorStarts("Izin usaha mikro", "high", earlier.browser);
    const contact = await svc.post(
      "/api/oss-chat/contact",
      {
        session_id: v.sessionId,
        contact_name: "Siti Rahma",
        contact_email: "siti@example.co.id",
        contact_phone: "081234567890",
        company_name: "PT Maju",
      },
      v.headers,
    );
    expect(contact.status).toBe(201);
    await settle(contact.body.position);
    await visitorSays(v, "Halo, saya butuh bantuan NIB");

    const budiContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const budi = await consolePage(budiContext);
    await signIn(budi, budiKey);
    expect(await budi.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(1);

    // The queue: priority and waiting time; opening a waiting chat shows its transcript and Claim.
    const queued = budi.locator(`#queue li[data-session-id='${v.sessionId}']`);
    await queued.waitFor();
    expect(await queued.textContent()).toContain("Tinggi");
    expect(await queued.textContent()).toMatch(/menunggu (baru saja|\d+ mnt)/);
    await auditBothLanguages(budi, "queue");
    await queued.click();
    await budi.waitForSelector("#transcript .msg.visitor:has-text('saya butuh bantuan NIB')");
    expect(await budi.getAttribute("#transcript", "role")).toBe("log");
    // The visitor is named by the contact, never "You".
    expect(await bubbles(budi)).toEqual([
      { seq: 1, kind: "visitor", author: "Siti Rahma", body: "Halo, saya butuh bantuan NIB", elements: 0 },
    ]);
    expect(await budi.isVisible("#claim")).toBe(true);
    expect(await budi.isVisible("#body")).toBe(false);

    // The contact panel: fields, anonymous, and the same visitor's earlier chat.
    await budi.waitForSelector("#earlier-sessions");
    const panel = await budi.textContent("#contact-panel");
    expect(panel).toContain("siti@example.co.id");
    expect(panel).toContain("+6281234567890");
    expect(panel).toContain("PT Maju");
    expect(panel).toContain("Anonim");
    expect(panel).toContain("Akun OSSBelum masuk");
    expect(panel).toContain("Pertanyaan lama tentang NIB");

    await budi.click("#claim");
    await budi.waitForSelector("#status[data-status='active']");
    expect(await budi.$("#claim")).toBeNull();
    await budi.waitForSelector(`#mine li[data-session-id='${v.sessionId}']`, { state: "attached" });
    await budi.waitForSelector("#transcript .sys:has-text('Budi mengambil obrolan')");

    // Visitor typing, then HTML in a message shows as text.
    const visitorSocket = await readySocket(svc.url, "/api/oss-chat/ws", { browser_uuid: v.browser });
    visitorSocket.send({ type: "subscribe", session_id: v.sessionId, after_seq: 0 });
    await visitorSocket.next((f) => f.type === "subscribed");
    visitorSocket.send({ type: "typing", session_id: v.sessionId });
    await budi.waitForSelector("#typing:has-text('Siti Rahma sedang mengetik')");
    const html = "<b>tebal</b> <img src=x onerror=alert(1)> <script>alert(2)</script>";
    await visitorSays(v, html);
    await budi.waitForSelector("#transcript .msg[data-seq='2']");

    // The agent answers with Ctrl+Enter; the visitor gets it; the tick turns to read on the visitor's receipt.
    await budi.fill("#body", "Selamat siang, bisa dibantu");
    await budi.press("#body", "Control+Enter");
    const reply = await visitorSocket.next((f) => f.type === "message" && f.message.author_kind === "agent");
    expect(reply.message).toMatchObject({ seq: 3, author_name: "Budi", body: "Selamat siang, bisa dibantu" });
    expect(await budi.inputValue("#body")).toBe("");
    const tick = budi.locator("#transcript .msg[data-seq='3'] .tick");
    await tick.waitFor();
    expect(await tick.getAttribute("data-read")).toBe("false");
    expect(await tick.textContent()).toContain("Terkirim");
    const read = await svc.post(`/api/oss-chat/session/${v.sessionId}/read`, { up_to_seq: 3 }, v.headers);
    expect(read.status).toBe(200);
    await budi.waitForSelector("#transcript .msg[data-seq='3'] .tick[data-read='true']:has-text('Dibaca')");
    expect(await bubbles(budi)).toEqual([
      { seq: 1, kind: "visitor", author: "Siti Rahma", body: "Halo, saya butuh bantuan NIB", elements: 0 },
      { seq: 2, kind: "visitor", author: "Siti Rahma", body: html, elements: 0 },
      { seq: 3, kind: "agent", author: "Budi", body: "Selamat siang, bisa dibantu", elements: 0 },
    ]);
    expect(await budi.evaluate(() => (globalThis as any).__alerted)).toBeUndefined();

    // The console sent the agent's read receipt for what it showed.
    const budiAuth = { authorization: `Bearer ${budiKey}` };
    const unreadForBudi = async () =>
      (await svc.get("/api/agent/sessions?status=active", budiAuth)).body.sessions.find(
        (s: any) => s.session_id === v.sessionId,
      )?.unread_for_agent;
    await poll(unreadForBudi, 0);

    // A second chat, claimed but not open: a new message gives an unread badge, a preview and a notification.
    const other = await visitorStarts("Perpanjangan izin", "normal");
    // (The list shows "My chats" since the claim: the queue's entry is there, its tab not on screen.)
    await budi.waitForSelector(`#queue li[data-session-id='${other.sessionId}']`, { state: "attached" });
    expect(await budi.getAttribute("#tab-mine", "aria-selected")).toBe("true");
    expect(await budi.evaluate(() => (globalThis as any).__notifications)).toContainEqual({
      title: "Obrolan baru di antrean",
      body: "Perpanjangan izin",
    });
    const claimOther = await svc.post(`/api/agent/sessions/${other.sessionId}/claim`, {}, budiAuth);
    expect(claimOther.status).toBe(200);
    await budi.click("#tab-mine");
    const otherItem = budi.locator(`#mine li[data-session-id='${other.sessionId}']`);
    await otherItem.waitFor();
    await visitorSays(other, "Apakah izin saya bisa diperpanjang?");
    await otherItem.locator(".unread-badge").waitFor();
    expect(await otherItem.locator(".unread-badge").textContent()).toContain("1");
    expect(await otherItem.textContent()).toContain("Apakah izin saya bisa diperpanjang?");
    await poll(
      () =>
        budi.evaluate(() =>
          (globalThis as any).__notifications.some((n: any) => n.title === "Pesan baru dari Pengunjung"),
        ),
      true,
    );
    // Alt+↓ / Alt+↑ switch between the chats of the list; opening one clears its badge.
    const hash = () => budi.evaluate(() => (globalThis as any).location.hash);
    const before = await hash();
    await budi.keyboard.press("Alt+ArrowDown");
    await poll(hash, before, { not: true });
    const afterDown = await hash();
    expect([`#/s/${v.sessionId}`, `#/s/${other.sessionId}`]).toContain(afterDown);
    await budi.keyboard.press("Alt+ArrowUp");
    await poll(hash, afterDown, { not: true });
    await budi.goto(`${svc.url}/console#/s/${other.sessionId}`);
    await budi.waitForSelector("#conn.online"); // signed in again from sessionStorage
    await budi.waitForSelector("#transcript .msg:has-text('bisa diperpanjang')");
    await budi.click("#tab-mine");
    await poll(() => otherItem.locator(".unread-badge").count(), 0);
    await budi.goto(`${svc.url}/console#/s/${v.sessionId}`);
    await budi.waitForSelector("#transcript .msg[data-seq='3']");
    await budi.waitForSelector("#earlier-sessions");

    // In a chat: the audit in both languages, and the screenshot for the README.
    await auditBothLanguages(budi, "chat");
    await budi.screenshot({ path: SCREENSHOT });

    // Dewi opens her console and becomes available; Budi transfers to her from the list.
    const dewiContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const dewi = await consolePage(dewiContext);
    await signIn(dewi, dewiKey);
    expect(await dewi.getAttribute("#availability", "aria-checked")).toBe("false");
    await dewi.click("#availability");
    await dewi.waitForSelector("#availability[aria-checked='true']");
    await poll(async () => {
      const agents = await svc.get("/api/agent/agents", budiAuth);
      return agents.body.agents.find((a: any) => a.name === "Dewi")?.status;
    }, "available");

    await budi.click("#transfer");
    const option = budi.locator("#transfer-dialog .agent-option:has-text('Dewi')");
    await option.waitFor();
    expect(await option.textContent()).toContain("Tersedia · 0 obrolan aktif");
    expect(await budi.locator("#transfer-dialog .agent-option").count()).toBe(1); // not Budi himself
    expect(await axeProblems(budi)).toEqual([]);
    await option.click();
    await budi.click("#transfer-confirm");
    await budi.waitForSelector("#transcript .sys:has-text('Obrolan dialihkan ke Dewi')");
    await budi.waitForSelector("#composer-notice:has-text('ditangani oleh Dewi')");
    await budi.click("#tab-mine");
    await budi.waitForSelector(`#mine li[data-session-id='${v.sessionId}']`, { state: "detached" });

    await dewi.click("#tab-mine");
    const dewiItem = dewi.locator(`#mine li[data-session-id='${v.sessionId}']`);
    await dewiItem.waitFor();
    await dewiItem.click();
    await dewi.waitForSelector("#transcript .sys:has-text('Obrolan dialihkan ke Dewi')");
    expect((await bubbles(dewi)).map((b) => b.seq)).toEqual([1, 2, 3]);
    await dewi.fill("#body", "Saya Dewi, saya lanjutkan");
    await dewi.click("#send");
    await visitorSocket.next((f) => f.type === "message" && f.message.author_name === "Dewi");

    // Close needs a confirmation: cancelling keeps the chat open.
    await dewi.click("#close");
    await dewi.waitForSelector("#close-dialog[open]");
    await dewi.click("#close-dialog button:has-text('Batal')");
    await dewi.waitForSelector("#close-dialog", { state: "detached" });
    expect(await dewi.getAttribute("#status", "data-status")).toBe("active");
    await dewi.click("#close");
    await dewi.click("#close-dialog-confirm");
    await dewi.waitForSelector("#status[data-status='closed']");
    await dewi.waitForSelector("#transcript .sys:has-text('Agen menutup obrolan')");
    await visitorSocket.next((f) => f.type === "status" && f.status === "closed");
    expect(await dewi.$("#body")).toBeNull();

    // The closed chats, searchable by topic.
    await dewi.click("#tab-closed");
    await dewi.waitForSelector(`#closed li[data-session-id='${v.sessionId}']`);
    await dewi.fill("#closed-search", "tidak ada topik seperti ini");
    await dewi.waitForSelector("#panel-closed .empty");
    await dewi.fill("#closed-search", "USAHA mikro");
    await dewi.waitForSelector(`#closed li[data-session-id='${v.sessionId}']`);

    // An earlier session opens read-only from the contact panel.
    await dewi.click(`#earlier-sessions a:has-text('Pertanyaan lama tentang NIB')`);
    await dewi.waitForSelector("#transcript .msg:has-text('Pertanyaan lama saya')");
    expect(await dewi.textContent("#composer-notice")).toContain("Ambil obrolan ini");

    visitorSocket.close();
    await budiContext.close();
    await dewiContext.close();
  }, 300_000); // long: two consoles and a visitor, on a shared box

  it("the contact panel tells a visitor logged in to OSS by the OSS id", async () => {
    const token = await asOssUser("OSS-777", "wati@example.co.id");
    const started = await svc.post("/api/oss-chat/start", { topic: "Akun OSS saya" }, token);
    expect(started.status).toBe(201);
    await settle(started.body.position);
    const context = await browser.newContext();
    const page = await consolePage(context);
    await signIn(page, budiKey);
    await page.goto(`${svc.url}/console#/s/${started.body.session_id}`);
    await page.waitForSelector("#login-state:has-text('Masuk ke OSS')");
    expect(await page.textContent("#contact-panel")).toContain("Akun OSSOSS-777");
    expect(await page.isVisible("#claim")).toBe(true);
    await context.close();
  });

  it("fits a 375 px wide screen: the list, then the chat with a way back", async () => {
    const v = await visitorStarts(
      "Izin usaha mikro kecil menengah berbasis risiko untuk usaha baru",
      "urgent",
    );
    await visitorSays(v, "Halo ".repeat(80));
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await consolePage(context);
    const overflow = () =>
      page.evaluate(() => {
        const doc = (globalThis as any).document.documentElement;
        return doc.scrollWidth - doc.clientWidth;
      });
    await signIn(page, budiKey);
    await page.waitForSelector(`#queue li[data-session-id='${v.sessionId}']`);
    expect(await overflow()).toBe(0);
    await page.click(`#queue li[data-session-id='${v.sessionId}'] a`);
    await page.waitForSelector("#transcript .msg.visitor");
    expect(await overflow()).toBe(0);
    expect(await page.isVisible("#queue")).toBe(false);
    await page.click(".back");
    await page.waitForSelector("#queue");
    expect(await overflow()).toBe(0);
    await context.close();
  });

  it("passes the accessibility audit signed out, in both languages", async () => {
    const context = await browser.newContext();
    const page = await consolePage(context);
    await page.waitForSelector("#staff-key");
    await auditBothLanguages(page, "signed out");
    await page.fill("#staff-key", "lcs_wrong");
    await page.click("#connect");
    await page.waitForSelector("[role='alert']");
    expect(await axeProblems(page)).toEqual([]);
    await context.close();
  });

  it("a key revoked while the console is open signs it out with the reason", async () => {
    const key = await createStaffKey(svc.database.knex, { name: "Sementara", role: "agent" });
    const context = await browser.newContext();
    const page = await consolePage(context);
    await signIn(page, key.key);
    await svc.database.knex.table("staff_api_keys").where({ id: key.id }).update({ revoked_at: new Date() });
    // The heartbeat checks the key again and closes the socket with 4401: the console signs out and says why.
    await page.waitForSelector("[role='alert']:has-text('Sesi berakhir')", { timeout: 20_000 });
    expect(await page.isVisible("#staff-key")).toBe(true);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
    await context.close();
  });
});
