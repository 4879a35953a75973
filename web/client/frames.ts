// The WebSocket protocol of /api/oss-chat/ws and /api/agent/ws as the browser sees it (README, "Real time");
// it mirrors src/realtime/protocol.ts, which the server validates with.

export type AuthorKind = "visitor" | "agent" | "system";
export type SessionStatus = "waiting" | "active" | "closed";

export interface MessageView {
  readonly message_id: string;
  readonly seq: number;
  readonly author_kind: AuthorKind;
  readonly author_name: string | null;
  /** Plain text: show it as text, never as HTML. */
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
      readonly status: SessionStatus;
      readonly assigned_agent: AgentRef | null;
      readonly visitor_read_seq?: number;
      readonly agent_read_seq?: number;
    }
  | { readonly type: "message"; readonly session_id: string; readonly message: MessageView }
  | {
      readonly type: "status";
      readonly session_id: string;
      readonly status: SessionStatus;
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
  | { readonly type: "unsubscribed"; readonly session_id: string }
  | {
      readonly type: "error";
      readonly code: 400 | 404 | 409 | 429 | 500;
      readonly error: string;
      readonly session_id?: string;
      /** 409 "after_seq_ahead": after_seq was past the session's end, whose last seq is `last_seq`. */
      readonly error_code?: string;
      readonly last_seq?: number;
    };

export type AuthFrame =
  | { readonly type: "auth"; readonly browser_uuid: string }
  | { readonly type: "auth"; readonly token: string }
  | { readonly type: "auth"; readonly staff_key: string };

export type ClientFrame =
  | { readonly type: "subscribe"; readonly session_id: string; readonly after_seq: number }
  | { readonly type: "unsubscribe"; readonly session_id: string }
  | { readonly type: "typing"; readonly session_id: string };

/** Close codes after which reconnecting with the same credential cannot help (README, "Close codes"). */
export const BAD_CREDENTIAL = 4401;
