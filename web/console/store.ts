// The console's state: lists, transcripts, details, the socket; components re-render when it changes.
import type { Lang } from "./i18n";
import { type AgentSocket, type Api, ApiError, connectAgentSocket, type SocketState } from "./net";
import type {
  AgentChat,
  AgentListEntry,
  AgentRef,
  Availability,
  Message,
  QueueItem,
  ServerFrame,
  SessionDetail,
  SessionStatus,
  UserSession,
} from "./types";

export interface Transcript {
  readonly messages: Map<number, Message>;
  /** Loaded from the first message (else only the tail since the list was read). */
  full: boolean;
  /** The highest seq known, for resuming and for counting only new messages as unread. */
  lastSeq: number;
}

export interface Pending {
  readonly clientId: string;
  readonly body: string;
  readonly at: string;
  failed: boolean;
}

export type NoticeKind = "queue" | "message";

export interface StoreEvents {
  /** A new waiting chat, or a visitor's message in a chat that is not in front of the agent. */
  notify(kind: NoticeKind, sessionId: string, text: string): void;
  /** The key stopped working (socket closed with 4401). */
  rejected(): void;
}

const byQueueOrder = (a: QueueItem, b: QueueItem) => {
  const rank = { urgent: 0, high: 1, normal: 2, low: 3 } as const;
  return rank[a.priority] - rank[b.priority] || a.created_at.localeCompare(b.created_at);
};

export class ConsoleStore {
  conn: SocketState = "connecting";
  availability: Availability;
  readonly queue = new Map<string, QueueItem>();
  readonly mine = new Map<string, AgentChat>();
  closed: AgentChat[] | null = null;
  closedQuery = "";
  readonly transcripts = new Map<string, Transcript>();
  readonly details = new Map<string, SessionDetail>();
  readonly userSessions = new Map<string, UserSession[]>();
  readonly typingUntil = new Map<string, number>();
  readonly pending = new Map<string, Pending[]>();
  /** How far the visitor has read each session (read receipts: detail, subscribed and read frames). */
  readonly visitorRead = new Map<string, number>();
  selected: string | null = null;
  toast: string | null = null;
  private socket: AgentSocket | null = null;
  private readonly subscribed = new Set<string>();
  private readonly readSent = new Map<string, number>();
  /** The newest status each session's frames (or answers) told; the read tables may still show an older one. */
  private readonly statusSeen = new Map<string, { status: SessionStatus; agent: AgentRef | null }>();
  /** Chats the socket said are the agent's, kept until the read tables (which may trail) list them too. */
  private readonly freshlyMine = new Map<string, { chat: AgentChat; until: number }>();
  private refresher: ReturnType<typeof setInterval> | undefined;
  private listeners = new Set<() => void>();
  private lastTypingSent = 0;
  private changed = false;

