import { Presets, SingleBar } from "cli-progress";
import type { RebuildProgress } from "../ops/rebuild";

/** Shows rebuild progress: a bar with events/s and ETA on a terminal, plain lines (every few seconds) otherwise. */
export function rebuildProgressReporter(stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastLine = 0;
  const rate = (done: number, since: number) =>
    done / Math.max(0.001, (Date.now() - started) / 1000) || since;
  let first: number | null = null;
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        stream,
        format: "rebuild |{bar}| {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_text}",
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    let startedBar = false;
    return {
      update(p: RebuildProgress) {
        first ??= p.done;
        const perSecond = Math.round(rate(p.done - first, 0));
        const eta_text = perSecond > 0 ? `${Math.ceil((p.total - p.done) / perSecond)}s` : "?";
        if (!startedBar) {
          bar.start(p.total, p.done, { rate: perSecond, eta_text });
          startedBar = true;
        }
        bar.setTotal(p.total);
        bar.update(p.done, { rate: perSecond, eta_text });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    update(p: RebuildProgress) {
      first ??= p.done;
      const now = Date.now();
      if (p.phase === "replay" && now - lastLine < 2000 && p.done < p.total) return;
      lastLine = now;
      const perSecond = rate(p.done - first, 0);
      const eta = perSecond > 0 ? Math.ceil((p.total - p.done) / perSecond) : null;
      stream.write(
        `rebuild ${p.phase}: ${p.done}/${p.total} events, ${Math.round(perSecond)} events/s, ETA ${eta === null ? "?" : `${eta}s`}\n`,
      );
    },
    stop() {},
  };
}
