import { logFormat } from "../../src/logger";
import { startupUrls } from "../../src/service";
import { chooseTestServer, probePort } from "../support/testServer";

describe("which Postgres the integration tests use", () => {
  const listening = (open: number[]) => async (port: number) => open.includes(port);

  test("TEST_DATABASE_URL when set, without probing", async () => {
    const probe = jest.fn(async () => true);
    const url = "postgres://postgres@127.0.0.1:5433/postgres";
    expect(await chooseTestServer({ TEST_DATABASE_URL: url }, probe)).toEqual({ kind: "given", url });
    expect(probe).not.toHaveBeenCalled();
  });

  test("else the machine's server at 127.0.0.1:5432 when something listens there (CI)", async () => {
    expect(await chooseTestServer({}, listening([5432]))).toEqual({
      kind: "machine",
      url: "postgres://postgres@127.0.0.1:5432/postgres",
    });
  });

  test("else the embedded one; TEST_PG_PROBE_PORT moves the probe", async () => {
    expect(await chooseTestServer({}, listening([]))).toEqual({ kind: "embedded" });
    expect(await chooseTestServer({ TEST_PG_PROBE_PORT: "1" }, listening([5432]))).toEqual({
      kind: "embedded",
    });
    expect(await chooseTestServer({ TEST_PG_PROBE_PORT: "6543" }, listening([6543]))).toEqual({
      kind: "machine",
      url: "postgres://postgres@127.0.0.1:6543/postgres",
    });
  });

  test("a bad TEST_PG_PROBE_PORT is named", () => {
    expect(probePort({})).toBe(5432);
    expect(probePort({ TEST_PG_PROBE_PORT: "" })).toBe(5432);
    for (const bad of ["0", "65536", "x", "54.3"])
      expect(() => probePort({ TEST_PG_PROBE_PORT: bad })).toThrow(
        /^TEST_PG_PROBE_PORT: must be a port number/,
      );
  });
});

describe("logs", () => {
  test("readable lines on a terminal, JSON lines otherwise", () => {
    expect(logFormat(true)).toBe("pretty");
    expect(logFormat(false)).toBe("json");
    expect(logFormat(undefined)).toBe("json"); // a pipe or a file: process.stdout.isTTY is undefined
  });
});

describe("the start-up log's URLs", () => {
  test("a wildcard address is opened as localhost; the listen address is the real one", () => {
    expect(startupUrls({ address: "0.0.0.0", port: 8080, family: "IPv4" })).toEqual({
      listen: "0.0.0.0:8080",
      api: "http://localhost:8080",
      demo: "http://localhost:8080/demo",
      console: "http://localhost:8080/console",
      docs: "http://localhost:8080/docs",
    });
    expect(startupUrls({ address: "::", port: 41234, family: "IPv6" })).toMatchObject({
      listen: "[::]:41234",
      demo: "http://localhost:41234/demo",
    });
  });

  test("a bound address is used as is (IPv6 in brackets)", () => {
    expect(startupUrls({ address: "127.0.0.1", port: 3000, family: "IPv4" })).toMatchObject({
      listen: "127.0.0.1:3000",
      docs: "http://127.0.0.1:3000/docs",
    });
    expect(startupUrls({ address: "::1", port: 3000, family: "IPv6" })).toMatchObject({
      listen: "[::1]:3000",
      console: "http://[::1]:3000/console",
    });
  });
});
