import type { Logger } from "pino";
import type { Counter } from "prom-client";
import type { Endpoint, SocketIdentity } from "./credentials";
import type { Hub, Side } from "./hub";
import type { createCounter } from "./limits";
import type { SessionView } from "./notices";
import type { AuthFrame } from "./protocol";

/** Limits of the real-time endpoints (config: the WS_* variables). */
export interface RealtimeSettings {
  readonly authTimeoutMs: number;
  readonly heartbeatMs: number;
  /** A socket whose unsent bytes pass this is closed (1013) rather than buffered without bound. */
  readonly maxBufferedBytes: number;
  readonly maxFrameBytes: number;
  readonly maxSocketsPerIp: number;
  readonly maxSocketsPerCredential: number;
  readonly maxSubscriptionsPerSocket: number;
  readonly framesPerSecond: number;
  readonly frameBurst: number;
  readonly typingPerSecond: number;
}

export interface RealtimeMetrics {
  readonly framesSent: Counter<"endpoint" | "type">;
  readonly framesReceived: Counter<"endpoint">;
}

/** What every connection of a process shares. */
export interface RealtimeContext {
  readonly settings: RealtimeSettings;
  readonly hub: Hub;
  readonly metrics: RealtimeMetrics;
  readonly logger: Logger;
  readonly perCredential: ReturnType<typeof createCounter>;
  verify(endpoint: Endpoint, frame: AuthFrame): Promise<SocketIdentity | null>;
  /** The session's state and its messages after `afterSeq`, from its stream. */
  readSession(sessionId: string, afterSeq: number): Promise<SessionView>;
  mayWatch(identity: SocketIdentity, sessionId: string, view: SessionView): Promise<boolean>;
  relayTyping(sessionId: string, author: Side): void;
}
