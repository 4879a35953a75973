// HTTP calls with the agent's staff key, and the agent socket with reconnect (README: "Real time").
import type { Lang } from "./i18n";
import type { ServerFrame } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  get<R>(path: string): Promise<R>;
  send<R>(method: "POST" | "PUT", path: string, body?: unknown): Promise<R>;
}

/** Calls the API as the agent; errors come back in the console's language (Accept-Language). */
export function createApi(key: string, lang: () => Lang): Api {
  async function call<R>(method: string, path: string, body?: unknown): Promise<R> {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: {
          Authorization: `Bearer ${key}`,
          "Accept-Language": lang(),
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "network", "");
    }
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      const err = (data ?? {}) as { error?: string; code?: string };
      throw new ApiError(res.status, err.code ?? null, err.error ?? res.statusText);
    }
    return data as R;
  }
  return {
    get: (path) => call("GET", path),
    send: (method, path, body) => call(method, path, body ?? {}),
  };
}

export type SocketState = "connecting" | "online" | "offline";

export interface AgentSocket {
  /** False when the socket is not open (the frame is dropped; a reconnect subscribes again). */
  send(frame: object): boolean;
  close(): void;
}

/**
 * The agent socket: authenticates with the key in the first frame, reconnects with backoff after any close
 * except 4401 (a bad key: `onRejected`, and it stops).
 */
export function connectAgentSocket(
  key: string,
  handlers: {
    onState(state: SocketState): void;
    onReady(): void;
    onFrame(frame: ServerFrame): void;
    onRejected(): void;
  },
): AgentSocket {
  let ws: WebSocket | null = null;
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function open() {
    if (stopped) return;
    handlers.onState("connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/agent/ws`);
    ws = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "auth", staff_key: key }));
    socket.onmessage = (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === "ready") {
        attempt = 0;
        handlers.onState("online");
        handlers.onReady();
        return;
      }
      handlers.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (ws !== socket || stopped) return;
      ws = null;
      if (event.code === 4401) {
        stopped = true;
        handlers.onRejected();
        return;
      }
      handlers.onState("offline");
      const base = event.code === 4429 ? 10_000 : 500;
      const delay = Math.min(30_000, base * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt += 1;
      timer = setTimeout(open, delay);
    };
  }
  open();
  return {
    send(frame) {
      if (ws?.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      ws?.close(1000);
      ws = null;
    },
  };
}
