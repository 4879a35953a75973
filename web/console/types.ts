// What the console reads from the API and the agent socket (README: "Conversations", "Real time").

export type Priority = "low" | "normal" | "high" | "urgent";
export type SessionStatus = "waiting" | "active" | "closed";
export type AuthorKind = "visitor" | "agent" | "system";
export type Availability = "available" | "away";

export interface AgentRef {
  readonly id: string;
  readonly name: string;
}

export interface Message {
  readonly message_id: string;
  readonly seq: number;
  readonly author_kind: AuthorKind;
  readonly author_name: string | null;
  readonly body: string;
  readonly created_at: string;
}

export interface QueueItem {
  readonly session_id: string;
  readonly topic: string;
  readonly priority: Priority;
  readonly created_at: string;
}

export interface AgentChat {
  readonly session_id: string;
  readonly topic: string;
  readonly priority: Priority;
  readonly status: string;
  readonly created_at: string;
  readonly last_message_at: string | null;
  readonly unread_for_agent: number;
  readonly contact_name: string | null;
  readonly last_seq: number;
  readonly last_message: { body: string; author_kind: AuthorKind; created_at: string } | null;
  readonly closed_at: string | null;
}

export interface Contact {
  readonly contact_name: string;
  readonly contact_email: string;
  readonly contact_phone: string | null;
  readonly position: string | null;
  readonly company_name: string | null;
}

export type Activity =
  | {
      readonly kind: "claimed" | "transferred" | "routed";
      readonly at: string;
      readonly agent: AgentRef;
      readonly from_agent_id: string | null;
    }
  | { readonly kind: "closed"; readonly at: string; readonly by: AuthorKind }
  | { readonly kind: "rated"; readonly at: string; readonly score: number };

export interface SessionDetail {
  readonly session_id: string;
  readonly chat_user_id: string;
  readonly topic: string;
  readonly priority: Priority;
  readonly status: SessionStatus;
  readonly created_at: string;
  readonly contact: Contact | null;
  readonly chat_user: {
    readonly chat_user_id: string;
    readonly oss_user_id: string | null;
    readonly email: string | null;
    readonly is_anonymous: boolean;
  };
  readonly assigned_agent: AgentRef | null;
  readonly last_seq: number;
  readonly visitor_read_seq: number;
  readonly agent_read_seq: number;
  readonly closed_at: string | null;
  readonly rating: { score: number; comment: string | null } | null;
  readonly activity: readonly Activity[];
}

export interface UserSession {
  readonly session_id: string;
  readonly topic: string;
  readonly status: string;
  readonly created_at: string;
  readonly closed_at: string | null;
  readonly assigned_agent: AgentRef | null;
}

export interface AgentListEntry {
  readonly agent_id: string;
  readonly name: string;
  readonly status: Availability;
  readonly active_chats: number;
}

export type ServerFrame =
  | { readonly type: "ready" }
  | {
      readonly type: "subscribed";
      readonly session_id: string;
      readonly last_seq: number;
      readonly status: SessionStatus;
      readonly assigned_agent: AgentRef | null;
      /** Read receipts so far (older servers leave them out). */
      readonly visitor_read_seq?: number;
      readonly agent_read_seq?: number;
    }
  | { readonly type: "message"; readonly session_id: string; readonly message: Message }
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
  | {
      readonly type: "queue";
      readonly session_id: string;
      readonly topic: string;
      readonly priority: Priority;
    }
  | {
      readonly type: "assigned";
      readonly session_id: string;
      readonly assigned_agent: AgentRef;
      readonly topic: string | null;
      readonly priority: Priority | null;
    }
  | { readonly type: "error"; readonly code: number; readonly error: string; readonly session_id?: string };
