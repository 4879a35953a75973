import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config";
import { createLogger, maskQuery } from "../../src/logger";
import { blankEvent, openEvents, sealEvents, sealingPlan, sealWith } from "../../src/privacy/eventCipher";
import { ERASED, open, parseSealed, seal, unwrapKey, wrapKey } from "../../src/privacy/fieldCipher";
import { createCachingKeyStore } from "../../src/privacy/keyCache";
import { type KeyRequest, type KeyStore, SubjectErasedError } from "../../src/privacy/keyStore";

/** Keys in a Map: the port's behaviour without a database, for the pure sealing logic. */
function memoryKeys(): KeyStore & {
  readonly keys: Map<string, { key: Buffer; subject: string }>;
  readonly calls: { sealing: number; opening: number };
} {
  const keys = new Map<string, { key: Buffer; subject: string }>();
  const erased = new Set<string>();
  const calls = { sealing: 0, opening: 0 };
  return {
    keys,
    calls,
    async keysForSealing(requests: readonly KeyRequest[]) {
      calls.sealing++;
      const out = new Map<string, Buffer>();
      for (const r of requests) {
        if (erased.has(r.subjectId)) throw new SubjectErasedError(r.subjectId);
        if (!keys.has(r.keyId)) keys.set(r.keyId, { key: randomBytes(32), subject: r.subjectId });
        out.set(r.keyId, (keys.get(r.keyId) as { key: Buffer }).key);
      }
      return out;
    },
    async keysForOpening(ids) {
      calls.opening++;
      return new Map(
        ids.filter((id) => keys.has(id)).map((id) => [id, (keys.get(id) as { key: Buffer }).key]),
      );
    },
    async eraseSubjects(ids) {
      let destroyed = 0;
      for (const [keyId, k] of keys)
        if (ids.includes(k.subject)) {
          keys.delete(keyId);
          destroyed++;
        }
      for (const id of ids) erased.add(id);
      return { destroyed, alreadyErased: [] };
    },
    async destroyKeys(ids) {
      return ids.filter((id) => keys.delete(id)).length;
    },
    async isErased(id) {
      return erased.has(id);
    },
  };
}

const owner = randomUUID();
const meta = (ownerId = owner) => ({
  occurred_at: "2025-04-05T06:07:08.000Z",
  correlation_id: "c",
  causation_id: null,
  actor: { kind: "anonymous" as const, id: randomUUID() },
  ip: "203.0.113.7",
  user_agent: "Mozilla/5.0 (PII)",
  owner_id: ownerId,
});
const contactEvent = () => ({
  type: "ChatSessionContactSet" as const,
  data: {
    session_id: randomUUID(),
    contact_id: randomUUID(),
    contact_name: "Siti Rahma",
    contact_email: "siti@example.co.id",
    contact_phone: null,
    position: "Direktur",
    company_name: "CV Sejahtera",
  },
  metadata: meta(),
});

describe("field cipher (AES-256-GCM)", () => {
  const key = randomBytes(32);
  test("seals to a string that hides the value and opens back", () => {
    const sealed = seal(key, "u.1", "siti@example.co.id");
    expect(sealed).toMatch(/^pii:v1:u\.1:/);
    expect(sealed).not.toContain("siti");
    expect(seal(key, "u.1", "siti@example.co.id")).not.toBe(sealed); // a fresh IV each time
    expect(open(key, parseSealed(sealed) as NonNullable<ReturnType<typeof parseSealed>>)).toBe(
      "siti@example.co.id",
    );
  });

  test("refuses a wrong key, altered bytes, and a field moved to another key id", () => {
    const sealed = parseSealed(seal(key, "u.1", "x")) as NonNullable<ReturnType<typeof parseSealed>>;
    expect(() => open(randomBytes(32), sealed)).toThrow();
    const altered = Buffer.from(sealed.payload);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    expect(() => open(key, { ...sealed, payload: altered })).toThrow();
    expect(() => open(key, { ...sealed, keyId: "u.2" })).toThrow();
    expect(parseSealed("plain text")).toBeNull();
  });

  test("wraps a data key with the KEK; another KEK cannot unwrap it", () => {
    const kek = randomBytes(32);
    const wrapped = wrapKey(kek, key, "pii-key:u.1");
    expect(unwrapKey(kek, wrapped, "pii-key:u.1").equals(key)).toBe(true);
    expect(() => unwrapKey(randomBytes(32), wrapped, "pii-key:u.1")).toThrow();
    expect(() => unwrapKey(kek, wrapped, "pii-key:u.2")).toThrow();
  });
});

