import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { linkUserInput, setContactInput, startChatInput } from "../../src/http/schemas/visitor";
import { historyInput } from "../../src/queries/history";

/** The paths of the issues a failed parse names, e.g. ["email"] or ["topic"]. */
function issuePaths(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error.issues.map((i) => i.path.join("."));
}

const valid = (schema: z.ZodType, input: unknown) => schema.safeParse(input).success;

describe("startChatInput", () => {
  it("accepts an anonymous start and defaults the priority to normal", () => {
    const browser = randomUUID();
    expect(startChatInput.parse({ browser_uuid: browser, topic: "Cara mengurus NIB" })).toEqual({
      browser_uuid: browser,
      topic: "Cara mengurus NIB",
      priority: "normal",
    });
  });

  it("accepts a logged-in start", () => {
    const parsed = startChatInput.parse({
      oss_user_id: "OSS-123",
      email: "pemohon@example.co.id",
      topic: "Perizinan berusaha",
      priority: "urgent",
      user_agent: "Mozilla/5.0",
    });
    expect(parsed).toEqual({
      oss_user_id: "OSS-123",
      email: "pemohon@example.co.id",
      topic: "Perizinan berusaha",
      priority: "urgent",
      user_agent: "Mozilla/5.0",
    });
  });

  it("lower-cases the browser UUID", () => {
    const browser = randomUUID();
    expect(startChatInput.parse({ browser_uuid: browser.toUpperCase(), topic: "x" }).browser_uuid).toBe(
      browser,
    );
  });

  it("names email when oss_user_id comes without it", () => {
    expect(
      issuePaths(startChatInput, { browser_uuid: randomUUID(), oss_user_id: "OSS-1", topic: "x" }),
    ).toEqual(["email"]);
  });

  it("names oss_user_id when email comes without it", () => {
    expect(
      issuePaths(startChatInput, { browser_uuid: randomUUID(), email: "a@example.com", topic: "x" }),
    ).toEqual(["oss_user_id"]);
  });

  it("names browser_uuid when neither identity is given", () => {
    expect(issuePaths(startChatInput, { topic: "x" })).toEqual(["browser_uuid"]);
  });

  it.each([
    ["empty", ""],
    ["whitespace", "  \t\n "],
    ["over 500 characters", "a".repeat(501)],
    ["with NUL", "izin\u0000usaha"],
    ["with a lone surrogate", "izin \ud800"],
  ])("rejects a topic %s", (_name, topic) => {
    expect(issuePaths(startChatInput, { browser_uuid: randomUUID(), topic })).toContain("topic");
  });

  it("accepts a topic of exactly 500 characters", () => {
    expect(valid(startChatInput, { browser_uuid: randomUUID(), topic: "a".repeat(500) })).toBe(true);
  });

  it("accepts a topic with a well-formed surrogate pair", () => {
    expect(valid(startChatInput, { browser_uuid: randomUUID(), topic: "izin 😀" })).toBe(true);
  });

  it("rejects an unknown priority", () => {
    expect(issuePaths(startChatInput, { browser_uuid: randomUUID(), topic: "x", priority: "asap" })).toEqual([
      "priority",
    ]);
  });

  it.each([
    ["oss_user_id with NUL", { oss_user_id: "OSS\u0000", email: "a@example.com" }, "oss_user_id"],
    ["blank oss_user_id", { oss_user_id: "   ", email: "a@example.com" }, "oss_user_id"],
    [
      "user_agent with a lone surrogate",
      { browser_uuid: randomUUID(), user_agent: "UA \ud800" },
      "user_agent",
    ],
    ["invalid email", { oss_user_id: "OSS-1", email: "not-an-email" }, "email"],
    ["browser_uuid that is not a UUID", { browser_uuid: "browser-1" }, "browser_uuid"],
  ])("rejects %s", (_name, fields, path) => {
    expect(issuePaths(startChatInput, { topic: "x", ...fields })).toContain(path);
  });
});

