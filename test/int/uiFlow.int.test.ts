import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { createStaffKey } from "../../src/auth/staffKeys";
import { chromiumPath, launchChromium } from "../support/browser";
import { startTestService, type TestService } from "../support/testService";
import { buildWebBundles } from "../support/webBuild";

// The complete flow through the UIs only (issue 19, item 4): a visitor in the widget on the demo portal and two
// agents in their consoles, each in its own browser context; every step is done by clicks and typing and checked
// on the other side's page. Only the rating is also read back from the API (the agents' pages do not show it).
const executable = chromiumPath();
const suite = executable ? describe : describe.skip;
const title = executable
  ? "visitor and agents through the widget and the console in Chromium"
  : "visitor and agents through the widget and the console in Chromium — SKIPPED: no Chromium found (apt-get install -y chromium)";

/** Generous: three pages and the service share a loaded box; every wait is on UI state, never a sleep. */
const UI = { timeout: 60_000 };

let svc: TestService;
let browser: Browser;
let budiKey: string;
let dewiKey: string;

async function consolePage(context: BrowserContext, key: string): Promise<Page> {
  // Desktop notifications granted and recorded instead of shown (headless Chromium has none).
  await context.addInitScript(() => {
    class FakeNotification {
      static permission = "granted";
      static requestPermission = async () => "granted";
      onclick: (() => void) | null = null;
      close() {}
    }
    (globalThis as any).Notification = FakeNotification;
  });
  const page = await context.newPage();
  await page.goto(`${svc.url}/console`);
  await page.getByLabel("Kunci staf").fill(key);
  await page.getByRole("button", { name: "Masuk", exact: true }).click();
  await page.locator("#conn.online").waitFor(UI);
  return page;
}

/** The console's list entry of a chat, by the topic the visitor typed. */
const chatItem = (page: Page, panel: "queue" | "mine", topic: string): Locator =>
  page.locator(`#panel-${panel}`).getByRole("link").filter({ hasText: topic });

const widget = (page: Page) => page.locator("#oss-livechat");