  constructor(
    readonly api: Api,
    private readonly key: string,
    readonly me: AgentRef,
    availability: Availability,
    readonly lang: () => Lang,
    private readonly events: StoreEvents,
  ) {
    this.availability = availability;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Coalesces changes into one render per task. */
  emit(): void {
    if (this.changed) return;
    this.changed = true;
    queueMicrotask(() => {
      this.changed = false;
      for (const fn of this.listeners) fn();
    });
  }

  start(): void {
    this.socket = connectAgentSocket(this.key, {
      onState: (state) => {
        this.conn = state;
        this.emit();
      },
      onReady: () => void this.resume(),
      onFrame: (frame) => this.onFrame(frame),
      onRejected: () => this.events.rejected(),
    });
    // A safety net for an all-day tool: the lists are read again every minute while connected.
    this.refresher = setInterval(() => {
      if (this.conn === "online") Promise.all([this.loadQueue(), this.loadMine()]).catch(() => undefined);
    }, 60_000);
  }

  stop(): void {
    clearInterval(this.refresher);
    this.socket?.close();
    this.socket = null;
  }

  /** After (re)connecting: read the lists again and resume every watched session after its last seq. */
  private async resume(): Promise<void> {
    this.subscribed.clear();
    await Promise.all([this.loadQueue(), this.loadMine()]).catch((e) => this.fail(e));
    // loadMine subscribed to the agent's chats; the chat on screen may be another one.
    if (this.selected) {
      if (!this.subscribed.has(this.selected)) this.watch(this.selected);
      this.loadDetail(this.selected).catch((e) => this.fail(e));
    }
  }

  fail(err: unknown): void {
    this.toast = err instanceof ApiError && err.message ? err.message : "";
    this.emit();
  }

  async loadQueue(): Promise<void> {
    const { sessions } = await this.api.get<{ sessions: QueueItem[] }>("/api/agent/queue");
    this.queue.clear();
    for (const s of sessions) this.queue.set(s.session_id, s);
    this.emit();
  }

  async loadMine(minPosition?: number): Promise<void> {
    const at = minPosition === undefined ? "" : `&min_position=${minPosition}`;
    const { sessions } = await this.api.get<{ sessions: AgentChat[] }>(
      `/api/agent/sessions?status=active${at}`,
    );
    const before = new Set(this.mine.keys());
    this.mine.clear();
    const now = Date.now();
    for (const [id, fresh] of this.freshlyMine) {
      if (sessions.some((s) => s.session_id === id) || fresh.until < now) this.freshlyMine.delete(id);
      else this.mine.set(id, this.mine.get(id) ?? fresh.chat);
    }
    for (const s of sessions) {
      this.mine.set(s.session_id, s);
      const tr = this.transcript(s.session_id);
      if (tr.lastSeq < s.last_seq && !tr.full) tr.lastSeq = s.last_seq;
    }
    for (const id of this.mine.keys()) if (!before.has(id) || !this.subscribed.has(id)) this.watch(id);
    for (const id of before) if (!this.mine.has(id) && id !== this.selected) this.unwatch(id);
    this.emit();
  }

  async loadClosed(q = this.closedQuery): Promise<void> {
    this.closedQuery = q;
    const query = q.trim() ? `&q=${encodeURIComponent(q.trim())}` : "";
    const { sessions } = await this.api.get<{ sessions: AgentChat[] }>(
      `/api/agent/sessions?status=closed&limit=50${query}`,
    );
    if (this.closedQuery === q) {
      this.closed = sessions;
      this.emit();
    }
  }

  async loadDetail(id: string, minPosition?: number): Promise<void> {
    const at = minPosition === undefined ? "" : `?min_position=${minPosition}`;
    const detail = await this.api.get<SessionDetail>(`/api/agent/sessions/${id}${at}`);
    const seen = this.statusSeen.get(id);
    const rank = { waiting: 0, active: 1, closed: 2 } as const;
    this.details.set(
      id,
      seen && rank[seen.status] >= rank[detail.status]
        ? { ...detail, status: seen.status, assigned_agent: seen.agent ?? detail.assigned_agent }
        : detail,
    );
    this.readUpTo(id, detail.visitor_read_seq);
    this.emit();
    if (!this.userSessions.has(detail.chat_user_id)) {
      const { sessions } = await this.api.get<{ sessions: UserSession[] }>(
        `/api/agent/users/${detail.chat_user_id}/sessions?limit=20`,
      );
      this.userSessions.set(detail.chat_user_id, sessions);
      this.emit();
    }
  }

  transcript(id: string): Transcript {
    let tr = this.transcripts.get(id);
    if (!tr) {
      tr = { messages: new Map(), full: false, lastSeq: 0 };
      this.transcripts.set(id, tr);
    }
    return tr;
  }

  /** Live messages of a session: from the first one when it is on screen, else only new ones. */
  private watch(id: string): void {
    const tr = this.transcript(id);
    const full = id === this.selected;
    const after = full && !tr.full ? 0 : tr.lastSeq;
    this.subscribed.add(id);
    const sent = this.socket?.send({ type: "subscribe", session_id: id, after_seq: after }) ?? false;
    if (full && sent) tr.full = true;
  }

  private unwatch(id: string): void {
    if (!this.subscribed.delete(id)) return;
    this.socket?.send({ type: "unsubscribe", session_id: id });
  }

  select(id: string | null): void {
    const previous = this.selected;
    if (previous === id) return;
    this.selected = id;
    this.toast = null;
    if (previous && !this.mine.has(previous)) this.unwatch(previous);
    if (id) {
      this.watch(id);
      this.loadDetail(id).catch((e) => this.fail(e));
      this.markRead();
    }
    this.emit();
  }

  /** The agent's read receipt for the open chat, when it is the agent's and in front of them. */
  markRead(): void {
    const id = this.selected;
    if (!id || document.visibilityState !== "visible") return;
    const chat = this.mine.get(id);
    if (!chat) return;
    const last = this.transcript(id).lastSeq;
    if (last <= (this.readSent.get(id) ?? 0) || last <= (this.details.get(id)?.agent_read_seq ?? 0)) {
      if (chat.unread_for_agent > 0) this.mine.set(id, { ...chat, unread_for_agent: 0 });
      return;
    }
    this.readSent.set(id, last);
    this.mine.set(id, { ...chat, unread_for_agent: 0 });
    this.emit();
    this.api.send("POST", `/api/agent/sessions/${id}/read`, { up_to_seq: last }).catch(() => {
      this.readSent.delete(id);
    });
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "message":
        this.onMessage(frame.session_id, frame.message);
        break;
      case "queue":
        if (!this.queue.has(frame.session_id)) {
          this.queue.set(frame.session_id, {
            session_id: frame.session_id,
            topic: frame.topic,
            priority: frame.priority,
            created_at: new Date().toISOString(),
          });
          this.events.notify("queue", frame.session_id, frame.topic);
        }
        break;
      case "assigned":
        this.queue.delete(frame.session_id);
        if (frame.assigned_agent.id === this.me.id)
          this.assignedToMe(frame.session_id, frame.topic, frame.priority);
        this.refreshDetail(frame.session_id);
        break;
      case "status":
        this.onStatus(frame.session_id, frame.status, frame.assigned_agent);
        break;
      case "subscribed": {
        const tr = this.transcript(frame.session_id);
        tr.lastSeq = Math.max(tr.lastSeq, frame.last_seq);
        this.readUpTo(frame.session_id, frame.visitor_read_seq ?? 0);
        break;
      }
      case "typing":
        if (frame.author_kind === "visitor") {
          this.typingUntil.set(frame.session_id, Date.now() + 4000);
          setTimeout(() => this.emit(), 4100);
        }
        break;
      case "read":
        if (frame.reader_kind === "visitor") this.readUpTo(frame.session_id, frame.up_to_seq);
        break;
      case "error":
        if (frame.code !== 404) {
          this.toast = frame.error;
        }
        break;
      default:
        break;
    }
    this.emit();
  }

