import type { MessageView } from "./protocol";

/**
 * Orders one subscription's messages so each seq is sent once, in order: live messages that arrive while the
 * backlog is read are held, then sent after it, and anything at or below the last sent seq is dropped. A live
 * message past a gap is held and asks for a re-read of the stream rather than being sent out of order.
 */
export interface Sequencer {
  /** The highest seq sent (or the subscriber's after_seq). */
  readonly lastSeq: number;
  /** True while the backlog is being read: live messages are held until it arrives. */
  readonly loading: boolean;
  /** A live message: what to send now, and whether the stream must be re-read to fill a gap. */
  live(message: MessageView): { send: MessageView[]; refill: boolean };
  /** The stream's messages as read after the live subscription began: what to send now, in order. */
  backlog(messages: readonly MessageView[]): { send: MessageView[]; refill: boolean };
}

/** A held message is dropped past this many: the stream re-read covers them anyway. */
const MAX_HELD = 1000;

export function createSequencer(afterSeq: number): Sequencer {
  let lastSeq = afterSeq;
  let loading = true;
  const held = new Map<number, MessageView>();

  function drain(): { send: MessageView[]; refill: boolean } {
    const send: MessageView[] = [];
    for (let next = held.get(lastSeq + 1); next !== undefined; next = held.get(lastSeq + 1)) {
      held.delete(next.seq);
      send.push(next);
      lastSeq = next.seq;
    }
    for (const seq of held.keys()) if (seq <= lastSeq) held.delete(seq);
    const refill = held.size > 0;
    if (refill) loading = true;
    return { send, refill };
  }

  return {
    get lastSeq() {
      return lastSeq;
    },
    get loading() {
      return loading;
    },
    live(message) {
      if (message.seq <= lastSeq) return { send: [], refill: false };
      if (held.size < MAX_HELD) held.set(message.seq, message);
      if (loading) return { send: [], refill: false };
      return drain();
    },
    backlog(messages) {
      // The stream read is the truth up to its moment: send all of it past lastSeq, in seq order.
      const send: MessageView[] = [];
      for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
        if (m.seq <= lastSeq) continue;
        send.push(m);
        lastSeq = m.seq;
      }
      loading = false;
      const rest = drain();
      return { send: [...send, ...rest.send], refill: rest.refill };
    },
  };
}