describe("setContactInput", () => {
  const base = () => ({
    session_id: randomUUID(),
    contact_name: "Budi Santoso",
    contact_email: "budi@example.co.id",
  });

  it("accepts the required fields alone", () => {
    const input = base();
    expect(setContactInput.parse(input)).toEqual(input);
  });

  it.each([
    ["081234567890", "+6281234567890"],
    ["6281234567890", "+6281234567890"],
    ["+62 812-3456-7890", "+6281234567890"],
    ["8123456789", "+628123456789"],
    ["+1 415 555 2671", "+14155552671"],
  ])("normalises the phone %s to %s", (raw, e164) => {
    expect(setContactInput.parse({ ...base(), contact_phone: raw }).contact_phone).toBe(e164);
  });

  it.each(["12", "abc", "0812\u00003456789"])("rejects the phone %j", (raw) => {
    expect(issuePaths(setContactInput, { ...base(), contact_phone: raw })).toEqual(["contact_phone"]);
  });

  it("accepts a null phone, position and company", () => {
    const input = { ...base(), contact_phone: null, position: null, company_name: null };
    expect(setContactInput.parse(input)).toEqual(input);
  });

  it.each([
    ["contact_name", ""],
    ["contact_name", "   "],
    ["contact_name", "a".repeat(256)],
    ["contact_name", "Budi\u0000"],
    ["position", "Direktur \ud800"],
    ["company_name", "PT\u0000"],
    ["company_name", "a".repeat(256)],
    ["contact_email", "budi"],
    ["session_id", "123"],
  ])("rejects %s = %j", (field, value) => {
    expect(issuePaths(setContactInput, { ...base(), [field]: value })).toContain(field);
  });

  it("accepts a name of exactly 255 characters", () => {
    expect(valid(setContactInput, { ...base(), contact_name: "a".repeat(255) })).toBe(true);
  });
});

describe("linkUserInput", () => {
  it("accepts a browser, an OSS user and an email", () => {
    const browser = randomUUID();
    expect(
      linkUserInput.parse({ browser_uuid: browser, oss_user_id: "OSS-9", email: "x@example.com" }),
    ).toEqual({
      browser_uuid: browser,
      oss_user_id: "OSS-9",
      email: "x@example.com",
    });
  });

  it.each(["browser_uuid", "oss_user_id", "email"])("requires %s", (field) => {
    const input: Record<string, unknown> = {
      browser_uuid: randomUUID(),
      oss_user_id: "OSS-9",
      email: "x@example.com",
    };
    delete input[field];
    expect(issuePaths(linkUserInput, input)).toEqual([field]);
  });

  it("rejects an oss_user_id with NUL or a lone surrogate", () => {
    const input = { browser_uuid: randomUUID(), email: "x@example.com" };
    expect(issuePaths(linkUserInput, { ...input, oss_user_id: "OSS\u0000" })).toEqual(["oss_user_id"]);
    expect(issuePaths(linkUserInput, { ...input, oss_user_id: "OSS\ud800" })).toEqual(["oss_user_id"]);
  });
});

describe("historyInput", () => {
  it("accepts an OSS user alone, with limit 20 and offset 0 by default", () => {
    expect(historyInput.parse({ oss_user_id: "OSS-1" })).toEqual({
      oss_user_id: "OSS-1",
      limit: 20,
      offset: 0,
    });
  });

  it("accepts a browser alone", () => {
    const browser = randomUUID();
    expect(historyInput.parse({ browser_uuid: browser })).toEqual({
      browser_uuid: browser,
      limit: 20,
      offset: 0,
    });
  });

  it("requires exactly one of oss_user_id and browser_uuid", () => {
    expect(issuePaths(historyInput, {})).toEqual(["oss_user_id"]);
    expect(issuePaths(historyInput, { oss_user_id: "OSS-1", browser_uuid: randomUUID() })).toEqual([
      "oss_user_id",
    ]);
  });

  it("coerces query-string numbers", () => {
    expect(
      historyInput.parse({ oss_user_id: "OSS-1", limit: "50", offset: "10", min_position: "7" }),
    ).toEqual({
      oss_user_id: "OSS-1",
      limit: 50,
      offset: 10,
      min_position: 7,
    });
  });

  it("accepts a limit of 1 and of 100", () => {
    expect(historyInput.parse({ oss_user_id: "OSS-1", limit: "1" }).limit).toBe(1);
    expect(historyInput.parse({ oss_user_id: "OSS-1", limit: "100" }).limit).toBe(100);
  });

  it.each([
    ["limit", "101"],
    ["limit", "0"],
    ["limit", "2.5"],
    ["limit", "ten"],
    ["offset", "-1"],
    ["offset", "abc"],
    ["min_position", "-1"],
  ])("rejects %s = %j", (field, value) => {
    expect(issuePaths(historyInput, { oss_user_id: "OSS-1", [field]: value })).toEqual([field]);
  });
});
