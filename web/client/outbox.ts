// Messages wait here until the API has them: typed while offline, or while a post failed on the way. Each keeps
// the client_message_id it was given when typed, so a post retried after a lost answer is still one message
// (the API answers a repeated id with the first message), and they go out one at a time, in the order typed.

export interface OutboxItem {
  readonly session_id: string;
  readonly client_message_id: string;
  readonly body: string;
  /** When it was typed (ISO), shown until the server's time is known. */
  readonly created_at: string;
}

export interface Posted {
  readonly message_id: string;
  readonly seq: number;
  readonly created_at: string;
}

/** Where the outbox survives a reload (localStorage by default). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface OutboxOptions {
  readonly storage: KeyValueStore | null;
  readonly key: string;
  readonly post: (item: OutboxItem) => Promise<Posted>;
  /** A failure worth retrying as is (no answer, 429, 5xx); anything else drops the message (onFailed). */
  readonly retryable: (err: unknown) => boolean;
  readonly onSent?: (item: OutboxItem, posted: Posted) => void;
  readonly onFailed?: (item: OutboxItem, err: unknown) => void;
  readonly onChange?: (items: readonly OutboxItem[]) => void;
  readonly newId?: () => string;
  readonly now?: () => Date;
  /** Delay before the n-th retry in a row (ms). */
  readonly backoff?: (attempt: number) => number;
}

export function createOutbox(options: OutboxOptions) {
  const newId = options.newId ?? (() => crypto.randomUUID());
  const now = options.now ?? (() => new Date());
  const backoff = options.backoff ?? ((n: number) => Math.min(10_000, 500 * 2 ** Math.min(n, 5)));
  let items: OutboxItem[] = load();
  let running: Promise<void> | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function load(): OutboxItem[] {
    try {
      const raw = options.storage?.getItem(options.key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? (parsed as OutboxItem[]) : [];
    } catch {
      return [];
    }
  }

  function save() {
    try {
      if (items.length === 0) options.storage?.removeItem(options.key);
      else options.storage?.setItem(options.key, JSON.stringify(items));
    } catch {
      // storage full or denied: the outbox still works for this page's life
    }
    options.onChange?.(items);
  }

  async function drain() {
    for (;;) {
      const head = items[0];
      if (head === undefined) return;
      try {
        const posted = await options.post(head);
        attempt = 0;
        items = items.filter((i) => i.client_message_id !== head.client_message_id);
        save();
        options.onSent?.(head, posted);
      } catch (err) {
        if (options.retryable(err)) {
          attempt += 1;
          clearTimeout(timer);
          timer = setTimeout(() => void flush(), backoff(attempt));
          return;
        }
        items = items.filter((i) => i.client_message_id !== head.client_message_id);
        save();
        options.onFailed?.(head, err);
      }
    }
  }

  /** Sends what waits, in order; a second call while sending waits for the same run. */
  function flush(): Promise<void> {
    clearTimeout(timer);
    if (running === null) {
      running = drain().finally(() => {
        running = null;
      });
    }
    return running;
  }

  return {
    /** Queues a message (with a new client_message_id) and tries to send it. */
    add(sessionId: string, body: string): OutboxItem {
      const item = {
        session_id: sessionId,
        client_message_id: newId(),
        body,
        created_at: now().toISOString(),
      };
      items = [...items, item];
      save();
      void flush();
      return item;
    },
    flush,
    items(): readonly OutboxItem[] {
      return items;
    },
    /** Forgets a session's waiting messages (it was closed). */
    discard(sessionId: string) {
      items = items.filter((i) => i.session_id !== sessionId);
      save();
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
