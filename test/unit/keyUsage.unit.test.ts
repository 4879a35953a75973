import { createUsageThrottle } from "../../src/auth/keyUsage";

describe("staff key usage throttle", () => {
  test("records a key's first use, then at most once per interval", () => {
    const throttle = createUsageThrottle(60_000);
    expect(throttle.shouldRecord("k1", 1_000)).toBe(true);
    expect(throttle.shouldRecord("k1", 1_001)).toBe(false);
    expect(throttle.shouldRecord("k1", 60_999)).toBe(false);
    expect(throttle.shouldRecord("k1", 61_000)).toBe(true);
    expect(throttle.shouldRecord("k1", 61_500)).toBe(false);
  });

  test("keys are throttled independently", () => {
    const throttle = createUsageThrottle(60_000);
    expect(throttle.shouldRecord("k1", 0)).toBe(true);
    expect(throttle.shouldRecord("k2", 10)).toBe(true);
    expect(throttle.shouldRecord("k1", 20)).toBe(false);
    expect(throttle.shouldRecord("k2", 30)).toBe(false);
  });
});
