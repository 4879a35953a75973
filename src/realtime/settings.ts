import type { Config } from "../config";
import type { RealtimeSettings } from "./context";

/** The real-time limits from the WS_* configuration. */
export function realtimeSettings(config: Config): RealtimeSettings {
  return {
    authTimeoutMs: config.WS_AUTH_TIMEOUT_MS,
    heartbeatMs: config.WS_HEARTBEAT_MS,
    maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
    maxFrameBytes: config.WS_MAX_FRAME_BYTES,
    maxSocketsPerIp: config.WS_MAX_SOCKETS_PER_IP,
    maxSocketsPerCredential: config.WS_MAX_SOCKETS_PER_CREDENTIAL,
    maxSubscriptionsPerSocket: config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
    framesPerSecond: config.WS_FRAMES_PER_SECOND,
    frameBurst: config.WS_FRAME_BURST,
    typingPerSecond: config.WS_TYPING_PER_SECOND,
  };
}