  /** Read marks never move back. */
  private readUpTo(id: string, seq: number): void {
    if (seq > (this.visitorRead.get(id) ?? 0)) this.visitorRead.set(id, seq);
  }

  private onMessage(id: string, message: Message): void {
    const tr = this.transcript(id);
    const isNew = message.seq > tr.lastSeq;
    tr.messages.set(message.seq, message);
    tr.lastSeq = Math.max(tr.lastSeq, message.seq);
    if (message.author_kind === "visitor") this.typingUntil.delete(id);
    const chat = this.mine.get(id);
    if (chat) {
      const inFront = id === this.selected && document.visibilityState === "visible";
      const unread = isNew && message.author_kind === "visitor" && !inFront;
      this.mine.set(id, {
        ...chat,
        last_seq: Math.max(chat.last_seq, message.seq),
        last_message_at: message.created_at,
        last_message: {
          body: message.body,
          author_kind: message.author_kind,
          created_at: message.created_at,
        },
        contact_name: chat.contact_name ?? (message.author_kind === "visitor" ? message.author_name : null),
        unread_for_agent: chat.unread_for_agent + (unread ? 1 : 0),
      });
      if (isNew && message.author_kind === "visitor") {
        if (inFront && document.hasFocus()) this.markRead();
        else this.events.notify("message", id, message.body);
      }
    }
  }

  /** The socket (or a command's answer) is ahead of the read tables: the status shows at once. */
  private applyStatus(id: string, status: SessionStatus, agent: AgentRef | null): void {
    const known = this.statusSeen.get(id);
    this.statusSeen.set(id, { status, agent: agent ?? known?.agent ?? null });
    const detail = this.details.get(id);
    if (detail) this.details.set(id, { ...detail, status, assigned_agent: agent ?? detail.assigned_agent });
  }

  /** A chat given to this agent (claim, transfer, routing): listed at once, its details read when they show. */
  private assignedToMe(id: string, topic: string | null, priority: AgentChat["priority"] | null): void {
    const now = new Date().toISOString();
    const chat: AgentChat = this.mine.get(id) ?? {
      session_id: id,
      topic: topic ?? "",
      priority: priority ?? "normal",
      status: "active",
      created_at: now,
      last_message_at: now,
      unread_for_agent: 0,
      contact_name: null,
      last_seq: this.transcript(id).lastSeq,
      last_message: null,
      closed_at: null,
    };
    this.freshlyMine.set(id, { chat, until: Date.now() + 30_000 });
    this.mine.set(id, chat);
    if (!this.subscribed.has(id)) this.watch(id);
    this.loadMine().catch((e) => this.fail(e));
    // The read tables may trail the socket: read the list again once they have caught up.
    setTimeout(() => this.loadMine().catch(() => undefined), 1500);
  }

