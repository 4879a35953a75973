import { randomUUID } from "node:crypto";
import { UnreadableEventError, upcast } from "../../src/events/upcasters";

function startedV1() {
  return { session_id: randomUUID(), chat_user_id: randomUUID(), topic: "Izin lokasi", priority: "normal" };
}

describe("upcast", () => {
  it("lifts ChatSessionStarted v1, which had no channel, to v2 from the web widget", () => {
    const v1 = startedV1();
    expect(upcast("ChatSessionStarted", 1, v1)).toEqual({
      type: "ChatSessionStarted",
      data: { ...v1, channel: "web" },
    });
  });

  it("passes ChatSessionStarted v2 through unchanged", () => {
    const v2 = { ...startedV1(), channel: "whatsapp" };
    expect(upcast("ChatSessionStarted", 2, v2)).toEqual({ type: "ChatSessionStarted", data: v2 });
  });

  it("does not change the stored data it reads", () => {
    const v1 = startedV1();
    const copy = { ...v1 };
    upcast("ChatSessionStarted", 1, v1);
    expect(v1).toEqual(copy);
  });

  it("throws UnreadableEventError for an unknown type", () => {
    expect(() => upcast("ChatSessionDeleted", 1, {})).toThrow(UnreadableEventError);
    expect(() => upcast("toString", 1, {})).toThrow(UnreadableEventError);
  });

  it("throws UnreadableEventError for a version newer than this code", () => {
    const v3 = { ...startedV1(), channel: "web" };
    expect(() => upcast("ChatSessionStarted", 3, v3)).toThrow(UnreadableEventError);
    expect(() => upcast("ChatSessionStarted", 3, v3)).toThrow(/newer/);
  });

  it("throws UnreadableEventError for a version without an upcaster", () => {
    expect(() => upcast("ChatSessionStarted", 0, startedV1())).toThrow(UnreadableEventError);
  });

  it.each([
    ["a v2 without channel", 2, startedV1()],
    ["a v1 with a bad priority", 1, { ...startedV1(), priority: "asap" }],
    ["a v1 whose session_id is not a UUID", 1, { ...startedV1(), session_id: "s-1" }],
    ["null", 2, null],
  ])("throws UnreadableEventError for data not matching the schema: %s", (_name, version, data) => {
    expect(() => upcast("ChatSessionStarted", version, data)).toThrow(UnreadableEventError);
  });

  it("strips fields the current shape does not know", () => {
    const v2 = { ...startedV1(), channel: "web" };
    expect(upcast("ChatSessionStarted", 2, { ...v2, legacy: true })).toEqual({
      type: "ChatSessionStarted",
      data: v2,
    });
  });
});