suite(title, () => {
  beforeAll(async () => {
    buildWebBundles();
    svc = await startTestService();
    budiKey = (await createStaffKey(svc.database.knex, { name: "Budi Santoso", role: "agent" })).key;
    dewiKey = (await createStaffKey(svc.database.knex, { name: "Dewi Lestari", role: "agent" })).key;
    browser = await launchChromium(executable as string);
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it("pre-chat form, chat both ways, read ticks, transfer to an agent chosen from the list, close, rating, new chat", async () => {
    const contexts = await Promise.all(
      [1, 2, 3].map(() => browser.newContext({ viewport: { width: 1280, height: 800 } })),
    );
    const [visitorContext, budiContext, dewiContext] = contexts as [
      BrowserContext,
      BrowserContext,
      BrowserContext,
    ];
    for (const c of contexts) c.setDefaultTimeout(UI.timeout);
    try {
      // Both agents sign in; Dewi makes herself available so she can be chosen for the transfer.
      const budi = await consolePage(budiContext, budiKey);
      const dewi = await consolePage(dewiContext, dewiKey);
      const dewiAvailability = dewi.getByRole("switch", { name: "Tersedia" });
      await dewiAvailability.click();
      await dewi.locator("#availability[aria-checked='true']").waitFor(UI);

      // The visitor opens the widget on the portal and fills the pre-chat form.
      const visitor = await visitorContext.newPage();
      await visitor.goto(`${svc.url}/demo`);
      const w = widget(visitor);
      await w.getByRole("button", { name: "Buka obrolan bantuan" }).click();
      const panel = w.getByRole("dialog");
      await panel.waitFor(UI);
      await panel.getByLabel("Topik").fill("Izin usaha mikro");
      await panel.getByLabel("Nama").fill("Siti Rahma");
      await panel.getByLabel("Email").fill("siti@example.co.id");
      await panel.getByLabel("Nomor telepon").fill("081234567890");
      await panel.getByRole("button", { name: "Mulai obrolan" }).click();
      await panel.getByText("Menunggu agen").waitFor(UI);

      // The chat shows in Budi's queue; he opens it (the contact's name, not "You") and claims it.
      const queued = chatItem(budi, "queue", "Izin usaha mikro");
      await queued.waitFor(UI);
      await queued.click();
      await budi.locator("#contact-panel").getByText("Siti Rahma").first().waitFor(UI);
      await budi.getByRole("button", { name: "Ambil obrolan" }).click();
      await panel.getByText("Anda terhubung dengan Budi Santoso").waitFor(UI);

      // Visitor → agent: it appears in Budi's transcript; Budi has it on screen, so the visitor's tick reads "read".
      const message = panel.getByLabel("Pesan", { exact: true });
      await message.fill("Halo, saya butuh bantuan NIB");
      await panel.getByRole("button", { name: "Kirim" }).click();
      const budiLog = budi.getByRole("log");
      await budiLog.locator(".msg.visitor").filter({ hasText: "Halo, saya butuh bantuan NIB" }).waitFor(UI);
      expect(await budiLog.locator(".msg.visitor .author").first().textContent()).toContain("Siti Rahma");
      await panel
        .locator(".msg.visitor")
        .filter({ hasText: "Halo, saya butuh bantuan NIB" })
        .getByRole("img", { name: "Dibaca" })
        .waitFor(UI);

      // Agent → visitor: the widget shows the answer under Budi's name and reads it; Budi's tick turns to read.
      await budi.getByLabel("Pesan", { exact: true }).fill("Selamat siang, bisa dibantu");
      await budi.getByRole("button", { name: "Kirim", exact: true }).click();
      const answer = panel.locator(".msg.agent").filter({ hasText: "Selamat siang, bisa dibantu" });
      await answer.waitFor(UI);
      expect(await answer.textContent()).toContain("Budi Santoso");
      await budiLog
        .locator(".msg")
        .filter({ hasText: "Selamat siang, bisa dibantu" })
        .locator(".tick[data-read='true']")
        .waitFor(UI);

      // Budi transfers to Dewi, chosen from the agents list; both sides see it.
      await budi.getByRole("button", { name: "Alihkan" }).click();
      const dialog = budi.getByRole("dialog");
      await dialog.getByRole("radio", { name: /Dewi Lestari/ }).check(UI);
      await dialog.getByRole("button", { name: "Alihkan" }).click();
      await budiLog.getByText("Obrolan dialihkan ke Dewi Lestari").waitFor(UI);
      await panel.getByText("Obrolan dialihkan ke Dewi Lestari").first().waitFor(UI);
      await dewi.getByRole("tab", { name: /Obrolan saya/ }).click();
      const dewiItem = chatItem(dewi, "mine", "Izin usaha mikro");
      await dewiItem.waitFor(UI);
      await dewiItem.click();
      const dewiLog = dewi.getByRole("log");
      await dewiLog.getByText("Halo, saya butuh bantuan NIB").waitFor(UI);
      await dewiLog.getByText("Selamat siang, bisa dibantu").waitFor(UI);

      // Dewi answers and the visitor answers back, each seen on the other page.
      await dewi.getByLabel("Pesan", { exact: true }).fill("Saya Dewi, saya lanjutkan");
      await dewi.getByRole("button", { name: "Kirim", exact: true }).click();
      const dewiAnswer = panel.locator(".msg.agent").filter({ hasText: "Saya Dewi, saya lanjutkan" });
      await dewiAnswer.waitFor(UI);
      expect(await dewiAnswer.textContent()).toContain("Dewi Lestari");
      await message.fill("Terima kasih, Dewi");
      await message.press("Enter");
      await dewiLog.locator(".msg.visitor").filter({ hasText: "Terima kasih, Dewi" }).waitFor(UI);
      await panel
        .locator(".msg.visitor")
        .filter({ hasText: "Terima kasih, Dewi" })
        .getByRole("img", { name: "Dibaca" })
        .waitFor(UI);

      // Dewi closes the chat (with confirmation); the widget shows the ended state with no message box.
      await dewi.getByRole("button", { name: "Tutup obrolan" }).click();
      await dewi.getByRole("button", { name: "Ya, tutup" }).click();
      await dewi.locator("#status[data-status='closed']").waitFor(UI);
      await panel.getByRole("heading", { name: "Obrolan selesai" }).waitFor(UI);
      expect(await message.count()).toBe(0);

      // The visitor rates the chat: four stars and a comment; the widget thanks them and the rating is recorded.
      const sessionId = JSON.parse(
        (await visitor.evaluate(() =>
          (globalThis as any).localStorage.getItem("osslivechat:session"),
        )) as string,
      ) as string;
      // (The radio is drawn as a star: click its label, as a visitor does.)
      await panel
        .locator("label")
        .filter({ has: visitor.getByRole("radio", { name: "4 dari 5" }) })
        .click();
      expect(await panel.getByRole("radio", { name: "4 dari 5" }).isChecked()).toBe(true);
      await panel.getByLabel("Komentar (opsional)").fill("Cepat dan jelas");
      await panel.getByRole("button", { name: "Kirim penilaian" }).click();
      await panel.getByText("Terima kasih atas penilaian Anda!").waitFor(UI);
      const deadline = Date.now() + UI.timeout;
      let rated = await svc.database.knex("chat_sessions").where({ id: sessionId }).first();
      while (rated?.rating_score == null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200)); // the read tables trail the event store
        rated = await svc.database.knex("chat_sessions").where({ id: sessionId }).first();
      }
      expect([rated?.rating_score, rated?.rating_comment]).toEqual([4, "Cepat dan jelas"]);

      // A new chat: the pre-chat form again with the contact remembered; it reaches the queue as a new chat.
      await panel.getByRole("button", { name: "Mulai obrolan baru" }).click();
      expect(await panel.getByLabel("Nama").inputValue()).toBe("Siti Rahma");
      expect(await panel.getByLabel("Topik").inputValue()).toBe("");
      await panel.getByLabel("Topik").fill("Perpanjangan izin");
      await panel.getByRole("button", { name: "Mulai obrolan" }).click();
      await panel.getByText("Menunggu agen").waitFor(UI);
      await budi.getByRole("tab", { name: /Antrean/ }).click();
      await chatItem(budi, "queue", "Perpanjangan izin").waitFor(UI);
      expect(
        JSON.parse(
          (await visitor.evaluate(() =>
            (globalThis as any).localStorage.getItem("osslivechat:session"),
          )) as string,
        ),
      ).not.toBe(sessionId);
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
  }, 300_000); // long: three pages on a shared box
});
