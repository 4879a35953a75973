// A WebSocket that authenticates with its first frame, keeps its sessions subscribed, and after any drop
// reconnects (backing off) and subscribes again with the last seq it saw: the server sends exactly what was missed.
import { type AuthFrame, BAD_CREDENTIAL, type ClientFrame, type ServerFrame } from "./frames";

export type ConnectionState = "connecting" | "online" | "offline";

export interface LiveSocketOptions {
  /** ws:// or wss:// URL of /api/oss-chat/ws (or /api/agent/ws). */
  readonly url: string;
  /** The first frame, read at each (re)connect: the credential may change (identify). */
  readonly auth: () => AuthFrame;
  readonly onFrame: (frame: ServerFrame) => void;
  readonly onState?: (state: ConnectionState) => void;
  /** The server refused the credential (close 4401); it is not retried until reconnect() is called. */
  readonly onAuthRefused?: () => void;
  readonly WebSocket?: typeof WebSocket;
}

export function createLiveSocket(options: LiveSocketOptions) {
  const Socket = options.WebSocket ?? WebSocket;
  const lastSeq = new Map<string, number>();
  let ws: WebSocket | null = null;
  let state: ConnectionState = "offline";
  let attempt = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function setState(next: ConnectionState) {
    if (next === state) return;
    state = next;
    options.onState?.(next);
  }

  function send(frame: ClientFrame): boolean {
    if (ws === null || ws.readyState !== Socket.OPEN || state !== "online") return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function connect() {
    clearTimeout(timer);
    if (stopped) return;
    if (typeof navigator !== "undefined" && navigator.onLine === false) {
      setState("offline");
      return; // the window's "online" event brings it back
    }
    setState("connecting");
    const socket = new Socket(options.url);
    ws = socket;
    socket.onopen = () => socket.send(JSON.stringify(options.auth()));
    socket.onmessage = (event) => {
      if (socket !== ws) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === "ready") {
        attempt = 0;
        setState("online");
        for (const [sessionId, seq] of lastSeq)
          send({ type: "subscribe", session_id: sessionId, after_seq: seq });
      } else if (frame.type === "error" && frame.error_code === "after_seq_ahead" && frame.session_id) {
        // Subscribed past the session's end (a seq kept from elsewhere): resume from its real last seq.
        if (lastSeq.has(frame.session_id) && typeof frame.last_seq === "number") {
          lastSeq.set(frame.session_id, frame.last_seq);
          send({ type: "subscribe", session_id: frame.session_id, after_seq: frame.last_seq });
        }
      } else if (frame.type === "message") {
        if (!lastSeq.has(frame.session_id)) return; // no longer watched
        const seen = lastSeq.get(frame.session_id) ?? 0;
        if (frame.message.seq <= seen) return; // never twice
        lastSeq.set(frame.session_id, frame.message.seq);
      }
      options.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (socket !== ws) return;
      ws = null;
      setState("offline");
      if (stopped) return;
      if (event.code === BAD_CREDENTIAL) {
        options.onAuthRefused?.();
        return;
      }
      attempt += 1;
      const delay = Math.min(5000, 250 * 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() * 0.5);
      timer = setTimeout(connect, delay);
    };
  }

  const onOnline = () => reconnect();
  const onOffline = () => {
    // The browser knows the network is gone: say so now rather than when a ping times out.
    const socket = ws;
    ws = null;
    socket?.close();
    clearTimeout(timer);
    setState("offline");
  };
  if (typeof window !== "undefined") {
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
  }

  function reconnect() {
    const socket = ws;
    ws = null;
    socket?.close();
    attempt = 0;
    connect();
  }

  connect();
  return {
    get state() {
      return state;
    },
    /** Watches a session from after `afterSeq` (default: what this socket saw last, else 0). */
    watch(sessionId: string, afterSeq?: number) {
      const seq = afterSeq ?? lastSeq.get(sessionId) ?? 0;
      lastSeq.set(sessionId, seq);
      send({ type: "subscribe", session_id: sessionId, after_seq: seq });
    },
    unwatch(sessionId: string) {
      if (lastSeq.delete(sessionId)) send({ type: "unsubscribe", session_id: sessionId });
    },
    /** The last seq delivered for a session. */
    lastSeq(sessionId: string): number {
      return lastSeq.get(sessionId) ?? 0;
    },
    typing(sessionId: string) {
      send({ type: "typing", session_id: sessionId });
    },
    /** Closes and opens again now (new credential, or back online). */
    reconnect,
    /** Cuts the connection as a network drop would; it reconnects by itself (debug). */
    drop() {
      ws?.close(4000, "dropped by the page");
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      if (typeof window !== "undefined") {
        window.removeEventListener("online", onOnline);
        window.removeEventListener("offline", onOffline);
      }
      ws?.close(1000);
      ws = null;
    },
  };
}

export type LiveSocket = ReturnType<typeof createLiveSocket>;