  private onStatus(id: string, status: SessionStatus, agent: AgentRef | null): void {
    if (status !== "waiting") this.queue.delete(id);
    this.applyStatus(id, status, agent);
    const mineBefore = this.mine.has(id);
    if (mineBefore && (status === "closed" || agent?.id !== this.me.id)) {
      this.mine.delete(id);
      this.freshlyMine.delete(id);
      if (id !== this.selected) this.unwatch(id);
      if (this.closed !== null) this.loadClosed().catch((e) => this.fail(e));
    }
    this.refreshDetail(id);
  }

  private refreshDetail(id: string): void {
    if (id === this.selected) this.loadDetail(id).catch((e) => this.fail(e));
  }

  typing(): void {
    const id = this.selected;
    if (!id || !this.mine.has(id) || Date.now() - this.lastTypingSent < 1500) return;
    this.lastTypingSent = Date.now();
    this.socket?.send({ type: "typing", session_id: id });
  }

  async sendMessage(body: string, clientId = crypto.randomUUID()): Promise<void> {
    const id = this.selected;
    if (!id) return;
    const list = this.pending.get(id) ?? [];
    const existing = list.find((p) => p.clientId === clientId);
    if (existing) existing.failed = false;
    else list.push({ clientId, body, at: new Date().toISOString(), failed: false });
    this.pending.set(id, list);
    this.emit();
    try {
      const posted = await this.api.send<{ message_id: string; seq: number; created_at: string }>(
        "POST",
        `/api/agent/sessions/${id}/messages`,
        { client_message_id: clientId, body },
      );
      const tr = this.transcript(id);
      if (!tr.messages.has(posted.seq)) {
        tr.messages.set(posted.seq, {
          message_id: posted.message_id,
          seq: posted.seq,
          author_kind: "agent",
          author_name: this.me.name,
          body,
          created_at: posted.created_at,
        });
      }
      this.pending.set(
        id,
        (this.pending.get(id) ?? []).filter((p) => p.clientId !== clientId),
      );
      this.emit();
    } catch (err) {
      const entry = (this.pending.get(id) ?? []).find((p) => p.clientId === clientId);
      if (entry) entry.failed = true;
      this.fail(err);
    }
  }

  async act(action: "claim" | "close"): Promise<void> {
    const id = this.selected;
    if (!id) return;
    try {
      const res = await this.api.send<{ position: number }>("POST", `/api/agent/sessions/${id}/${action}`);
      this.applyStatus(id, action === "claim" ? "active" : "closed", action === "claim" ? this.me : null);
      this.emit();
      if (action === "claim") {
        this.queue.delete(id);
        await this.loadMine(res.position);
      } else {
        this.mine.delete(id);
        this.freshlyMine.delete(id);
      }
      await this.loadDetail(id, res.position);
      if (this.closed !== null && action === "close") await this.loadClosed();
    } catch (err) {
      this.fail(err);
      if (action === "claim") void this.loadQueue().catch(() => undefined);
    }
  }

  async agents(): Promise<AgentListEntry[]> {
    const { agents } = await this.api.get<{ agents: AgentListEntry[] }>("/api/agent/agents");
    return agents;
  }

  async transfer(toAgentId: string): Promise<boolean> {
    const id = this.selected;
    if (!id) return false;
    try {
      const res = await this.api.send<{ position: number; assigned_agent: AgentRef }>(
        "POST",
        `/api/agent/sessions/${id}/transfer`,
        { to_agent_id: toAgentId },
      );
      this.applyStatus(id, "active", res.assigned_agent);
      this.mine.delete(id);
      this.freshlyMine.delete(id);
      await this.loadDetail(id, res.position);
      return true;
    } catch (err) {
      this.fail(err);
      return false;
    }
  }

  async setAvailability(status: Availability): Promise<void> {
    const before = this.availability;
    this.availability = status;
    this.emit();
    try {
      await this.api.send("PUT", "/api/agent/status", { status });
    } catch (err) {
      this.availability = before;
      this.fail(err);
    }
  }

  /** The queue in the order agents take it: priority, then longest waiting. */
  queueList(): QueueItem[] {
    return [...this.queue.values()].sort(byQueueOrder);
  }

  /** The agent's chats, most recent activity first. */
  mineList(): AgentChat[] {
    const at = (c: AgentChat) => c.last_message_at ?? c.created_at;
    return [...this.mine.values()].sort((a, b) => at(b).localeCompare(at(a)));
  }
}
