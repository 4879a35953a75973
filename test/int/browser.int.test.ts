import type { Browser, Page } from "playwright-core";
import { createStaffKey } from "../../src/auth/staffKeys";
import { chromiumPath, launchChromium } from "../support/browser";
import { startTestService, type TestService } from "../support/testService";

// The demo widget in a real headless Chromium (Debian's `chromium`, found at run time); the agent answers over
// the HTTP API (the console has its own suite, console.int.test.ts).
const executable = chromiumPath();
const suite = executable ? describe : describe.skip;
const title = executable
  ? "demo widget in Chromium"
  : "demo widget in Chromium — SKIPPED: no Chromium found (apt-get install -y chromium)";

let svc: TestService;
let browser: Browser;
let agentKey: string;

const transcript = (page: Page) =>
  page.$$eval("#transcript li", (items) =>
    items.map((li) => ({
      seq: Number(li.getAttribute("data-seq")),
      body: li.querySelector(".body")?.textContent,
    })),
  );

suite(title, () => {
  beforeAll(async () => {
    svc = await startTestService();
    agentKey = (await createStaffKey(svc.database.knex, { name: "Budi", role: "agent" })).key;
    browser = await launchChromium(executable as string);
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it("a visitor and an agent chat both ways, and a cut connection resumes with every message once", async () => {
    const visitorContext = await browser.newContext();
    const visitor = await visitorContext.newPage();
    const asAgent = { authorization: `Bearer ${agentKey}` };
    const agentSays = async (body: string) => {
      const r = await svc.post(`/api/agent/sessions/${sessionId}/messages`, { body }, asAgent);
      expect(r.status).toBe(201);
    };

    await visitor.goto(`${svc.url}/demo`);
    expect(await visitor.textContent("#start")).toBe("Mulai obrolan");
    await visitor.fill("#topic", "Izin usaha mikro");
    await visitor.selectOption("#priority", "high");
    await visitor.click("#start");
    await visitor.waitForSelector("#status[data-status='waiting']");
    const sessionId = await visitor.evaluate(() => (globalThis as any).livechatWidget.sessionId());
    await visitor.fill("#contact-name", "Siti");
    await visitor.fill("#contact-email", "siti@example.co.id");
    await visitor.click("#save-contact");
    await visitor.waitForSelector("#save-contact:text('Kontak tersimpan')");

    expect((await svc.post(`/api/agent/sessions/${sessionId}/claim`, {}, asAgent)).status).toBe(200);
    await visitor.waitForSelector("#status[data-status='active']");
    expect(await visitor.textContent("#agent")).toContain("Budi");

    await visitor.fill("#body", "Halo, saya butuh bantuan NIB");
    await visitor.click("#send");
    await visitor.waitForSelector("#transcript li:has-text('saya butuh bantuan NIB')");
    await agentSays("Selamat siang, bisa dibantu");
    await visitor.waitForSelector("#transcript li.agent:has-text('Selamat siang')");

    // The visitor's network drops; the agent writes meanwhile; the network comes back.
    await visitorContext.setOffline(true);
    await visitor.evaluate(() => (globalThis as any).livechatWidget.socket.drop());
    await visitor.waitForSelector("#conn.offline");
    for (const body of ["Pesan 1 saat terputus", "Pesan 2 saat terputus", "Pesan 3 saat terputus"]) {
      await agentSays(body);
    }
    await visitorContext.setOffline(false);
    await visitor.waitForSelector("#transcript li:has-text('Pesan 3 saat terputus')", { timeout: 20_000 });
    await visitor.fill("#body", "Terima kasih");
    await visitor.click("#send");
    await visitor.waitForSelector("#transcript li:has-text('Terima kasih')");

    const expected = [
      "Halo, saya butuh bantuan NIB",
      "Selamat siang, bisa dibantu",
      "Pesan 1 saat terputus",
      "Pesan 2 saat terputus",
      "Pesan 3 saat terputus",
      "Terima kasih",
    ].map((body, i) => ({ seq: i + 1, body }));
    expect(await transcript(visitor)).toEqual(expected);
    const seen = await svc.get(`/api/agent/sessions/${sessionId}/messages?after_seq=0`, asAgent);
    expect(seen.body.messages.map((m: any) => ({ seq: m.seq, body: m.body }))).toEqual(expected);

    await visitor.click("#lang");
    expect(await visitor.textContent("#send")).toBe("Send");
    expect(await visitor.textContent("#status")).toBe("With an agent");

    expect((await svc.post(`/api/agent/sessions/${sessionId}/close`, {}, asAgent)).status).toBe(200);
    await visitor.waitForSelector("#status[data-status='closed']");
    await visitorContext.close();
  });
});
