import { partitionLags } from "../../src/bus/bus";

describe("consumer-group lag per partition", () => {
  test("high watermark minus the committed offset, sorted by partition", () => {
    expect(
      partitionLags(
        [
          { partition: 1, high: "10", low: "0" },
          { partition: 0, high: "7", low: "0" },
        ],
        [
          { partition: 0, offset: "7" },
          { partition: 1, offset: "4" },
        ],
      ),
    ).toEqual([
      { partition: 0, committed: "7", high_watermark: "7", lag: 0 },
      { partition: 1, committed: "4", high_watermark: "10", lag: 6 },
    ]);
  });

  test("a partition the group never committed (-1 or absent) lags by what the broker still keeps", () => {
    expect(
      partitionLags(
        [
          { partition: 0, high: "12", low: "2" },
          { partition: 1, high: "5", low: "0" },
        ],
        [{ partition: 0, offset: "-1" }],
      ),
    ).toEqual([
      { partition: 0, committed: null, high_watermark: "12", lag: 10 },
      { partition: 1, committed: null, high_watermark: "5", lag: 5 },
    ]);
  });
});
