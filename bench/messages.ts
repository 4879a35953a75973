import { randomUUID } from "node:crypto";
import { combine } from "./http";
import { drive, type EndpointResult, percentile, round } from "./load";
import { interleave, type RoundRatio, roundRatio } from "./rounds";
import type { ServerProcess } from "./servers";

export interface LongChatResult {
  readonly messages: number;
  /** Latency of the first and the last `window` posts of one session, posted one after another. */
  readonly window: number;
  readonly first_p50_ms: number;
  readonly first_p99_ms: number;
  readonly last_p50_ms: number;
  readonly last_p99_ms: number;
  readonly p99_ratio: number;
}

export interface MessageResults {
  readonly es: EndpointResult;
  readonly crud: EndpointResult;
  /** The median of the per-round ratios. */
  readonly ratio: number;
  readonly spread: RoundRatio;
  readonly longChat: LongChatResult;
}

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function startChats(url: string, count: number) {
  const chats: { sessionId: string; browser: string }[] = [];
  for (let i = 0; i < count; i += 16) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(16, count - i) }, async () => {
        const browser = randomUUID();
        const started = await post(url, "/api/oss-chat/start", {
          browser_uuid: browser,
          topic: "Izin usaha",
        });
        return { sessionId: String(started.session_id), browser };
      }),
    );
    chats.push(...batch);
  }
  return chats;
}

/** Visitors posting into many sessions at once, each message with its own client_message_id. */
async function postLoad(
  server: ServerProcess,
  chats: readonly { sessionId: string; browser: string }[],
  connections: number,
  durationS: number,
) {
  return drive(
    server.url,
    "POST",
    (i) => {
      const chat = chats[i % chats.length] as { sessionId: string; browser: string };
      return {
        path: "/api/oss-chat/message",
        headers: { "x-browser-uuid": chat.browser },
        body: {
          session_id: chat.sessionId,
          client_message_id: randomUUID(),
          body: "Selamat siang, saya ingin menanyakan status permohonan izin usaha saya.",
        },
      };
    },
    { connections, durationS },
  );
}

/** One session, `messages` posts one after another: does the 5,000th cost what the 1st did? */
async function longChat(server: ServerProcess, messages: number, window: number): Promise<LongChatResult> {
  const [chat] = await startChats(server.url, 1);
  if (!chat) throw new Error("no chat started");
  const latencies: number[] = [];
  for (let i = 0; i < messages; i++) {
    const t0 = performance.now();
    await post(
      server.url,
      "/api/oss-chat/message",
      { session_id: chat.sessionId, client_message_id: randomUUID(), body: `Pesan nomor ${i + 1}` },
      { "x-browser-uuid": chat.browser },
    );
    latencies.push(performance.now() - t0);
  }
  const first = latencies.slice(0, window);
  const last = latencies.slice(-window);
  const p = (values: number[], q: number) => round(percentile(values, q), 2);
  return {
    messages,
    window,
    first_p50_ms: p(first, 50),
    first_p99_ms: p(first, 99),
    last_p50_ms: p(last, 50),
    last_p99_ms: p(last, 99),
    p99_ratio: round(percentile(last, 99) / percentile(first, 99), 2),
  };
}

/**
 * The message-post phase: POST /api/oss-chat/message on the product against the CRUD baseline writing the same
 * chat_messages row, then one long session on the product (message 1 vs message N latency).
 */
export async function runMessages(opts: {
  es: ServerProcess;
  crud: ServerProcess;
  connections: number;
  durationS: number;
  rounds: number;
  longChatMessages: number;
  log: (msg: string) => void;
}): Promise<MessageResults> {
  const sessions = opts.connections * 4;
  opts.log(
    `message posts: ${opts.connections} connections over ${sessions} sessions, ${opts.rounds} interleaved rounds of ${opts.durationS} s`,
  );
  const chats = {
    es: await startChats(opts.es.url, sessions),
    crud: await startChats(opts.crud.url, sessions),
  };
  const r = await interleave(
    opts.rounds,
    () => postLoad(opts.es, chats.es, opts.connections, opts.durationS),
    () => postLoad(opts.crud, chats.crud, opts.connections, opts.durationS),
  );
  const es = combine(r.a);
  const crud = combine(r.b);
  const spread = roundRatio(r.a.map((a, i) => a.rps / (r.b[i] as EndpointResult).rps));
  opts.log(`  es   ${es.rps} req/s, p99 ${es.p99_ms} ms, errors ${es.errors}`);
  opts.log(`  crud ${crud.rps} req/s, p99 ${crud.p99_ms} ms, errors ${crud.errors}`);
  opts.log(`  ratio ${spread.median} (${spread.min}–${spread.max}; rounds ${spread.rounds.join(" ")})`);
  opts.log(`long chat: ${opts.longChatMessages} messages in one session, one after another`);
  const long = await longChat(
    opts.es,
    opts.longChatMessages,
    Math.min(100, Math.floor(opts.longChatMessages / 10)),
  );
  opts.log(`  first p99 ${long.first_p99_ms} ms, last p99 ${long.last_p99_ms} ms, ratio ${long.p99_ratio}`);
  return { es, crud, ratio: spread.median, spread, longChat: long };
}
