import type { Logger } from "pino";
import type { RecordedEvent } from "../events/recorded";
import type { CommittedReads } from "../eventstore/eventStore";
import type { LogFollower } from "./follower";
import type { LoggedEvent } from "./notices";

const BATCH = 1000;
/** Positions checked for gaps at start: appends in flight while the process started. */
const START_WINDOW = 1000;
const MAX_GAPS = 10_000;

/**
 * The real-time follower on a store with committed reads (the Postgres adapter's, `CommittedReads`). The projector's reader waits until no older transaction
 * is in flight anywhere on the server (to never skip an event for good), which on a busy shared server can
 * hold a fresh commit back for hundreds of milliseconds. Sockets need speed, and their subscriptions already
 * repair order and gaps per session (seq, re-read of the stream), so this reader takes every committed event
 * at once and remembers the positions it passed that were not committed yet; it looks for those again until
 * they appear or `gapTimeoutMs` passes (an aborted append leaves a position that never fills).
 */
export async function startPostgresFollower(options: {
  log: CommittedReads;
  logger: Logger;
  onEvents: (events: readonly LoggedEvent[]) => void;
  /** Turns events as stored into events as the domain reads them (e.g. opens sealed fields); default: as is. */
  open?: (events: readonly RecordedEvent[]) => Promise<readonly RecordedEvent[]>;
  pollIntervalMs?: number;
  gapTimeoutMs?: number;
}): Promise<LogFollower> {
  const { log, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const gapTimeoutMs = options.gapTimeoutMs ?? 60_000;
  const gaps = new Map<bigint, number>(); // position -> when it was first missed
  let stopped = false;
  let announced = false;
  let wake: (() => void) | null = null;

  let maxSeen = await log.headPosition();
  const present = new Set(await log.positionsAfter(maxSeen - BigInt(START_WINDOW)));
  for (let p = maxSeen - BigInt(START_WINDOW) + 1n; p <= maxSeen; p++) {
    if (p > 0n && !present.has(p)) gaps.set(p, Date.now());
  }

  const stopListening = await log.listen(
    () => {
      announced = true;
      wake?.();
    },
    (err) => logger.warn({ err }, "real-time follower's LISTEN connection failed; polling"),
  );

  async function readOnce(): Promise<number> {
    // One statement, one snapshot: if a later event of a stream is visible, so are its earlier ones.
    const { positions, events } = await log.readCommitted(maxSeen, [...gaps.keys()], BATCH, (position, err) =>
      logger.warn({ err, position: String(position) }, "real-time follower skipped an unreadable event"),
    );
    // Worked out on copies, kept only once the batch is delivered: a batch that fails to open (say the key
    // table is unreachable for a moment) is read again, never skipped.
    const nextGaps = new Map(gaps);
    let nextMaxSeen = maxSeen;
    for (const position of positions) {
      if (nextGaps.delete(position) === false && position > nextMaxSeen) {
        for (let p = nextMaxSeen + 1n; p < position && nextGaps.size < MAX_GAPS; p++)
          nextGaps.set(p, Date.now());
        nextMaxSeen = position;
      }
    }
    const expired = Date.now() - gapTimeoutMs;
    for (const [p, since] of nextGaps) if (since < expired) nextGaps.delete(p);
    const opened = events.length > 0 && options.open ? await options.open(events) : events;
    maxSeen = nextMaxSeen;
    gaps.clear();
    for (const [p, since] of nextGaps) gaps.set(p, since);
    if (opened.length > 0) options.onEvents(opened);
    return positions.length;
  }

  const done = (async () => {
    let gapBackoffMs = 5;
    while (!stopped) {
      announced = false;
      let read = 0;
      try {
        read = await readOnce();
      } catch (err) {
        if (stopped) break;
        logger.error({ err }, "real-time follower read failed; retrying");
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (read === BATCH || announced) continue;
      // Positions passed but not committed yet are looked for again soon, backing off.
      gapBackoffMs = gaps.size > 0 ? Math.min(gapBackoffMs * 2, 100) : 5;
      const waitMs = gaps.size > 0 ? gapBackoffMs : pollIntervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await done;
      await stopListening();
    },
  };
}