describe("sealing events by the table of personal fields", () => {
  test("seals the contact's fields and the request's address with the owner's key", () => {
    const plan = sealingPlan(contactEvent());
    expect(plan.map((p) => `${p.target}.${p.path.join(".")}`).sort()).toEqual(
      [
        "data.company_name",
        "data.contact_email",
        "data.contact_name",
        "data.contact_phone",
        "data.position",
        "metadata.ip",
        "metadata.user_agent",
      ].sort(),
    );
    expect(new Set(plan.map((p) => p.key.keyId))).toEqual(new Set([`u.${owner}`]));
  });

  test("an identity claim is sealed for the claiming chat user; erasure records seal no metadata", () => {
    const claimer = randomUUID();
    const claim = {
      type: "OssIdentityClaimed",
      data: { oss_user_id: "OSS-1", chat_user_id: claimer, email: "a@b.id" },
      metadata: meta(randomUUID()),
    };
    expect(new Set(sealingPlan(claim).map((p) => p.key.subjectId))).toEqual(new Set([claimer]));
    const erased = {
      type: "ChatUserErased",
      data: {},
      metadata: meta(),
    };
    expect(sealingPlan(erased)).toEqual([]);
  });

  test("a system action's origin is not sealed: a close by the system needs no key, a visitor's does", () => {
    const session = randomUUID();
    const close = (actor: { kind: string; id: string }) => ({
      type: "ChatSessionClosed",
      data: { session_id: session, closed_by_kind: "system", closed_by_id: "erasure" },
      metadata: { ...meta(), actor },
    });
    expect(sealingPlan(close({ kind: "system", id: "erasure" }))).toEqual([]);
    expect(sealingPlan(close({ kind: "anonymous", id: "b" })).map((p) => p.path.join("."))).toEqual([
      "ip",
      "user_agent",
    ]);
  });

  test("round trip: sealed in the store's form, opened on read; null stays null", async () => {
    const keys = memoryKeys();
    const event = contactEvent();
    const [sealed] = await sealEvents([event], keys);
    expect(JSON.stringify(sealed)).not.toMatch(/Siti|siti@|Direktur|Sejahtera|203\.0\.113\.7|Mozilla/);
    expect(sealed?.data.contact_phone).toBeNull();
    expect(sealed?.data.session_id).toBe(event.data.session_id);
    const [opened] = await openEvents([sealed as typeof event], keys);
    expect(opened).toEqual(event);
  });

  test("once the subject is erased: reads show [erased], new writes are refused", async () => {
    const keys = memoryKeys();
    const [sealed] = await sealEvents([contactEvent()], keys);
    await keys.eraseSubjects([owner]);
    const [opened] = await openEvents([sealed as ReturnType<typeof contactEvent>], keys);
    expect(opened?.data).toMatchObject({ contact_name: ERASED, contact_email: ERASED, contact_phone: null });
    expect(opened?.metadata).toMatchObject({ ip: ERASED, user_agent: ERASED, owner_id: owner });
    await expect(sealEvents([contactEvent()], keys)).rejects.toBeInstanceOf(SubjectErasedError);
  });

  test("blanking a plaintext event leaves only what is not personal", () => {
    const blank = blankEvent(contactEvent());
    expect(blank.data).toMatchObject({ contact_name: ERASED, position: ERASED, contact_phone: null });
    expect(blank.metadata).toMatchObject({ ip: ERASED, user_agent: ERASED });
  });
});

