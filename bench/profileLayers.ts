import { readFile } from "node:fs/promises";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}
interface CpuProfile {
  readonly startTime: number;
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** Layers by where the code lives: the first rule whose pattern matches a frame's URL names its layer. */
const LAYERS: readonly (readonly [string, RegExp])[] = [
  [
    "request logging (pino, request id)",
    /node_modules\/(pino|pino-http|sonic-boom|fast-redact|pino-std-serializers|thread-stream)\/|src\/http\/requestLog/,
  ],
  ["rate limiting (express-rate-limit)", /node_modules\/express-rate-limit\/|src\/http\/rateLimit/],
  ["security headers, CORS (helmet, cors)", /node_modules\/(helmet|cors)\/|src\/http\/securityHeaders/],
  ["idempotency keys", /src\/http\/idempotency|src\/ops\/idempotencyStore/],
  ["i18n (language negotiation, catalogue)", /src\/http\/(language|i18n\/)/],
  [
    "HTTP pipeline (express, body parsing)",
    /node_modules\/(express|router|body-parser|raw-body|finalhandler|on-finished|content-type|type-is|qs|statuses|send|iconv-lite|http-errors|depd|mime-types|mime-db|media-typer|negotiator|accepts|vary|fresh|parseurl|path-to-regexp|encodeurl|escape-html|proxy-addr|forwarded|cookie|merge-descriptors|etag|range-parser|destroy|ee-first|unpipe|bytes|safe-buffer)\/|src\/http\/(app|context|errors|series|visitorRoutes|conversationRoutes|ownership)/,
  ],
  ["validation (zod)", /node_modules\/zod\/|src\/commands\/fields/],
  [
    "identity (jose, staff keys, tokens)",
    /node_modules\/jose\/|src\/auth\/|src\/http\/(identityAuth|staffAuth)/,
  ],
  ["metrics (prom-client)", /node_modules\/(prom-client|tdigest|bintrees)\/|src\/ops\/(metrics|httpMetrics)/],
  ["deciders and command handlers", /src\/commands\/|src\/events\//],
  ["hash chain", /src\/eventstore\/hashChain/],
  ["read queries (src/queries)", /src\/queries\/|src\/db\/rawQuery/],
  ["personal-data sealing (src/privacy)", /src\/privacy\//],
  ["real-time delivery (src/realtime)", /src\/realtime\//],
  ["event store (append/read)", /src\/eventstore\//],
  [
    "pg driver (pg, pg-protocol, pg-types)",
    /node_modules\/(pg|pg-protocol|pg-pool|pg-types|pgpass|postgres-\w+|buffer-writer|packet-reader)\//,
  ],
  ["knex (query builder, pool)", /node_modules\/(knex|tarn|lodash|debug|colorette|pg-connection-string)\//],
  ["projection (row ops, checkpoint)", /src\/projections\/|src\/db\//],
  ["module loading (tsx, esbuild)", /node_modules\/(tsx|esbuild|get-tsconfig)\//],
];

const SOCKET_WRITES = new Set(["writev", "writeBuffer", "writeUtf8String", "writeLatin1String"]);

const SPECIAL: Record<string, string> = {
  "(garbage collector)": "garbage collection",
  "(idle)": "idle",
  "(program)": "native (program)",
};

/**
 * Sums a .cpuprofile's self time per layer. A frame with no layer of its own (Node's internals: http parser,
 * sockets, streams, crypto, JSON) is charged to its nearest caller that has one; with none, it stays "Node
 * internals". The pg driver and knex are layers of their own, whoever calls them (the store, the projector, the
 * read queries).
 */
export async function layerTotals(
  file: string,
  window?: { readonly fromUs: number; readonly toUs: number },
): Promise<{
  totals: Map<string, number>;
  all: number;
  busy: number;
  /** Self time per frame ("function file:line") within each layer. */
  frames: Map<string, Map<string, number>>;
}> {
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const layerOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = layerOf.get(id);
    if (known) return known;
    const node = byId.get(id) as ProfileNode;
    const special = Object.hasOwn(SPECIAL, node.callFrame.functionName)
      ? SPECIAL[node.callFrame.functionName]
      : undefined;
    let layer = special;
    // The system calls that send a query to Postgres or a response to the client: on loopback they also run
    // the receiver's TCP path and wake it, so their cost moves with the machine's load, not with our code.
    if (!layer && node.callFrame.url === "" && SOCKET_WRITES.has(node.callFrame.functionName))
      layer = "socket writes (writev, write: queries and responses)";
    if (!layer) layer = LAYERS.find(([, re]) => re.test(node.callFrame.url))?.[0] ?? "";
    if (!layer) {
      const up = parent.get(id);
      layer = up === undefined ? "Node internals (http, net, streams, JSON)" : classify(up);
      if (
        layer === "idle" ||
        layer === "native (program)" ||
        layer === "garbage collection" ||
        up === undefined
      )
        layer = "Node internals (http, net, streams, JSON)";
      if (byId.get(up ?? -1)?.callFrame.functionName === "(root)")
        layer = "Node internals (http, net, streams, JSON)";
    }
    layerOf.set(id, layer);
    return layer;
  };
  const totals = new Map<string, number>();
  const frames = new Map<string, Map<string, number>>();
  let all = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    // Only the load phase: start-up (module loading) and shutdown are left out when a window is given.
    if (window && (at < window.fromUs || at > window.toUs)) return;
    const layer = classify(id);
    totals.set(layer, (totals.get(layer) ?? 0) + dt);
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    const frame = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules|src|bench)\//, "$1/")}:${lineNumber + 1}`;
    const inLayer = frames.get(layer) ?? new Map<string, number>();
    frames.set(layer, inLayer.set(frame, (inLayer.get(frame) ?? 0) + dt));
    all += dt;
  });
  return { totals, all, busy: all - (totals.get("idle") ?? 0), frames };
}

/** A .cpuprofile's self time per layer, as a table. */
export async function summariseProfile(
  file: string,
  window?: { readonly fromUs: number; readonly toUs: number },
): Promise<string> {
  const { totals, all, busy } = await layerTotals(file, window);
  const rows = [...totals.entries()]
    .filter(([k]) => k !== "idle")
    .sort((a, b) => b[1] - a[1])
    .map(([k, us]) => `| ${k} | ${(us / 1000).toFixed(0)} | ${((100 * us) / busy).toFixed(1)} % |`);
  return [
    `CPU busy ${(busy / 1e6).toFixed(2)} s of ${(all / 1e6).toFixed(2)} s profiled (idle ${(((totals.get("idle") ?? 0) / all) * 100).toFixed(0)} %)`,
    "",
    "| layer | self ms | of busy |",
    "|---|---:|---:|",
    ...rows,
  ].join("\n");
}

/**
 * Several profiles side by side, each under the same count of requests: self time per request and layer (µs),
 * the first profile's share of its busy time, and the difference to the last one.
 */
export async function compareProfiles(
  profiles: readonly {
    readonly label: string;
    readonly file: string;
    readonly window?: { readonly fromUs: number; readonly toUs: number };
    readonly requests: number;
  }[],
): Promise<string> {
  const loaded = await Promise.all(
    profiles.map(async (p) => ({ ...p, ...(await layerTotals(p.file, p.window)) })),
  );
  const first = loaded[0];
  const last = loaded[loaded.length - 1];
  if (!first || !last) return "";
  const per = (t: (typeof loaded)[number], layer: string) => (t.totals.get(layer) ?? 0) / t.requests;
  const layers = [...new Set(loaded.flatMap((t) => [...t.totals.keys()]))]
    .filter((k) => k !== "idle")
    .sort((a, b) => per(first, b) - per(first, a));
  const head = loaded.map((t) => `${t.label} µs/req`);
  const row = (name: string, values: number[], share: string) =>
    `| ${name} | ${values.map((v) => v.toFixed(0)).join(" | ")} | ${share} | ${((values[0] ?? 0) - (values[values.length - 1] ?? 0)).toFixed(0)} |`;
  return [
    ...loaded.map(
      (t) =>
        `${t.label}: CPU busy ${(t.busy / 1e6).toFixed(2)} s of ${(t.all / 1e6).toFixed(2)} s profiled, ${t.requests} requests (${t.file})`,
    ),
    "",
    `| layer | ${head.join(" | ")} | ${first.label} of busy | ${first.label} − ${last.label} |`,
    `|---|${head.map(() => "---:|").join("")}---:|---:|`,
    ...layers.map((k) =>
      row(
        k,
        loaded.map((t) => per(t, k)),
        `${((100 * (first.totals.get(k) ?? 0)) / first.busy).toFixed(1)} %`,
      ),
    ),
    row(
      "**busy**",
      loaded.map((t) => t.busy / t.requests),
      "100 %",
    ),
  ].join("\n");
}

/** The frames of one layer with the most self time, per request, in each profile of a profile.ts run. */
export async function layerFrames(dir: string, layer: string, top = 25): Promise<string> {
  const runs = JSON.parse(await readFile(`${dir}/runs.json`, "utf8")) as {
    label: string;
    file: string;
    window: { fromUs: number; toUs: number };
    requests: number;
  }[];
  const out: string[] = [];
  for (const run of runs) {
    const { frames } = await layerTotals(run.file, run.window);
    const inLayer = [...(frames.get(layer) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
    out.push(`${run.label}: ${layer}, µs per request`);
    for (const [frame, us] of inLayer.slice(0, top))
      out.push(`${(us / run.requests).toFixed(1).padStart(7)}  ${frame}`);
  }
  return out.join("\n");
}

/**
 * `npx tsx bench/profileLayers.ts <file.cpuprofile | profile.ts's directory> [layer]`: the table again, or the
 * frames of one layer (its name as the table shows it).
 */
if (require.main === module) {
  const [given, layer] = process.argv.slice(2) as [string, string | undefined];
  (given.endsWith(".cpuprofile")
    ? summariseProfile(given)
    : layer
      ? layerFrames(given, layer)
      : readFile(`${given}/runs.json`, "utf8").then((runs) => compareProfiles(JSON.parse(runs)))
  ).then(console.log);
}
