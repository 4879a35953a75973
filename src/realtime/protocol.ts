import { z } from "zod";

/** Close codes of the real-time endpoints (README, "Real time"): clients reconnect and resume on all but 4401. */
export const closeCodes = {
  /** The server is shutting down: reconnect (to another instance) and resume. */
  goingAway: 1001,
  /** A text frame that is not valid UTF-8 (sent by the ws library itself). */
  invalidUtf8: 1007,
  /** A frame over the size limit (sent by the ws library itself). */
  tooBig: 1009,
  /** The send buffer passed its bound: the client reads too slowly; reconnect and resume. */
  slowConsumer: 1013,
  /** The server could not check the credential (e.g. its database is unreachable): try again later. */
  internalError: 1011,
  /** The auth frame's credential proves nothing (unknown, expired, forged, revoked, wrong role). */
  badCredential: 4401,
  /** No auth frame within the auth timeout. */
  authTimeout: 4408,
  /** Too many sockets for this credential, or refused frames piling up faster than the rate limit forgives. */
  tooMany: 4429,
} as const;

const uuid = z.uuid();

/** The first frame: exactly one credential. */
export const authFrame = z.union([
  z.strictObject({ type: z.literal("auth"), browser_uuid: uuid }),
  z.strictObject({ type: z.literal("auth"), token: z.string().min(1).max(8192) }),
  z.strictObject({ type: z.literal("auth"), staff_key: z.string().min(1).max(200) }),
]);
export type AuthFrame = z.infer<typeof authFrame>;

export const clientFrame = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("subscribe"),
    session_id: uuid,
    after_seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  }),
  z.strictObject({ type: z.literal("unsubscribe"), session_id: uuid }),
  z.strictObject({ type: z.literal("typing"), session_id: uuid }),
]);
export type ClientFrame = z.infer<typeof clientFrame>;

/** The client frame types, as a refused frame's `frame_type` names them. */
export type ClientFrameType = AuthFrame["type"] | ClientFrame["type"];
const clientFrameTypes: ReadonlySet<string> = new Set<ClientFrameType>([
  "auth",
  "subscribe",
  "unsubscribe",
  "typing",
]);

/** What a frame says it is, read loosely (for a 429 naming the frame it refused): its type and session. */
export function frameLabel(frame: unknown): { frame_type?: ClientFrameType; session_id?: string } {
  if (typeof frame !== "object" || frame === null) return {};
  const { type, session_id } = frame as { type?: unknown; session_id?: unknown };
  return {
    ...(typeof type === "string" && clientFrameTypes.has(type)
      ? { frame_type: type as ClientFrameType }
      : {}),
    ...(uuid.safeParse(session_id).success ? { session_id: session_id as string } : {}),
  };
}

/** "note": an agent's private note, sent to agent sockets only. */
export type AuthorKind = "visitor" | "agent" | "system" | "note";

export interface MessageView {
  readonly message_id: string;
  readonly seq: number;
  readonly author_kind: AuthorKind;
  readonly author_name: string | null;
  readonly body: string;
  readonly created_at: string;
}

export interface AgentRef {
  readonly id: string;
  readonly name: string;
}

export type ServerFrame =
  | { readonly type: "ready" }
  | {
      readonly type: "subscribed";
      readonly session_id: string;
      readonly last_seq: number;
      readonly status: "waiting" | "active" | "closed";
      readonly assigned_agent: AgentRef | null;
      /** Read receipts so far: the highest seq the visitor, and the agent, marked read. */
      readonly visitor_read_seq: number;
      readonly agent_read_seq: number;
    }
  | { readonly type: "unsubscribed"; readonly session_id: string }
  | { readonly type: "message"; readonly session_id: string; readonly message: MessageView }
  | {
      readonly type: "status";
      readonly session_id: string;
      readonly status: "waiting" | "active" | "closed";
      readonly assigned_agent: AgentRef | null;
    }
  | { readonly type: "typing"; readonly session_id: string; readonly author_kind: "visitor" | "agent" }
  | {
      readonly type: "read";
      readonly session_id: string;
      readonly reader_kind: "visitor" | "agent";
      readonly up_to_seq: number;
    }
  | { readonly type: "queue"; readonly session_id: string; readonly topic: string; readonly priority: string }
  | {
      readonly type: "assigned";
      readonly session_id: string;
      readonly assigned_agent: AgentRef;
      readonly topic: string | null;
      readonly priority: string | null;
    }
  | {
      readonly type: "error";
      readonly code: 400 | 404 | 409 | 429 | 500;
      readonly error: string;
      readonly session_id?: string;
      /** A stable key a client can branch on, where the code alone does not say enough. */
      readonly error_code?: "after_seq_ahead";
      /** after_seq_ahead: the session's real last seq. */
      readonly last_seq?: number;
      /** 429: the type of the frame that was refused (with its session_id, if it named one). */
      readonly frame_type?: ClientFrameType;
    };

export type ParsedFrame =
  | { readonly ok: true; readonly frame: unknown }
  | { readonly ok: false; readonly error: string };

/** Parses a text frame as JSON; binary frames and bad JSON are refused with a reason, never thrown. */
export function parseJsonFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ParsedFrame {
  if (isBinary) return { ok: false, error: "Frames must be JSON text" };
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString("utf8")
    : Buffer.from(data as ArrayBuffer).toString("utf8");
  try {
    return { ok: true, frame: JSON.parse(text) };
  } catch {
    return { ok: false, error: "Malformed JSON" };
  }
}