describe("one AEAD per event and key (pii:v2)", () => {
  const sealedStrings = (e: object) =>
    JSON.stringify(e)
      .match(/"pii:v\d:[^"]*"/g)
      ?.map((x) => x.slice(1, -1)) ?? [];

  test("all the fields an event seals with one key go in one envelope; the others name their entry", async () => {
    const keys = memoryKeys();
    const [sealed] = await sealEvents([contactEvent()], keys);
    const fields = sealedStrings(sealed as object);
    expect(fields).toHaveLength(6); // name, email, position, company, ip, user agent (the phone is null)
    const envelopes = fields.filter((f) => parseSealed(f)?.index === 0);
    expect(envelopes).toHaveLength(1);
    expect(envelopes[0]).toMatch(new RegExp(`^pii:v2:u\\.${owner}:`));
    expect(
      fields
        .filter((f) => /:@\d+$/.test(f))
        .map((f) => parseSealed(f)?.index)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  test("fields sealed with two keys make two envelopes, and each opens", async () => {
    const keys = memoryKeys();
    const session = randomUUID();
    const message = {
      type: "ChatMessagePosted",
      data: {
        session_id: session,
        message_id: randomUUID(),
        seq: 1,
        sender: { kind: "visitor", id: owner },
        body: "Halo, izin usaha saya",
        client_message_id: null,
      },
      metadata: meta(),
    };
    const [sealed] = await sealEvents([message], keys);
    const envelopes = sealedStrings(sealed as object).filter((f) => parseSealed(f)?.index === 0);
    expect(envelopes.map((f) => parseSealed(f)?.keyId).sort()).toEqual([`m.${session}`, `u.${owner}`].sort());
    const [opened] = await openEvents([sealed as typeof message], keys);
    expect(opened).toEqual(message);
  });

  test("v1 fields (one AES-GCM each) still read, beside v2 events", async () => {
    const keys = memoryKeys();
    const event = contactEvent();
    const key = (await keys.keysForSealing([{ keyId: `u.${owner}`, subjectId: owner }])).get(
      `u.${owner}`,
    ) as Buffer;
    const v1 = {
      ...event,
      data: { ...event.data, contact_name: seal(key, `u.${owner}`, event.data.contact_name as string) },
      metadata: { ...event.metadata, ip: seal(key, `u.${owner}`, event.metadata.ip as string) },
    };
    expect(v1.data.contact_name).toMatch(/^pii:v1:/);
    const [v2] = sealWith([event], new Map([[`u.${owner}`, key]]));
    const [a, b] = await openEvents([v1, v2 as typeof event], keys);
    expect(a).toEqual(event);
    expect(b).toEqual(event);
  });

  test("an erased key blanks every field of the envelope; an altered envelope is refused", async () => {
    const keys = memoryKeys();
    const [sealed] = await sealEvents([contactEvent()], keys);
    const contact = sealed as ReturnType<typeof contactEvent>;
    const envelopeField = Object.entries(contact.data).find(
      ([, v]) => parseSealed(v)?.index === 0,
    )?.[0] as string;
    const value = (contact.data as unknown as Record<string, string>)[envelopeField] as string;
    const altered = { ...contact, data: { ...contact.data, [envelopeField]: `${value.slice(0, -4)}AAAA` } };
    await expect(openEvents([altered], keys)).rejects.toThrow();
    await keys.eraseSubjects([owner]);
    const [opened] = await openEvents([contact], keys);
    expect(opened?.data).toMatchObject({ contact_name: ERASED, contact_email: ERASED, position: ERASED });
    expect(opened?.metadata).toMatchObject({ ip: ERASED, user_agent: ERASED });
  });
});

describe("PII_KEK configuration", () => {
  const base = { DATABASE_URL: "postgres://localhost/x" };
  test("is required in production, naming the variable", () => {
    expect(() => loadConfig({ ...base, NODE_ENV: "production" })).toThrow(
      /PII_KEK: required when NODE_ENV=production/,
    );
  });
  test("must be 32 bytes of base64", () => {
    expect(() => loadConfig({ ...base, PII_KEK: randomBytes(16).toString("base64") })).toThrow(
      /PII_KEK: must be 32 random bytes in base64 \(decodes to 16 bytes\)/,
    );
    expect(() => loadConfig({ ...base, PII_KEK: "not base64 at all!" })).toThrow(/PII_KEK/);
  });
  test("a valid key is read; outside production it may be absent", () => {
    const kek = randomBytes(32);
    expect(loadConfig({ ...base, NODE_ENV: "production", PII_KEK: kek.toString("base64") }).piiKek).toEqual(
      kek,
    );
    expect(loadConfig(base).piiKek).toBeNull();
  });
});

describe("logs", () => {
  test("query values are masked, names kept", () => {
    expect(maskQuery("/api/oss-chat/history?browser_uuid=abc&limit=5")).toBe(
      "/api/oss-chat/history?browser_uuid=…&limit=…",
    );
    expect(maskQuery("/healthz")).toBe("/healthz");
  });

  test("personal keys are redacted at any depth", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger("info", "t", sink);
    logger.info(
      { email: "a@b.id", input: { contact_phone: "+62812", nested: { body: "halo rahasia" } } },
      "x",
    );
    logger.info({ url: "/x?oss_user_id=OSS-9" }, "y");
    const text = lines.join("");
    expect(text).not.toMatch(/a@b\.id|\+62812|halo rahasia|OSS-9/);
    expect(text).toContain("[redacted]");
  });
});

describe("the key cache", () => {
  const subject = randomUUID();
  const request = (keyId: string) => ({ keyId, subjectId: subject });

  test("a key sealed or opened once is served from the process until its time is up", async () => {
    const inner = memoryKeys();
    let now = 1_000;
    const cache = createCachingKeyStore(inner, { ttlMs: 60_000, now: () => now });
    const sealed = await cache.keysForSealing([request(`u.${subject}`)]);
    const again = await cache.keysForSealing([request(`u.${subject}`)]);
    const opened = await cache.keysForOpening([`u.${subject}`]);
    expect(inner.calls).toEqual({ sealing: 1, opening: 0 });
    expect(again.get(`u.${subject}`)).toEqual(sealed.get(`u.${subject}`));
    expect(opened.get(`u.${subject}`)).toEqual(sealed.get(`u.${subject}`));
    now += 60_001;
    await cache.keysForOpening([`u.${subject}`]);
    expect(inner.calls.opening).toBe(1);
  });

  test("one key it does not hold sends the whole request to the store, which checks every subject", async () => {
    const inner = memoryKeys();
    const cache = createCachingKeyStore(inner, { ttlMs: 60_000 });
    await cache.keysForSealing([request("u.a")]);
    const both = await cache.keysForSealing([request("u.a"), request("m.b")]);
    expect(inner.calls.sealing).toBe(2);
    expect([...both.keys()].sort()).toEqual(["m.b", "u.a"]);
  });

  test("erasing here, or reading an erasure or a retention run in the log, forgets every key", async () => {
    const inner = memoryKeys();
    const cache = createCachingKeyStore(inner, { ttlMs: 60_000 });
    await cache.keysForSealing([request(`u.${subject}`)]);
    await cache.eraseSubjects([subject]);
    expect(cache.size()).toBe(0);
    await expect(cache.keysForSealing([request(`u.${subject}`)])).rejects.toBeInstanceOf(SubjectErasedError);

    const other = randomUUID();
    await cache.keysForSealing([{ keyId: `u.${other}`, subjectId: other }]);
    cache.observe([{ type: "ChatMessagePosted" }]);
    expect(cache.size()).toBe(1);
    cache.observe([{ type: "ChatMessagePosted" }, { type: "RetentionApplied" }]);
    expect(cache.size()).toBe(0);
    await cache.keysForSealing([{ keyId: `u.${other}`, subjectId: other }]);
    cache.observe([{ type: "ChatUserErased" }]);
    expect(cache.size()).toBe(0);
  });

  test("keys fetched while an erasure ran are not kept; missing keys are not cached", async () => {
    const inner = memoryKeys();
    const cache = createCachingKeyStore(inner, { ttlMs: 60_000 });
    const fetching = cache.keysForSealing([request(`u.${subject}`)]);
    cache.observe([{ type: "ChatUserErased" }]);
    await fetching;
    expect(cache.size()).toBe(0);
    expect((await cache.keysForOpening(["u.nobody"])).size).toBe(0);
    await cache.keysForOpening(["u.nobody"]);
    expect(inner.calls.opening).toBe(2);
  });

  test("holds at most maxEntries keys, dropping the least recently used; a ttl of 0 keeps none", async () => {
    const inner = memoryKeys();
    const cache = createCachingKeyStore(inner, { ttlMs: 60_000, maxEntries: 2 });
    await cache.keysForSealing([request("u.1")]);
    await cache.keysForSealing([request("u.2")]);
    await cache.keysForOpening(["u.1"]);
    await cache.keysForSealing([request("u.3")]);
    expect(cache.size()).toBe(2);
    await cache.keysForOpening(["u.1", "u.3"]);
    expect(inner.calls.opening).toBe(0);
    const off = createCachingKeyStore(memoryKeys(), { ttlMs: 0 });
    await off.keysForSealing([request("u.1")]);
    expect(off.size()).toBe(0);
  });
});

describe("opening for a reader of some event types", () => {
  test("opens those types only, passes the others sealed, and still sees an erasure", async () => {
    const keys = createCachingKeyStore(memoryKeys(), { ttlMs: 60_000 });
    const [sealed] = await sealEvents([contactEvent()], keys);
    const contact = sealed as ReturnType<typeof contactEvent>;
    const erasure = { type: "ChatUserErased", data: {}, metadata: meta() };
    const [skipped, seen] = await openEvents([contact, erasure], keys, {
      only: new Set(["ChatMessagePosted"]),
    });
    expect(skipped).toBe(contact);
    expect(seen).toBe(erasure);
    expect(keys.size()).toBe(0); // the erasure emptied the cache though nothing was opened
    const [opened] = await openEvents([contact], keys, { only: new Set([contact.type]) });
    expect(JSON.stringify(opened)).not.toMatch(/pii:v\d:/);
  });

  test("every sealed field has an IV of its own", () => {
    const key = randomBytes(32);
    const ivs = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const sealedField = parseSealed(seal(key, "u.x", "sama"));
      if (sealedField) ivs.add(sealedField.payload.subarray(0, 12).toString("hex"));
    }
    expect(ivs.size).toBe(5000);
  });
});
