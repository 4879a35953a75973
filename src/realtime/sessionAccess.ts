import { ownsSession } from "../commands/sessionAccess";
import { streams } from "../domain/streams";
import type { EventLog, EventStore } from "../eventstore/eventStore";
import type { SocketIdentity } from "./credentials";
import { evolveSessionHead, noSession, noticeOf, type SessionHead, type SessionView } from "./notices";
import type { MessageView } from "./protocol";

/** A session's state and its messages after a seq, read from its own stream: the truth at the moment of reading. */
export type SessionReader = (sessionId: string, afterSeq: number) => Promise<SessionView>;

/** What the reader keeps of a session between reads: where things are in its stream, never a message body. */
interface Known {
  readonly head: SessionHead;
  /** The revision after the last event folded into `head`. */
  readonly nextRevision: bigint;
  /** Each message's seq and the revision of its event, ascending. */
  readonly seqs: readonly number[];
  readonly revisions: readonly bigint[];
}

/** Sessions the reader keeps; the least recently read forgotten first (a few dozen bytes a message each). */
const MAX_KNOWN = 20_000;

/** The revision of the first message after `afterSeq`, or the end of what is known when there is none. */
function revisionAfter(known: Known, afterSeq: number): bigint {
  let lo = 0;
  let hi = known.seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((known.seqs[mid] as number) <= afterSeq) lo = mid + 1;
    else hi = mid;
  }
  return known.revisions[lo] ?? known.nextRevision;
}

/**
 * Reads sessions for subscriptions and their re-reads. The first read of a session reads its stream; later ones
 * (a client resuming, a gap refilled) read only from the first message they need, or from the end of what was
 * read before, whichever comes first. Kept in between: the session's state and where each seq sits in its
 * stream, never a message body, so an erased subject's messages are read as the store answers now.
 */
export function createSessionReader(store: EventLog, maxKnown = MAX_KNOWN): SessionReader {
  const known = new Map<string, Known>();
  return async (sessionId, afterSeq) => {
    const before = known.get(sessionId);
    const from = before === undefined ? 0n : revisionAfter(before, afterSeq);
    const events = await store.readStream(streams.chatSession(sessionId), from);
    let head = before?.head ?? noSession;
    let nextRevision = before?.nextRevision ?? 0n;
    const seqs = [...(before?.seqs ?? [])];
    const revisions = [...(before?.revisions ?? [])];
    const messages: MessageView[] = [];
    for (const event of events) {
      const notice = noticeOf(event);
      if (notice?.kind === "message" && notice.message.seq > afterSeq) messages.push(notice.message);
      if (event.revision < nextRevision) continue; // folded by an earlier read
      head = evolveSessionHead(head, event, notice);
      if (notice?.kind === "message") {
        seqs.push(notice.message.seq);
        revisions.push(event.revision);
      }
      nextRevision = event.revision + 1n;
    }
    // Unknown sessions are not kept: random ids must not fill the memory.
    if (head.status !== "none") {
      const now = known.get(sessionId);
      known.delete(sessionId);
      // A read that finished later may have known less than one that finished meanwhile.
      known.set(
        sessionId,
        now !== undefined && now.nextRevision > nextRevision ? now : { head, nextRevision, seqs, revisions },
      );
      if (known.size > maxKnown) {
        const oldest = known.keys().next();
        if (!oldest.done) known.delete(oldest.value);
      }
    }
    return { ...head, messages };
  };
}

/**
 * Whether a socket may watch a session: agents any session that exists (as over HTTP), visitors the sessions
 * they own — checked in the event store like `contact`, so a session started a moment ago counts.
 */
export async function mayWatch(
  store: EventStore,
  identity: SocketIdentity,
  sessionId: string,
  view: SessionView,
): Promise<boolean> {
  if (view.status === "none" || view.chatUserId === null) return false;
  const deps = { store, newId: () => "" };
  const session = { sessionId, chatUserId: view.chatUserId };
  switch (identity.kind) {
    case "agent":
      return true;
    case "browser":
      return ownsSession(deps, session, {
        anySession: false,
        browserUuid: identity.browserUuid,
        ossUserId: null,
      });
    case "oss_user":
      return ownsSession(deps, session, {
        anySession: false,
        browserUuid: null,
        ossUserId: identity.ossUserId,
      });
    default: {
      const unhandled: never = identity;
      throw new Error(`unhandled identity ${JSON.stringify(unhandled)}`);
    }
  }
}
