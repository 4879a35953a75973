import type { Server } from "node:http";
import type { Knex } from "knex";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { IdentityVerifier } from "../auth/identityTokens";
import type { EventStore } from "../eventstore/eventStore";
import { createRealtimeMetrics } from "../ops/metrics";
import type { TrustProxy } from "./clientIp";
import type { RealtimeContext, RealtimeSettings } from "./context";
import { verifyCredential } from "./credentials";
import type { LogFollower } from "./follower";
import { createHub } from "./hub";
import { createCounter } from "./limits";
import { type LoggedEvent, noticeOf } from "./notices";
import { attachRealtime } from "./server";
import { createSessionReader, mayWatch } from "./sessionAccess";
import { startTypingRelay } from "./typingRelay";

export interface RealtimeOptions {
  readonly server: Server;
  readonly store: EventStore;
  readonly knex: Knex;
  /** The Postgres the typing relay's NOTIFY goes through (every instance shares it). */
  readonly connectionString: string;
  readonly identity: IdentityVerifier | null;
  readonly corsOrigins: readonly string[] | "*";
  readonly trustProxy: TrustProxy;
  readonly settings: RealtimeSettings;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Starts this process's one log follower, handing it where to deliver events. */
  readonly follow: (onEvents: (events: readonly LoggedEvent[]) => void) => Promise<LogFollower>;
}

/** WebSocket delivery on the API's server: sockets, subscriptions, the log follower and the typing relay. */
export async function startRealtime(options: RealtimeOptions) {
  const logger = options.logger.child({ component: "realtime" });
  const metrics = createRealtimeMetrics(options.registry);
  // Subscriptions and their gap re-reads read a session from where they need it, not its whole stream.
  const readSession = createSessionReader(options.store);
  const hub = createHub(
    async (sessionId, afterSeq) => (await readSession(sessionId, afterSeq)).messages,
    (err) => logger.error({ err }, "backlog re-read failed"),
  );
  const typing = await startTypingRelay({
    connectionString: options.connectionString,
    logger,
    onTyping: (sessionId, author) => hub.typing(sessionId, author),
  });
  const ctx: RealtimeContext = {
    settings: options.settings,
    hub,
    metrics,
    logger,
    perCredential: createCounter(options.settings.maxSocketsPerCredential),
    verify: (endpoint, frame) =>
      verifyCredential({ knex: options.knex, identity: options.identity }, endpoint, frame),
    readSession,
    mayWatch: (identity, sessionId, view) => mayWatch(options.store, identity, sessionId, view),
    relayTyping: (sessionId, author) => typing.publish(sessionId, author),
  };
  const follower = await options.follow((events) => {
    for (const event of events) {
      const notice = noticeOf(event);
      if (notice !== null) hub.dispatch(notice);
    }
  });
  const sockets = attachRealtime(options.server, ctx, {
    corsOrigins: options.corsOrigins,
    openSockets: metrics.openSockets,
    trustProxy: options.trustProxy,
  });
  return {
    openConnections: sockets.openConnections,
    /** Closes the sockets first (1001), then the follower and the relay. */
    async stop() {
      await sockets.stop();
      await follower.stop();
      await typing.stop();
    },
  };
}

export type Realtime = Awaited<ReturnType<typeof startRealtime>>;
