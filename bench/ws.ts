/**
 * The real-time phase: two API processes on one Postgres. Messages are posted to instance A at a fixed rate
 * and timed from each post's HTTP response to the frame's arrival on a socket subscribed at instance B. Then B
 * holds as many idle authenticated sockets as it will, and its memory per socket is read from its RSS.
 */
import { randomUUID } from "node:crypto";
import type WebSocket from "ws";
import { createStaffKey } from "../src/auth/staffKeys";
import { createKnex } from "../src/db/database";
import { processCpuMs } from "./cpuTime";
import { round } from "./load";
import { agent, openReady, postJson, rssMb, spawnApi } from "./wsProcesses";

export interface WsResults {
  readonly ws_delivery_p50_ms: number | null;
  readonly ws_delivery_p99_ms: number | null;
  readonly ws_sockets_held: number;
  readonly ws_kb_per_socket: number | null;
  /** CPU of instance A (API + projector) per message posted, and of instance B per frame it delivered (/proc). */
  readonly ws_cpu_us_per_post: number | null;
  readonly ws_cpu_us_per_frame: number | null;
  readonly details: {
    /** What was timed: a message post to its frame, or (without messages in the build) a StartChat to its queue frame. */
    readonly mode: string;
    readonly rate_per_s: number;
    readonly duration_s: number;
    readonly sessions: number;
    readonly posted: number;
    readonly post_errors: number;
    /** Post errors by HTTP status ("network" when the request failed). */
    readonly post_error_statuses: Record<string, number>;
    readonly delivered: number;
    /** Frames that arrived before the post's response (counted as 0 ms). */
    readonly before_response: number;
    /** From the post's send: its frame on B, and its answer from A (the delivery key is the gap between them). */
    readonly frame_from_send: { readonly p50_ms: number; readonly p99_ms: number };
    readonly answer_from_send: { readonly p50_ms: number; readonly p99_ms: number };
    readonly sockets_tried: number;
    readonly rss_before_mb: number | null;
    readonly rss_after_mb: number | null;
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? null
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null);

export async function runWs(opts: {
  databaseUrl: string;
  rate: number;
  durationS: number;
  sessions: number;
  sockets: number;
  log: (msg: string) => void;
}): Promise<WsResults> {
  const a = await spawnApi("start", opts.databaseUrl);
  const b = await spawnApi("api", opts.databaseUrl);
  const open: WebSocket[] = [];
  try {
    opts.log(`ws: instances A ${a.url} (api + projector), B ${b.url} (api)`);
    const responded = new Map<string, number>();
    /** When each answered request was sent: the frame's and the answer's latency from the send, apart. */
    const sentAt = new Map<string, number>();
    const arrived = new Map<string, number>();
    const chats: { browser: string; sessionId: string }[] = [];
    for (let i = 0; i < opts.sessions; i++) {
      const browser = randomUUID();
      const res = await fetch(`${a.url}/api/oss-chat/start`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ browser_uuid: browser, topic: "bench" }),
      });
      const { session_id } = (await res.json()) as { session_id: string };
      chats.push({ browser, sessionId: session_id });
      const ws = await openReady(b.url, browser, (f) => {
        if (f.type === "message") arrived.set(f.message.message_id, performance.now());
      });
      ws.send(JSON.stringify({ type: "subscribe", session_id, after_seq: 0 }));
      open.push(ws);
    }
    // Without messages in the build (issue 10), StartChat → `queue` frame on an agent's socket is timed instead:
    // the same follower, hub and socket path, from another command.
    const first = chats[0] as (typeof chats)[number];
    const probe = await fetch(`${a.url}/api/oss-chat/message`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-browser-uuid": first.browser },
      body: JSON.stringify({ session_id: first.sessionId, body: "probe" }),
    });
    const mode = probe.status === 404 ? "startchat_to_queue_frame" : "message_to_message_frame";
    if (mode === "startchat_to_queue_frame") {
      const knex = createKnex(opts.databaseUrl, 1);
      const { key } = await createStaffKey(knex, { name: "bench", role: "agent" });
      await knex.destroy();
      open.push(
        await openReady(
          b.url,
          "",
          (f) => {
            if (f.type === "queue") arrived.set(f.session_id, performance.now());
          },
          key,
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    opts.log(`ws: ${mode}: ${opts.rate} posts/s for ${opts.durationS} s over ${opts.sessions} sessions`);
    let posted = 0;
    let errors = 0;
    const statuses: Record<string, number> = {};
    const failed = (status: string) => {
      errors += 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
    };
    const inflight: Promise<void>[] = [];
    const total = opts.rate * opts.durationS;
    // CPU of both instances over the posting window: A's per post (API + projector), B's per frame it delivered.
    const cpuBefore = { a: await processCpuMs(a.pid), b: await processCpuMs(b.pid) };
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / opts.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const chat = chats[i % chats.length] as (typeof chats)[number];
      const sent = performance.now();
      const request =
        mode === "message_to_message_frame"
          ? postJson(
              `${a.url}/api/oss-chat/message`,
              { session_id: chat.sessionId, body: `bench ${i}` },
              { "x-browser-uuid": chat.browser },
            )
          : postJson(`${a.url}/api/oss-chat/start`, { browser_uuid: randomUUID(), topic: `bench ${i}` });
      inflight.push(
        request.then(
          (res) => {
            const at = performance.now();
            const body = res.body as { message_id?: string; session_id?: string };
            const id = mode === "message_to_message_frame" ? body.message_id : body.session_id;
            if (res.status === 201 && id) {
              responded.set(id, at);
              sentAt.set(id, sent);
              posted += 1;
            } else failed(String(res.status));
          },
          (err: Error & { code?: string }) => failed(err.code ?? "network"),
        ),
      );
    }
    await Promise.all(inflight);
    await new Promise((r) => setTimeout(r, 2000));
    const cpuAfter = { a: await processCpuMs(a.pid), b: await processCpuMs(b.pid) };
    const latencies: number[] = [];
    let early = 0;
    for (const [id, at] of responded) {
      const got = arrived.get(id);
      if (got === undefined) continue;
      if (got < at) early += 1;
      latencies.push(Math.max(0, got - at));
    }
    latencies.sort((x, y) => x - y);
    const fromSend = (times: Map<string, number>) => {
      const ms = [...times].flatMap(([id, t]) => {
        const s0 = sentAt.get(id);
        return s0 === undefined ? [] : [t - s0];
      });
      return {
        p50_ms: round(percentile(ms, 50) ?? Number.NaN, 1),
        p99_ms: round(percentile(ms, 99) ?? Number.NaN, 1),
      };
    };
    const frameFromSend = fromSend(arrived);
    const cpuPerPostUs = posted > 0 ? round(((cpuAfter.a - cpuBefore.a) * 1000) / posted, 0) : null;
    const cpuPerFrameUs =
      arrived.size > 0 ? round(((cpuAfter.b - cpuBefore.b) * 1000) / arrived.size, 0) : null;
    opts.log(
      `ws: CPU per post on A ${cpuPerPostUs} µs (API + projector), per delivered frame on B ${cpuPerFrameUs} µs`,
    );
    const answerFromSend = fromSend(responded);
    for (const ws of open.splice(0)) ws.terminate();

    opts.log(`ws: opening up to ${opts.sockets} idle authenticated sockets on B`);
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = rssMb(b.pid);
    let held = 0;
    for (let i = 0; i < opts.sockets; i += 200) {
      const batch = await Promise.allSettled(
        Array.from({ length: Math.min(200, opts.sockets - i) }, () => openReady(b.url, randomUUID())),
      );
      for (const r of batch) if (r.status === "fulfilled") open.push(r.value);
      held = open.length;
      if (batch.some((r) => r.status === "rejected")) break;
    }
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = rssMb(b.pid);
    const kbPerSocket =
      rssBefore !== null && rssAfter !== null && held > 0
        ? round(((rssAfter - rssBefore) * 1024) / held, 1)
        : null;
    opts.log(`ws: held ${held} sockets, RSS ${rssBefore?.toFixed(1)} → ${rssAfter?.toFixed(1)} MB`);
    return {
      ws_delivery_p50_ms: latencies.length ? round(percentile(latencies, 50) as number, 1) : null,
      ws_delivery_p99_ms: latencies.length ? round(percentile(latencies, 99) as number, 1) : null,
      ws_sockets_held: held,
      ws_kb_per_socket: kbPerSocket,
      ws_cpu_us_per_post: cpuPerPostUs,
      ws_cpu_us_per_frame: cpuPerFrameUs,
      details: {
        mode,
        rate_per_s: opts.rate,
        duration_s: opts.durationS,
        sessions: opts.sessions,
        posted,
        post_errors: errors,
        post_error_statuses: statuses,
        delivered: latencies.length,
        before_response: early,
        frame_from_send: frameFromSend,
        answer_from_send: answerFromSend,
        sockets_tried: opts.sockets,
        rss_before_mb: rssBefore === null ? null : round(rssBefore, 1),
        rss_after_mb: rssAfter === null ? null : round(rssAfter, 1),
      },
    };
  } finally {
    for (const ws of open) ws.terminate();
    agent.destroy();
    await b.stop();
    await a.stop();
  }
}

/** One line for latest.md. */
export function wsMarkdown(r: WsResults): string {
  const d = r.details;
  return (
    `WebSocket delivery (${d.mode}: post to instance A → frame on instance B, ${d.rate_per_s}/s for ${d.duration_s} s, ` +
    `${d.sessions} sessions): p50 ${r.ws_delivery_p50_ms} ms, p99 ${r.ws_delivery_p99_ms} ms ` +
    `(from the send: frame p50 / p99 ${d.frame_from_send.p50_ms} / ${d.frame_from_send.p99_ms} ms, answer ` +
    `${d.answer_from_send.p50_ms} / ${d.answer_from_send.p99_ms} ms) ` +
    `(${d.delivered} of ${d.posted} timed, ${d.post_errors} post errors); ` +
    `${r.ws_sockets_held} idle authenticated sockets held by one instance, ${r.ws_kb_per_socket} KB each (RSS); ` +
    `CPU ${r.ws_cpu_us_per_post} µs per post on A (API + projector), ${r.ws_cpu_us_per_frame} µs per delivered frame on B.`
  );
}
