import { randomUUID } from "node:crypto";
import { asBrowser, asOssUser, badTokens, bearer } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";
import { openSocket } from "../support/wsClient";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ RATE_LIMIT_PER_IP: "1000", RATE_LIMIT_PER_IDENTITY: "3" });
});
afterAll(async () => svc.stop());

const EN = { "accept-language": "en-US,en;q=0.9" };
const ID = { "accept-language": "id-ID" };

describe("answers follow Accept-Language (Indonesian by default)", () => {
  test("the start response's message, and Content-Language / Vary", async () => {
    const byDefault = await svc.post("/api/oss-chat/start", { browser_uuid: randomUUID(), topic: "Izin" });
    expect(byDefault.status).toBe(201);
    expect(byDefault.body.message).toBe("Sesi chat berhasil dimulai");
    expect(byDefault.headers.get("content-language")).toBe("id");
    expect(byDefault.headers.get("vary")).toMatch(/Accept-Language/i);
    const english = await svc.post(
      "/api/oss-chat/start",
      { browser_uuid: randomUUID(), topic: "Permit" },
      EN,
    );
    expect(english.body.message).toBe("Chat session started successfully");
    expect(english.headers.get("content-language")).toBe("en");
  });

  test("contact and link messages", async () => {
    const browser = randomUUID();
    const start = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Izin" });
    const contact = {
      session_id: start.body.session_id,
      contact_name: "Budi",
      contact_email: "b@example.com",
    };
    const first = await svc.post("/api/oss-chat/contact", contact, { ...asBrowser(browser), ...EN });
    expect(first.body.message).toBe("Contact information saved");
    const again = await svc.post("/api/oss-chat/contact", contact, asBrowser(browser));
    expect(again.body.message).toBe("Informasi kontak diperbarui");
    const link = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser },
      { ...(await asOssUser(`OSS-${randomUUID()}`, "b@example.com")), ...ID },
    );
    expect(link.status).toBe(200);
    expect(link.body.message).toBe("Pengguna chat anonim ditautkan ke pengguna OSS");
  });

  test("validation errors name the field in both languages, with stable codes", async () => {
    const body = { browser_uuid: "not-a-uuid", topic: "" };
    const id = await svc.post("/api/oss-chat/start", body);
    const en = await svc.post("/api/oss-chat/start", body, EN);
    for (const res of [id, en]) {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("invalid_request");
      expect(res.body.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: "browser_uuid", code: "field_uuid" }),
          expect.objectContaining({ field: "topic", code: "field_required" }),
        ]),
      );
    }
    expect(id.body.error).toBe("Permintaan tidak valid");
    expect(en.body.error).toBe("Invalid request");
    const message = (res: typeof id, field: string) =>
      res.body.details.find((d: { field: string }) => d.field === field).message;
    expect(message(id, "browser_uuid")).toBe("harus berupa UUID");
    expect(message(en, "browser_uuid")).toBe("must be a UUID");
    expect(message(id, "topic")).toBe("wajib diisi");
    expect(message(en, "topic")).toBe("is required");
  });

  test("malformed JSON, unknown routes, 404s, 409s and 401s", async () => {
    const malformed = await svc.post("/api/oss-chat/start", "{", EN);
    expect(malformed.body).toMatchObject({
      code: "invalid_request",
      details: [{ field: "body", code: "field_malformed_json", message: "Malformed JSON" }],
    });
    const nowhere = await svc.get("/api/nowhere");
    expect(nowhere.body).toEqual({ error: "Tidak ditemukan", code: "not_found" });
    const browser = randomUUID();
    const missing = await svc.get(`/api/oss-chat/session/${randomUUID()}`, { ...asBrowser(browser), ...EN });
    expect(missing.body).toEqual({ error: "Chat session not found", code: "chat_session_not_found" });
    const unknownBrowser = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser },
      await asOssUser(`OSS-${randomUUID()}`, "x@example.com"),
    );
    expect(unknownBrowser.status).toBe(404);
    expect(unknownBrowser.body).toEqual({
      error: "Tidak ada pengguna chat untuk browser_uuid ini",
      code: "chat_user_not_found",
    });

    await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Izin" });
    await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser },
      await asOssUser("A-1", "a@example.com"),
    );
    const conflict = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser },
      { ...(await asOssUser("B-1", "b@example.com")), ...EN },
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body).toEqual({
      error: "This browser is already linked to another OSS user",
      code: "browser_linked_elsewhere",
    });

    const bad = await badTokens("U", "u@example.com");
    const expired = await svc.get("/api/oss-chat/history", bearer(bad.expired as string));
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: "Token identitas sudah kedaluwarsa", code: "token_expired" });
    const noCaller = await svc.get(`/api/oss-chat/session/${randomUUID()}`, EN);
    expect(noCaller.body.code).toBe("caller_required");
    expect(noCaller.body.error).toMatch(/X-Browser-UUID/);
  });

  test("rate-limit answers are translated, with their parameters", async () => {
    const browser = asBrowser(randomUUID());
    let last = await svc.get("/api/oss-chat/history", browser);
    for (let i = 0; i < 5 && last.status !== 429; i++) last = await svc.get("/api/oss-chat/history", browser);
    expect(last.status).toBe(429);
    expect(last.body.code).toBe("rate_limited_identity");
    expect(last.body.error).toMatch(
      /^Terlalu banyak permintaan untuk identitas ini: coba lagi dalam \d+ detik$/,
    );
    const english = await svc.get("/api/oss-chat/history", { ...browser, ...EN });
    expect(english.body.error).toMatch(/^Too many requests for this identity: try again in \d+ s$/);
  });

  test("WebSocket error frames follow the handshake's Accept-Language", async () => {
    const frames = async (headers: Record<string, string>) => {
      const socket = openSocket(svc.url, "/api/oss-chat/ws", headers);
      socket.send({ type: "auth", browser_uuid: randomUUID() });
      await socket.next((f) => f.type === "ready");
      socket.send("{not json");
      const malformed = await socket.next((f) => f.type === "error" && f.code === 400);
      socket.send({ type: "subscribe", session_id: "nope", after_seq: 0 });
      const invalid = await socket.next((f) => f.type === "error" && f !== malformed);
      socket.send({ type: "typing", session_id: randomUUID() });
      const notSubscribed = await socket.next((f) => f.type === "error" && f.code === 404);
      socket.close();
      return [malformed.error, invalid.error, notSubscribed.error];
    };
    expect(await frames({})).toEqual([
      "JSON tidak berbentuk benar",
      "Frame tidak valid: session_id: harus berupa UUID",
      "Berlangganan ke sesi ini terlebih dahulu",
    ]);
    expect(await frames(EN)).toEqual([
      "Malformed JSON",
      "Invalid frame: session_id: must be a UUID",
      "Subscribe to the session first",
    ]);
  });
});
