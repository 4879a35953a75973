import os from "node:os";
import type { AppendResults } from "./append";
import { endpoints, type HttpResults } from "./http";
import type { KafkaResults } from "./kafka";
import { round } from "./load";
import type { MessageResults } from "./messages";
import type { RebuildResults } from "./rebuild";
import type { PhaseLoad, RoundRatio } from "./rounds";

const spreadOf = (r: RoundRatio): [number, number] => [r.min, r.max];
const spreadText = (r: RoundRatio) => `${r.median} (${r.min}–${r.max})`;

export interface Machine {
  readonly cpus: number;
  readonly cpu_model: string;
  readonly node: string;
  readonly postgres: string;
  readonly postgres_server: string;
  readonly ram_gib: number;
}

export function machine(postgres: string, server: string): Machine {
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    postgres,
    postgres_server: server,
    ram_gib: round(os.totalmem() / 2 ** 30, 1),
  };
}

/** The flat keys the issue asks for, then the details. */
export function summary(
  m: Machine,
  settings: Record<string, number>,
  http: HttpResults | null,
  append: AppendResults | null,
  rebuild: RebuildResults | null,
  kafka: KafkaResults | null = null,
  messages: MessageResults | null = null,
  phases: readonly PhaseLoad[] = [],
) {
  // Each ratio is the median of interleaved rounds' ratios; `…_spread` is their [min, max].
  const ratios = http
    ? Object.fromEntries(
        endpoints
          .filter((e) => http.ratios[e])
          .flatMap((e) => [
            [`${e}_rps_ratio_vs_crud`, http.ratios[e].median],
            [`${e}_rps_ratio_vs_crud_spread`, spreadOf(http.ratios[e])],
            [`${e}_cpu_ratio_vs_crud`, http.cpu[e].ratio.median],
            [`${e}_cpu_ratio_vs_crud_spread`, spreadOf(http.cpu[e].ratio)],
          ]),
      )
    : {};
  return {
    ...ratios,
    message_rps_ratio_vs_crud: messages?.ratio ?? null,
    message_rps_ratio_vs_crud_spread: messages ? spreadOf(messages.spread) : null,
    message_post_p99_ms: messages?.es.p99_ms ?? null,
    crud_message_post_p99_ms: messages?.crud.p99_ms ?? null,
    message_5000th_p99_ratio: messages?.longChat.p99_ratio ?? null,
    append_rps_ratio_vs_emmett: append?.ratio ?? null,
    append_rps_ratio_vs_emmett_spread: append ? spreadOf(append.spread) : null,
    rebuild_ratio_vs_copy: rebuild?.ratio ?? null,
    rebuild_ratio_vs_copy_spread: rebuild ? spreadOf(rebuild.spread) : null,
    projection_lag_fixed_p99_ms: http?.lagFixed.p99_ms ?? null,
    projection_lag_fixed_p50_ms: http?.lagFixed.p50_ms ?? null,
    projection_lag_fixed_rate_rps: http?.lagFixed.rate_rps ?? null,
    projection_lag_p99_ms: http?.lagAtHalf.p99_ms ?? null,
    projection_lag_p50_ms: http?.lagAtHalf.p50_ms ?? null,
    projection_lag_full_load_p99_ms: http?.lagAtMax.p99_ms ?? null,
    kafka_projection_lag_fixed_p99_ms: kafka?.lag.p99_ms ?? null,
    kafka_projection_lag_fixed_p50_ms: kafka?.lag.p50_ms ?? null,
    kafka_projection_lag_fixed_rate_rps: kafka?.rate_rps ?? null,
    kafka_projector_kill_stall_s: kafka?.projector_kill_stall_s ?? null,
    kafka_broker_back_resume_s: kafka?.broker_back_resume_s ?? null,
    startchat_p99_ms: http?.es.startchat.p99_ms ?? null,
    crud_startchat_p99_ms: http?.crud.startchat.p99_ms ?? null,
    generated_at: new Date().toISOString(),
    /** The 1-minute load average before and after each phase; `busy` above 2 (this machine's cores). */
    phases,
    busy_phases: phases.filter((p) => p.busy).map((p) => p.phase),
    machine: m,
    settings,
    http,
    append,
    rebuild,
    kafka,
    messages,
  };
}

