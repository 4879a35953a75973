import { Webhook } from "standardwebhooks";
import type { RecordedEvent } from "../../src/eventstore/eventStore";
import { nextRetryDelayMs } from "../../src/webhooks/backoff";
import { newSigningSecret } from "../../src/webhooks/endpoints";
import { webhookBody, webhookEventTypes } from "../../src/webhooks/payload";
import { signedHeaders } from "../../src/webhooks/send";
import { guardedLookup, isPublicAddress, parseTargetUrl } from "../../src/webhooks/targets";

describe("the SSRF guard", () => {
  test.each([
    ["127.0.0.1", false],
    ["127.8.9.10", false],
    ["10.1.2.3", false],
    ["172.16.0.1", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["224.0.0.1", false],
    ["255.255.255.255", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["fd00::1", false],
    ["fc00::1", false],
    ["fdff:ffff::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["not-an-ip", false],
    ["8.8.8.8", true],
    ["203.0.114.1", true],
    ["2001:4860:4860::8888", true],
    ["::ffff:8.8.8.8", true],
  ])("%s is public: %p", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  test.each([
    ["ftp://example.com/x", /http or https/],
    ["/relative", /absolute/],
    ["https://user:pw@example.com/", /credentials/],
  ])("refuses %s", (url, reason) => {
    expect(() => parseTargetUrl(url)).toThrow(reason);
  });

  test("the connect-time lookup refuses a name that resolves to loopback, unless allowed", async () => {
    const resolve = (allow: boolean, all: boolean) =>
      new Promise<unknown>((done) =>
        guardedLookup(allow)("localhost", { all }, (err, address) => done(err ? err.message : address)),
      );
    expect(await resolve(false, true)).toMatch(/non-public/);
    expect(await resolve(false, false)).toMatch(/non-public/);
    expect(await resolve(true, false)).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe("retries", () => {
  const policy = { maxAttempts: 5, baseMs: 1000, maxMs: 5000 };
  test("back off exponentially up to the cap, then give up", () => {
    expect([1, 2, 3, 4].map((n) => nextRetryDelayMs(policy, n, 0))).toEqual([1000, 2000, 4000, 5000]);
    expect(nextRetryDelayMs(policy, 5, 0)).toBeNull();
  });
  test("jitter adds at most 20%", () => {
    expect(nextRetryDelayMs(policy, 2, 0.999)).toBeLessThanOrEqual(2400);
    expect(nextRetryDelayMs(policy, 2, 0.5)).toBe(2200);
  });
});

describe("payloads", () => {
  const event = (type: string, data: Record<string, unknown>): RecordedEvent =>
    ({
      id: "00000000-0000-4000-8000-000000000001",
      type,
      data,
      streamId: "chatSession-x",
      revision: 0n,
      position: 42n,
      logPosition: { commit: 1n, prepare: 42n },
      storedVersion: 1,
      metadata: {
        occurred_at: "2025-01-01T00:00:00.000Z",
        correlation_id: "c",
        causation_id: null,
        actor: { kind: "anonymous", id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1" },
        ip: "203.0.113.9",
        user_agent: "widget",
        owner_id: "o",
      },
    }) as unknown as RecordedEvent;

  test("carry ids and vocabularies, never personal fields", () => {
    const body = webhookBody(
      event("ChatSessionContactSet", {
        session_id: "s-1",
        contact_id: "c-1",
        contact_name: "Budi",
        contact_email: "budi@example.com",
        contact_phone: "+628123",
        position: "Manager",
        company_name: "PT Contoh",
      }),
    );
    expect(JSON.parse(body)).toEqual({
      type: "ChatSessionContactSet",
      timestamp: "2025-01-01T00:00:00.000Z",
      data: {
        event_id: "00000000-0000-4000-8000-000000000001",
        position: 42,
        actor_kind: "anonymous",
        session_id: "s-1",
        contact_id: "c-1",
      },
    });
    for (const personal of [
      "Budi",
      "budi@",
      "+628",
      "Manager",
      "PT Contoh",
      "203.0.113",
      "aaaaaaaa",
      "widget",
    ]) {
      expect(body).not.toContain(personal);
    }
    const started = webhookBody(
      event("ChatSessionStarted", {
        session_id: "s",
        chat_user_id: "u",
        topic: "my NIK is 3171…",
        priority: "high",
      }),
    );
    expect(started).not.toContain("NIK");
    expect(JSON.parse(started).data).toMatchObject({ priority: "high", chat_user_id: "u" });
  });

  test("identity reservations are not offered", () => {
    expect(webhookEventTypes).toContain("ChatSessionStarted");
    expect(webhookEventTypes.some((t) => t.startsWith("OssIdentity"))).toBe(false);
  });
});

test("signatures follow Standard Webhooks: the reference library verifies them", () => {
  const secret = newSigningSecret();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
  const body = '{"type":"ChatSessionStarted"}';
  const headers = signedHeaders(secret, "msg-1", body, new Date());
  expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
  expect(new Webhook(secret).verify(body, headers)).toEqual({ type: "ChatSessionStarted" });
  expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
});
