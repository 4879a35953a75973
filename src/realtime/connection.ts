import type { WebSocket } from "ws";
import type { z } from "zod";
import { DEFAULT_LANGUAGE, fieldProblems, type Language, translate, translateEnglish } from "../i18n";
import type { RealtimeContext } from "./context";
import { credentialKey, type Endpoint, type SocketIdentity } from "./credentials";
import type { Peer } from "./hub";
import { createTokenBucket } from "./limits";
import {
  type AuthFrame,
  authFrame,
  type ClientFrame,
  clientFrame,
  closeCodes,
  frameLabel,
  type ParsedFrame,
  parseJsonFrame,
  type ServerFrame,
} from "./protocol";

/**
 * One socket from its first frame to its close: authenticates, then handles subscribe/unsubscribe/typing in
 * the order they arrive. Nothing a client sends can throw out of here: bad frames get an `error` frame.
 */
export function handleConnection(
  ctx: RealtimeContext,
  ws: WebSocket,
  endpoint: Endpoint,
  onClosed: () => void,
  /** From the handshake's Accept-Language: error frames are worded in it (Indonesian by default). */
  language: Language = DEFAULT_LANGUAGE,
) {
  const { settings, hub, metrics } = ctx;
  let identity: SocketIdentity | null = null;
  let counted: string | null = null;
  let closed = false;
  let alive = true;
  let backlogAllowance = 0;
  let expiryTimer: NodeJS.Timeout | null = null;
  /** An agent's auth frame, checked again with each heartbeat so a revoked key stops working within one. */
  let staffAuth: AuthFrame | null = null;
  let queue: Promise<void> = Promise.resolve();
  const subscribed = new Set<string>();
  const frames = createTokenBucket(settings.framesPerSecond, settings.frameBurst, Date.now);
  // Refused frames are forgiven at the same rate: only a client that keeps outrunning the limit is closed (4429).
  const refusals = createTokenBucket(settings.framesPerSecond, settings.frameBurst * 4, Date.now);
  // Typing signals past the relay rate are dropped without using the frame allowance, up to a flood of them.
  const typingDrops = createTokenBucket(settings.framesPerSecond, settings.frameBurst * 4, Date.now);
  const typingBuckets = new Map<string, ReturnType<typeof createTokenBucket>>();

  const peer: Peer = {
    side: endpoint,
    get agentId() {
      return identity?.kind === "agent" ? identity.id : null;
    },
    send,
  };

  /** A frame that failed validation, naming the field, in the socket's language. */
  function invalidFrame(error: z.ZodError): string {
    const [problem] = fieldProblems(error);
    if (problem === undefined) return translate(language, "ws_invalid_frame", { field: "-", message: "-" });
    const message = translate(language, problem.code, problem.params);
    return translate(language, "ws_invalid_frame", { field: problem.field, message });
  }

  function send(frame: ServerFrame, backlog = false) {
    if (closed || ws.readyState !== ws.OPEN) return;
    // Error texts are written in English here; the catalogue words them in the socket's language.
    const text = JSON.stringify(
      frame.type === "error" ? { ...frame, error: translateEnglish(language, frame.error) } : frame,
    );
    if (backlog) {
      backlogAllowance += Buffer.byteLength(text);
    } else {
      // What is still unsent of a backlog is allowed on top of the bound; anything else piling up is not.
      backlogAllowance = Math.min(backlogAllowance, ws.bufferedAmount);
      if (ws.bufferedAmount > settings.maxBufferedBytes + backlogAllowance) {
        // A client that does not read must not grow this process's memory: it reconnects and resumes instead.
        close(closeCodes.slowConsumer, "Send buffer full: read faster, then reconnect and resume");
        return;
      }
    }
    metrics.framesSent.inc({ endpoint, type: frame.type });
    ws.send(text);
  }

  function close(code: number, reason: string) {
    if (closed) return;
    closed = true;
    ws.close(code, reason);
    // A peer that never answers the close frame is cut off rather than held.
    setTimeout(() => ws.terminate(), 5000).unref();
  }

  const authTimer = setTimeout(
    () => close(closeCodes.authTimeout, "No auth frame in time"),
    settings.authTimeoutMs,
  );

  async function authenticate(raw: unknown) {
    const parsed = authFrame.safeParse(raw);
    if (!parsed.success) {
      send({ type: "error", code: 400, error: 'The first frame must be {"type":"auth", …credential}' });
      close(closeCodes.badCredential, "Authentication required");
      return;
    }
    const who = await ctx.verify(endpoint, parsed.data);
    if (who?.kind === "agent") staffAuth = parsed.data;
    clearTimeout(authTimer);
    if (closed) return;
    if (who === null) {
      close(closeCodes.badCredential, "Invalid credential");
      return;
    }
    const key = credentialKey(who);
    if (!ctx.perCredential.tryAdd(key)) {
      close(closeCodes.tooMany, "Too many sockets for this credential");
      return;
    }
    counted = key;
    identity = who;
    if (who.kind === "oss_user" && who.expiresAt !== null) {
      // Tokens live minutes; one valid longer than a timer can wait (~24.8 days) is closed then and reconnects.
      const ms = Math.min(Math.max(0, who.expiresAt - Date.now()), 2 ** 31 - 1);
      expiryTimer = setTimeout(() => close(closeCodes.badCredential, "Token expired"), ms);
    }
    if (endpoint === "agent") hub.addAgent(peer);
    send({ type: "ready" });
  }

  async function subscribe(frame: Extract<ClientFrame, { type: "subscribe" }>, who: SocketIdentity) {
    const sessionId = frame.session_id;
    if (!subscribed.has(sessionId) && subscribed.size >= settings.maxSubscriptionsPerSocket) {
      send({
        type: "error",
        code: 429,
        error: "Too many subscriptions on this socket",
        session_id: sessionId,
        frame_type: "subscribe",
      });
      return;
    }
    // Live first, then the stream: a message committed in between is held by the subscription, never lost.
    hub.beginSubscription(peer, sessionId, frame.after_seq);
    subscribed.add(sessionId);
    const view = await ctx.readSession(sessionId, frame.after_seq);
    if (closed) return;
    if (!(await ctx.mayWatch(who, sessionId, view))) {
      hub.unsubscribe(peer, sessionId);
      subscribed.delete(sessionId);
      send({ type: "error", code: 404, error: "Chat session not found", session_id: sessionId });
      return;
    }
    if (frame.after_seq > view.lastSeq) {
      // Accepting it would silently drop the messages up to after_seq once they come: the client says what it has.
      hub.unsubscribe(peer, sessionId);
      subscribed.delete(sessionId);
      send({
        type: "error",
        code: 409,
        error_code: "after_seq_ahead",
        error:
          "after_seq is past the session's last message (last_seq): subscribe again with after_seq at most last_seq",
        session_id: sessionId,
        last_seq: view.lastSeq,
      });
      return;
    }
    const backlog = view.messages.filter((m) => m.seq > frame.after_seq);
    const lastSeq = hub.completeSubscription(peer, sessionId, backlog, {
      topic: view.topic,
      priority: view.priority,
      agent: view.assignedAgent,
    });
    if (lastSeq === null) return;
    send({
      type: "subscribed",
      session_id: sessionId,
      last_seq: lastSeq,
      status: view.status === "none" ? "waiting" : view.status,
      assigned_agent: view.assignedAgent,
      visitor_read_seq: view.visitorReadSeq,
      agent_read_seq: view.agentReadSeq,
    });
  }

  /** The relay allowance of one subscribed session's typing signals. */
  function typingBucket(sessionId: string) {
    let bucket = typingBuckets.get(sessionId);
    if (!bucket) {
      bucket = createTokenBucket(settings.typingPerSecond, 1, Date.now);
      typingBuckets.set(sessionId, bucket);
    }
    return bucket;
  }

  /** A typing frame that waited behind a subscribe (typing on a live subscription is handled on arrival). */
  function typing(sessionId: string) {
    if (!hub.isSubscribed(peer, sessionId)) {
      send({ type: "error", code: 404, error: "Subscribe to the session first", session_id: sessionId });
      return;
    }
    // Extra typing signals are dropped quietly: the other side already shows "typing…".
    if (typingBucket(sessionId).take()) ctx.relayTyping(sessionId, endpoint);
  }

  /** The session of a well-formed typing frame on a live subscription of this socket, else null. */
  function liveTyping(frame: unknown): string | null {
    if (identity === null || (frame as { type?: unknown } | null)?.type !== "typing") return null;
    const parsed = clientFrame.safeParse(frame);
    if (!parsed.success || parsed.data.type !== "typing") return null;
    return hub.isSubscribed(peer, parsed.data.session_id) ? parsed.data.session_id : null;
  }

  /** Takes one frame of the allowance; a refused frame is answered 429 naming it, or closes a flood (4429). */
  function allowFrame(frame: ParsedFrame): boolean {
    if (frames.take()) return true;
    if (!refusals.take()) {
      close(closeCodes.tooMany, "Too many frames");
      return false;
    }
    send({
      type: "error",
      code: 429,
      error: "Too many frames: slow down",
      ...(frame.ok ? frameLabel(frame.frame) : {}),
    });
    return false;
  }

  async function handle(raw: unknown) {
    if (identity === null) {
      await authenticate(raw);
      return;
    }
    const parsed = clientFrame.safeParse(raw);
    if (!parsed.success) {
      send({ type: "error", code: 400, error: invalidFrame(parsed.error) });
      return;
    }
    const frame = parsed.data;
    switch (frame.type) {
      case "subscribe":
        await subscribe(frame, identity);
        return;
      case "unsubscribe":
        hub.unsubscribe(peer, frame.session_id);
        subscribed.delete(frame.session_id);
        typingBuckets.delete(frame.session_id);
        send({ type: "unsubscribed", session_id: frame.session_id });
        return;
      case "typing":
        typing(frame.session_id);
        return;
      default: {
        const unhandled: never = frame;
        throw new Error(`unhandled frame ${JSON.stringify(unhandled)}`);
      }
    }
  }

  ws.on("message", (data, isBinary) => {
    if (closed) return;
    metrics.framesReceived.inc({ endpoint });
    const parsed = parseJsonFrame(data, isBinary);
    const typingSession = parsed.ok ? liveTyping(parsed.frame) : null;
    if (typingSession !== null) {
      // On a live subscription typing needs no queue: relayed at once, or dropped past the relay rate without
      // using the frame allowance (a client may send one per keystroke) unless they come as a flood.
      if (typingBucket(typingSession).take()) {
        if (allowFrame(parsed)) ctx.relayTyping(typingSession, endpoint);
      } else if (!typingDrops.take()) {
        allowFrame(parsed);
      }
      return;
    }
    if (!allowFrame(parsed)) return;
    if (!parsed.ok) {
      send({ type: "error", code: 400, error: parsed.error });
      if (identity === null) close(closeCodes.badCredential, "Authentication required");
      return;
    }
    queue = queue
      .then(() => handle(parsed.frame))
      .catch((err) => {
        ctx.logger.error({ err }, "real-time frame failed");
        send({ type: "error", code: 500, error: "The frame could not be handled; try again" });
        if (identity === null) close(closeCodes.internalError, "Authentication could not be checked");
      });
  });
  ws.on("pong", () => {
    alive = true;
  });
  ws.on("error", (err) => ctx.logger.debug({ err }, "socket error"));
  ws.on("close", () => {
    closed = true;
    clearTimeout(authTimer);
    if (expiryTimer) clearTimeout(expiryTimer);
    hub.remove(peer, subscribed);
    if (counted !== null) ctx.perCredential.release(counted);
    onClosed();
  });

  return {
    /** One heartbeat: a socket that did not answer the last ping is dropped. */
    heartbeat() {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
      if (staffAuth !== null) {
        ctx.verify(endpoint, staffAuth).then(
          (who) => {
            if (who === null) close(closeCodes.badCredential, "Staff key revoked");
          },
          (err) => ctx.logger.warn({ err }, "staff key re-check failed; kept until the next heartbeat"),
        );
      }
    },
    /** Graceful shutdown: clients reconnect elsewhere and resume. */
    goAway() {
      close(closeCodes.goingAway, "Server shutting down");
    },
  };
}

export type Connection = ReturnType<typeof handleConnection>;
