import type { EventLog, LogPosition, RecordedEvent } from "../eventstore/eventStore";
import { eventHash, storedHash } from "../eventstore/hashChain";
import { scanLog, storedOf } from "./auditLog";
import { type CheckpointToVerify, headsHash, type LogCheckpoint, type StreamHead } from "./logCheckpoints";

export interface BrokenLink {
  readonly stream_id: string;
  readonly stream_revision: number;
  readonly event_id: string | null;
  readonly global_position: number | null;
  readonly reason: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly streams: number;
  readonly events: number;
  /** Events written before the log was chained: no hash, at the start of their stream. */
  readonly unchained: number;
  /** The first broken link of each broken stream, in log order (at most `maxBroken`). */
  readonly broken: BrokenLink[];
  /** The log-head checkpoint the log was checked against, or null when none has been taken. */
  readonly checkpoint: LogCheckpoint | null;
}

interface StreamState {
  revision: bigint;
  hash: string | null;
  sealed: boolean;
  bad: boolean;
}

/** Checks events stream by stream as they come, in each stream's order; `heads()` gives where each chain ends. */
export function createChainChecker(maxBroken = 100) {
  const streams = new Map<string, StreamState>();
  const broken: BrokenLink[] = [];
  let events = 0;
  let unchained = 0;
  return {
    check(e: RecordedEvent): void {
      events++;
      let current = streams.get(e.streamId);
      if (!current) {
        current = { revision: -1n, hash: null, sealed: false, bad: false };
        streams.set(e.streamId, current);
      }
      const hash = storedHash(e.metadata);
      let problem: string | null = null;
      if (e.revision !== current.revision + 1n)
        problem = `revision ${e.revision} follows ${current.revision}`;
      else if (hash === null) {
        if (current.sealed) problem = "hash missing after chained events";
        else unchained++;
      } else {
        const previous = (e.metadata.previous_hash as string | null | undefined) ?? null;
        if (previous !== current.hash) problem = "previous_hash does not match the previous event's hash";
        else {
          const recomputed = eventHash(
            {
              streamId: e.streamId,
              revision: e.revision,
              eventId: e.id,
              type: e.type,
              schemaVersion: e.storedVersion,
              data: storedOf(e).data,
              metadata: e.metadata as unknown as Record<string, unknown>,
            },
            previous,
          );
          if (recomputed !== hash) problem = "stored event does not match its hash (altered)";
        }
      }
      if (problem !== null && !current.bad) {
        current.bad = true;
        if (broken.length < maxBroken)
          broken.push({
            stream_id: e.streamId,
            stream_revision: Number(e.revision),
            event_id: e.id,
            global_position: Number(e.position),
            reason: problem,
          });
      }
      current.revision = e.revision;
      current.hash = hash;
      current.sealed ||= hash !== null;
    },
    /** Adds a break found outside the chains (a checkpoint the log no longer matches). */
    fail(link: BrokenLink): void {
      const current = streams.get(link.stream_id);
      if (current?.bad) return;
      if (current) current.bad = true;
      if (broken.length < maxBroken) broken.push(link);
    },
    heads(): ReadonlyMap<string, StreamHead> {
      return streams;
    },
    report(checkpoint: LogCheckpoint | null = null): VerifyReport {
      return { ok: broken.length === 0, streams: streams.size, events, unchained, broken, checkpoint };
    },
  };
}

export type ChainChecker = ReturnType<typeof createChainChecker>;

/**
 * Recomputes the hash chain of one stream, or of every stream, from the events as the store recorded them,
 * read through the event-store port (so it checks EventStoreDB as it checks Postgres). A stream's first broken
 * link is reported: the first event whose stored hash, link to the previous hash, or revision does not hold.
 * The whole log is read once, in pages; memory grows with the number of streams (one small head each).
 * Give it the log as stored (`Database.sealedLog`): the hashes cover the sealed personal fields, which the
 * encrypting store would hand over opened.
 */
export async function verifyChains(
  log: EventLog,
  options: { streamId?: string; maxBroken?: number; checkpoint?: CheckpointToVerify | null } = {},
): Promise<VerifyReport> {
  const checker = createChainChecker(options.maxBroken);
  const cp = options.checkpoint ?? null;
  // Each stream's head as of the checkpoint's position: what the checkpoint must have recorded.
  const headsAtCheckpoint = new Map<string, StreamHead>();
  const visit = (e: RecordedEvent) => {
    checker.check(e);
    if (cp && !isAfter(e.logPosition, cp.position))
      headsAtCheckpoint.set(e.streamId, { revision: e.revision, hash: storedHash(e.metadata) });
  };
  if (options.streamId !== undefined) {
    for (const e of await log.readStream(options.streamId)) visit(e);
  } else {
    for await (const chunk of scanLog(log)) for (const e of chunk) visit(e);
  }
  if (cp) {
    for (const link of checkpointBreaks(cp, headsAtCheckpoint, options.streamId)) checker.fail(link);
  }
  return checker.report(cp?.checkpoint ?? null);
}

const isAfter = (p: LogPosition, q: LogPosition) =>
  p.commit > q.commit || (p.commit === q.commit && p.prepare > q.prepare);

/**
 * Where the log no longer matches the checkpoint: a stream whose newest events are gone (or whose head was
 * altered), a stream deleted or inserted below the checkpoint's position, and recorded heads that do not match
 * the checkpoint's own hash. `only`: check one stream.
 */
export function checkpointBreaks(
  cp: CheckpointToVerify,
  logHeads: ReadonlyMap<string, StreamHead>,
  only?: string,
): BrokenLink[] {
  const id = cp.checkpoint.id;
  const breaks: BrokenLink[] = [];
  const at = (stream_id: string, revision: bigint, reason: string): BrokenLink => ({
    stream_id,
    stream_revision: Number(revision),
    event_id: null,
    global_position: null,
    reason,
  });
  for (const [stream, recorded] of cp.heads) {
    if (only !== undefined && stream !== only) continue;
    const head = logHeads.get(stream);
    if (!head)
      breaks.push(
        at(
          stream,
          recorded.revision,
          `checkpoint ${id} recorded revision ${recorded.revision} as this stream's head; the log has no such stream`,
        ),
      );
    else if (head.revision < recorded.revision)
      breaks.push(
        at(
          stream,
          recorded.revision,
          `newest events missing: checkpoint ${id} recorded revision ${recorded.revision} as this stream's head, the log ends at revision ${head.revision}`,
        ),
      );
    else if (head.revision > recorded.revision)
      breaks.push(
        at(
          stream,
          head.revision,
          `revision ${head.revision} lies below checkpoint ${id}'s position but was not in it (written afterwards)`,
        ),
      );
    else if (head.hash !== recorded.hash)
      breaks.push(at(stream, head.revision, `head event differs from the one checkpoint ${id} recorded`));
  }
  for (const [stream, head] of logHeads) {
    if (only !== undefined && stream !== only) continue;
    if (!cp.heads.has(stream))
      breaks.push(
        at(
          stream,
          head.revision,
          `stream lies below checkpoint ${id}'s position but was not in it (written afterwards)`,
        ),
      );
  }
  if (only === undefined && headsHash(cp.heads) !== cp.checkpoint.heads_hash)
    breaks.push(
      at("(checkpoint)", 0n, `the heads recorded for checkpoint ${id} do not match its heads_hash`),
    );
  return breaks;
}