export function markdown(s: ReturnType<typeof summary>): string {
  const lines: string[] = [];
  const m = s.machine;
  lines.push(
    `Machine: ${m.cpus} × ${m.cpu_model}, ${m.ram_gib} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres} (${m.postgres_server}); ` +
      `${s.settings.connections} connections; every product/baseline pair in ${s.settings.rounds} interleaved rounds of ` +
      `${s.settings.duration_s} s; ratios are the median of the per-round ratios (min–max).`,
    "",
  );
  if (s.phases.length > 0) {
    lines.push(
      `Load average (1 min) before → after each phase: ${s.phases
        .map((p: PhaseLoad) => `${p.phase} ${p.load_before} → ${p.load_after}${p.busy ? " **busy**" : ""}`)
        .join("; ")}.`,
      "",
    );
  }
  if (s.http) {
    const h = s.http;
    lines.push(
      "| endpoint | ES req/s | ES p50 / p99 ms | ES errors | CRUD req/s | CRUD p50 / p99 ms | CRUD errors | ES/CRUD median (min–max) | CPU µs/request ES (Node + Postgres) | CRUD | CPU ratio CRUD/ES (min–max) |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const e of endpoints.filter((x) => h.ratios[x])) {
      const a = h.es[e];
      const b = h.crud[e];
      lines.push(
        `| ${e} | ${a.rps} | ${a.p50_ms} / ${a.p99_ms} | ${a.errors} | ${b.rps} | ${b.p50_ms} / ${b.p99_ms} | ${b.errors} | ${spreadText(h.ratios[e])} | ${h.cpu[e].es.node_us} + ${h.cpu[e].es.postgres_us} | ${h.cpu[e].crud.node_us} + ${h.cpu[e].crud.postgres_us} | ${spreadText(h.cpu[e].ratio)} |`,
      );
    }
    lines.push(
      "",
      `Projection lag (StartChat response → row visible): at the fixed ${h.lagFixed.rate_rps} req/s ` +
        `(${h.lagFixed.achieved_rps} reached) p50 ${h.lagFixed.p50_ms} ms, p99 ${h.lagFixed.p99_ms} ms ` +
        `(${h.lagFixed.samples} samples); at ${h.lagAtHalf.rate_rps} req/s (half the max) ` +
        `p50 ${h.lagAtHalf.p50_ms} ms, p99 ${h.lagAtHalf.p99_ms} ms (${h.lagAtHalf.samples} samples); ` +
        `at full load p50 ${h.lagAtMax.p50_ms} ms, p99 ${h.lagAtMax.p99_ms} ms.`,
    );
  }
  if (s.kafka) {
    const k = s.kafka;
    lines.push(
      "",
      `Kafka mode (API, relay, broker, two projector workers, each its own process): lag at the fixed ${k.rate_rps} req/s ` +
        `p50 ${k.lag.p50_ms} ms, p99 ${k.lag.p99_ms} ms (${k.lag.samples} samples). One worker SIGKILLed under load: ` +
        `stall ${k.projector_kill_stall_s} s (rejoin after restart ${k.projector_rejoin_stall_s} s). Broker down ` +
        `${k.broker_down_s} s: consumption resumed ${k.broker_back_resume_s} s after it was back.`,
    );
  }
  if (s.messages) {
    const msg = s.messages;
    const l = msg.longChat;
    lines.push(
      "",
      `Message post (POST /api/oss-chat/message): ES ${msg.es.rps} req/s, p50 / p99 ${msg.es.p50_ms} / ${msg.es.p99_ms} ms ` +
        `(${msg.es.errors} errors); CRUD insert of the same row ${msg.crud.rps} req/s, p50 / p99 ` +
        `${msg.crud.p50_ms} / ${msg.crud.p99_ms} ms (${msg.crud.errors} errors); ratio ${spreadText(msg.spread)}.`,
      `Long chat (${l.messages} messages in one session, one at a time): first ${l.window} p50 / p99 ` +
        `${l.first_p50_ms} / ${l.first_p99_ms} ms, last ${l.window} p50 / p99 ${l.last_p50_ms} / ${l.last_p99_ms} ms; ` +
        `p99 ratio ${l.p99_ratio}.`,
    );
  }
  if (s.append) {
    const a = s.append;
    lines.push(
      "",
      `Appends (${a.writers} writers, single-event, ${a.rounds}× ${a.run_s} s interleaved): ours ${a.ours_events_per_s} events/s, ` +
        `emmett-postgresql ${a.emmett_events_per_s} events/s, ratio ${spreadText(a.spread)}.`,
    );
  }
  if (s.rebuild) {
    const r = s.rebuild;
    lines.push(
      "",
      `Rebuild of ${r.events} events (batches of ${r.batch_size}): ${r.rebuild_s} s, ${r.rebuild_events_per_s} events/s; ` +
        `raw COPY of the same ${r.rows} rows: ${r.copy_s} s (medians of ${r.spread.rounds.length} interleaved rounds); ratio ${spreadText(r.spread)}.`,
    );
  }
  return lines.join("\n");
}
