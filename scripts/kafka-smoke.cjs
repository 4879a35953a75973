#!/usr/bin/env node
/*
 * Proves that kafkajs works against a running broker (see scripts/kafka.sh):
 *   1. admin creates a topic with 3 partitions
 *   2. a consumer group of 2 consumers joins (both get partitions)
 *   3. an idempotent producer (acks -1) sends 300 keyed messages
 *   4. the group consumes all 300 exactly once and commits offsets explicitly
 *   5. committed offsets equal the high watermarks; after the 2 consumers leave, 30 more messages are
 *      produced and a fresh member of the same group gets exactly those 30 (resumes from the commits)
 *
 * Usage: node scripts/kafka-smoke.cjs [host:port]   (default $KAFKA_BROKERS or 127.0.0.1:19092)
 * Exit code 0 on success, 1 on failure.
 */
"use strict";

process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";
const { Kafka, logLevel } = require("kafkajs");

const brokers = (process.argv[2] || process.env.KAFKA_BROKERS || "127.0.0.1:19092").split(",");
const TOTAL = 300;
const EXTRA = 30;
const PARTITIONS = 3;
const OVERALL_TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_MS || 120000);

const started = Date.now();
const since = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (msg) => console.log(`[smoke ${since()}] ${msg}`);

const logCounts = {};
const kafka = new Kafka({
  clientId: "kafka-smoke",
  brokers,
  logLevel: logLevel.WARN,
  logCreator:
    () =>
    ({ level, log }) => {
      const name = level === logLevel.ERROR ? "ERROR" : "WARN";
      const key = `${name} ${log.message}${log.error ? `: ${log.error}` : ""}`;
      logCounts[key] = (logCounts[key] || 0) + 1;
      if (logCounts[key] <= 2) console.log(`[kafkajs ${name}] ${key.slice(name.length + 1)}`);
    },
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, predicate, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function makeConsumer(name, groupId, topic, received, assignments) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const parts = (e.payload.memberAssignment[topic] || []).slice().sort();
    assignments[name] = { generation: e.payload.generationId ?? null, partitions: parts };
    say(`${name} joined group (leader=${e.payload.isLeader}) partitions=[${parts.join(",")}]`);
  });
  const run = async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        for (const m of batch.messages) {
          received.push({
            consumer: name,
            partition: batch.partition,
            offset: m.offset,
            key: m.key ? m.key.toString() : null,
            value: m.value ? m.value.toString() : null,
          });
          resolveOffset(m.offset);
        }
        if (batch.messages.length > 0) {
          const next = (BigInt(batch.lastOffset()) + 1n).toString();
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        }
        await heartbeat();
      },
    });
  };
  return { consumer, run };
}

async function main() {
  const suffix = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const topic = `smoke-${suffix}`;
  const groupId = `smoke-group-${suffix}`;
  say(`brokers=${brokers.join(",")} topic=${topic} group=${groupId}`);

  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  if (!created) throw new Error("createTopics returned false (topic already existed?)");
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  const nParts = meta.topics[0].partitions.length;
  if (nParts !== PARTITIONS) throw new Error(`expected ${PARTITIONS} partitions, metadata says ${nParts}`);
  say(`topic created with ${nParts} partitions`);

  const received = [];
  const assignments = {};
  const a = makeConsumer("c1", groupId, topic, received, assignments);
  const b = makeConsumer("c2", groupId, topic, received, assignments);
  await a.run();
  await b.run();
  await waitFor("both consumers to share the 3 partitions", () => {
    const p1 = assignments.c1?.partitions ?? [];
    const p2 = assignments.c2?.partitions ?? [];
    const all = new Set([...p1, ...p2]);
    return p1.length > 0 && p2.length > 0 && p1.length + p2.length === PARTITIONS && all.size === PARTITIONS;
  });
  say(`group balanced: c1=[${assignments.c1.partitions}] c2=[${assignments.c2.partitions}]`);

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let start = 0; start < TOTAL; start += 100) {
    const messages = [];
    for (let i = start; i < Math.min(start + 100, TOTAL); i++) {
      messages.push({ key: `key-${i % 37}`, value: `msg-${i}` });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  say(`produced ${TOTAL} messages (idempotent, acks=-1)`);

  await waitFor(`${TOTAL} messages to be consumed`, () => received.length >= TOTAL);
  await sleep(1500); // let any duplicate show up
  const values = new Set(received.map((r) => r.value));
  if (received.length !== TOTAL || values.size !== TOTAL) {
    throw new Error(`expected ${TOTAL} unique messages, got ${received.length} (${values.size} unique)`);
  }
  const keyPartition = new Map();
  for (const r of received) {
    const p = keyPartition.get(r.key);
    if (p !== undefined && p !== r.partition)
      throw new Error(`key ${r.key} seen in partitions ${p} and ${r.partition}`);
    keyPartition.set(r.key, r.partition);
  }
  const byConsumer = { c1: 0, c2: 0 };
  for (const r of received) byConsumer[r.consumer]++;
  if (byConsumer.c1 === 0 || byConsumer.c2 === 0)
    throw new Error(`one consumer got nothing: ${JSON.stringify(byConsumer)}`);
  say(`consumed ${TOTAL} exactly once: c1=${byConsumer.c1} c2=${byConsumer.c2}`);

  const group = await admin.describeGroups([groupId]);
  const g = group.groups[0];
  say(`group state=${g.state} members=${g.members.length} protocol=${g.protocol}`);
  if (g.members.length !== 2) throw new Error(`expected 2 group members, got ${g.members.length}`);

  const high = await admin.fetchTopicOffsets(topic);
  await waitFor(
    "committed offsets to reach the high watermarks",
    async () => {
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPart = new Map(committed[0].partitions.map((p) => [p.partition, p.offset]));
      return high.every((h) => byPart.get(h.partition) === h.high);
    },
    15000,
  );
  say(`committed offsets = high watermarks [${high.map((h) => `${h.partition}:${h.high}`).join(" ")}]`);

  await a.consumer.disconnect();
  await b.consumer.disconnect();

  // Resume: a fresh member of the same group must only see what was produced after the commits.
  const extraStart = received.length;
  for (let i = TOTAL; i < TOTAL + EXTRA; i++) {
    await producer.send({ topic, acks: -1, messages: [{ key: `key-${i % 37}`, value: `msg-${i}` }] });
  }
  const c = makeConsumer("c3", groupId, topic, received, assignments);
  await c.run();
  await waitFor(`${EXTRA} new messages for the resumed group`, () => received.length >= extraStart + EXTRA);
  await sleep(1500);
  const extra = received.slice(extraStart);
  const extraValues = new Set(extra.map((r) => r.value));
  const expected = Array.from({ length: EXTRA }, (_, k) => `msg-${TOTAL + k}`);
  if (extra.length !== EXTRA || !expected.every((v) => extraValues.has(v))) {
    throw new Error(`resumed group got ${extra.length} messages, first: ${extra[0]?.value}`);
  }
  say(`resumed group got exactly the ${EXTRA} new messages`);

  await c.consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
}

const timer = setTimeout(() => {
  console.error(`[smoke ${since()}] FAILED: overall timeout ${OVERALL_TIMEOUT_MS}ms`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

main().then(
  () => {
    clearTimeout(timer);
    const noisy = Object.entries(logCounts);
    if (noisy.length > 0)
      say(`kafkajs warnings/errors seen: ${noisy.map(([k, n]) => `${n}x ${k}`).join(" | ")}`);
    say("OK");
    process.exit(0);
  },
  (err) => {
    clearTimeout(timer);
    console.error(`[smoke ${since()}] FAILED: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
