import os from "node:os";
import { round } from "./load";

/** A ratio taken over interleaved rounds: the median of the per-round ratios, and their spread. */
export interface RoundRatio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Each round's ratio, in the order run. */
  readonly rounds: readonly number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The median and the min–max of per-round ratios (each rounded to `digits`). */
export function roundRatio(ratios: readonly number[], digits = 2): RoundRatio {
  return {
    median: round(median(ratios), digits),
    min: round(Math.min(...ratios), digits),
    max: round(Math.max(...ratios), digits),
    rounds: ratios.map((r) => round(r, digits)),
  };
}

/**
 * Runs the product (A) and its baseline (B) in `rounds` short rounds, interleaved A B A B …, so a machine that
 * gets busier or quieter during the pair moves both sides of each round's ratio alike.
 */
export async function interleave<T>(
  rounds: number,
  a: (round: number) => Promise<T>,
  b: (round: number) => Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const out = { a: [] as T[], b: [] as T[] };
  for (let r = 0; r < rounds; r++) {
    out.a.push(await a(r));
    out.b.push(await b(r));
  }
  return out;
}

/** One phase of the run with the 1-minute load average before and after it; above `busyAbove` it is flagged. */
export interface PhaseLoad {
  readonly phase: string;
  readonly load_before: number;
  readonly load_after: number;
  readonly seconds: number;
  /** The load average was above 2 (the cores of this machine) before or after the phase. */
  readonly busy: boolean;
}

export const phaseLoads: PhaseLoad[] = [];

/** Runs a phase and records the load average around it (`phaseLoads`); a busy phase is logged as such. */
export async function withLoad<T>(
  phase: string,
  run: () => Promise<T>,
  log: (msg: string) => void,
  busyAbove = 2,
): Promise<T> {
  const before = os.loadavg()[0] ?? 0;
  const started = performance.now();
  try {
    return await run();
  } finally {
    const after = os.loadavg()[0] ?? 0;
    const busy = before > busyAbove || after > busyAbove;
    phaseLoads.push({
      phase,
      load_before: round(before, 2),
      load_after: round(after, 2),
      seconds: round((performance.now() - started) / 1000, 1),
      busy,
    });
    log(`phase ${phase}: load ${round(before, 2)} → ${round(after, 2)}${busy ? " (BUSY: above 2)" : ""}`);
  }
}
