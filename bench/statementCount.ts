import { writeFileSync } from "node:fs";
import { Client } from "pg";

/**
 * Counts the SQL statements a process sends through pg (knex and the store included), by text, while switched
 * on: what bench/queryCount.ts does in-process, for a server the bench runs as a process of its own.
 * `serve.ts` installs it when BENCH_STATEMENTS_FILE is set; each SIGUSR2 then switches counting on (from zero)
 * or off, and switching off writes `{ "<statement>": count }` to that file.
 */
export function countStatementsOnSignal(file: string): void {
  const counts = new Map<string, number>();
  let counting = false;
  const proto = Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (counting) {
      const q = args[0];
      const text = typeof q === "string" ? q : ((q as { text?: string })?.text ?? "?");
      // Literals out (a projector batch is one script of inlined values): one key per statement shape.
      const key = text
        .replace(/'(?:[^']|'')*'/g, "'…'")
        .replace(/\b\d+\b/g, "N")
        .replace(/\s+/g, " ")
        .slice(0, 110);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
  process.on("SIGUSR2", () => {
    if (!counting) {
      counts.clear();
      counting = true;
      return;
    }
    counting = false;
    writeFileSync(file, JSON.stringify(Object.fromEntries(counts)));
  });
}
