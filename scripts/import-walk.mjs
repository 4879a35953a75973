#!/usr/bin/env node
// The import graph of src/ and migrations/, read from the code (TypeScript's own pre-processor, type imports included).
//   node scripts/import-walk.mjs walk FILE...   every file FILE imports, transitively (FILE included), and the count
//   node scripts/import-walk.mjs path FROM TO   the files on an import path from FROM to TO (FROM's walk that reaches TO)
//   node scripts/import-walk.mjs back           imports that run against the flow, and files that import each other in a loop
// Flow (a layer imports only its own or lower layers):
//   root (service.ts, database.ts, cli.ts, cli/) > edges (http, migrations) > capabilities (realtime, privacy, webhooks,
//   audit, ops, routing, bus, auth, workspace, reports) > projections > commands, queries > ports and adapters (eventstore, db, bus/bus.ts) > events > domain
//   > leaves (logger, config, identityKeyConfig, i18n). Migrations are frozen: an import of src/ from migrations/ counts too.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const root = path.resolve(process.argv[2] === "--repo" ? process.argv[3] : ".");
const args = process.argv[2] === "--repo" ? process.argv.slice(4) : process.argv.slice(2);

function listTs(dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".d.ts"));
}
const files = [...listTs("src"), ...listTs("migrations")];
const graph = new Map();
for (const f of files) {
  const text = fs.readFileSync(path.join(root, f), "utf8");
  const deps = [];
  for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
    if (!ref.fileName.startsWith(".")) continue;
    const base = path.join(path.dirname(f), ref.fileName);
    const hit = [`${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find((c) =>
      fs.existsSync(path.join(root, c)),
    );
    if (hit) deps.push(hit);
  }
  graph.set(f, [...new Set(deps)]);
}

const LAYERS = [
  [7, /^src\/(service\.ts|database\.ts|cli\.ts|cli\/)/],
  [3, /^src\/bus\/bus\.ts$/],
  [6, /^(src\/http\/|migrations\/)/],
  [5, /^src\/(realtime|privacy|webhooks|audit|ops|routing|bus|auth|workspace|reports)\//],
  [4.5, /^src\/projections\//],
  [4, /^src\/(commands|queries)\//],
  [3, /^src\/(eventstore|db)\//],
  [2, /^src\/events\//],
  [1, /^src\/domain\//],
  [0, /^src\/((logger|config|identityKeyConfig)\.ts|i18n\/)/],
];
const layer = (f) => LAYERS.find(([, re]) => re.test(f))?.[0] ?? 0;

function closure(starts) {
  const seen = new Set();
  const stack = [...starts];
  while (stack.length) {
    const f = stack.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...(graph.get(f) ?? []));
  }
  return [...seen].sort();
}

function cycles() {
  // Tarjan's strongly connected components: every component of more than one file is a loop.
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    on = new Set(),
    stack = [],
    out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const f of graph.keys()) if (!idx.has(f)) visit(f);
  return out;
}

const [verb, ...rest] = args;
if (verb === "walk") {
  const all = closure(rest);
  for (const f of all) console.log(f);
  console.log(`${all.length} files`);
} else if (verb === "path") {
  const [from, to] = rest;
  const reaches = new Set([to]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [f, deps] of graph) {
      if (!reaches.has(f) && deps.some((d) => reaches.has(d))) {
        reaches.add(f);
        grew = true;
      }
    }
  }
  const on = closure([from]).filter((f) => reaches.has(f));
  for (const f of on) console.log(f);
  console.log(`${on.length} files`);
} else if (verb === "back") {
  const back = [];
  for (const [f, deps] of graph)
    for (const d of deps)
      if (layer(d) > layer(f) || (f.startsWith("migrations/") && d.startsWith("src/")))
        back.push(`${f} -> ${d}`);
  for (const b of back) console.log(`against the flow: ${b}`);
  const loops = cycles();
  for (const c of loops) console.log(`loop: ${c.join(" <-> ")}`);
  console.log(`${back.length} imports against the flow, ${loops.length} loops`);
} else {
  console.error("usage: import-walk.mjs [--repo DIR] walk FILE... | path FROM TO | back");
  process.exit(2);
}
