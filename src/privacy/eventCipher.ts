import { type EventType, isEventType } from "../events/chatEvents";
import {
  ERASED,
  envelopeEntry,
  open,
  openEnvelope,
  parseSealed,
  type SealedField,
  sealEnvelope,
} from "./fieldCipher";
import type { KeyRequest, KeyStore } from "./keyStore";
import {
  type PersonalFields,
  personalFields,
  personalMetadata,
  sessionMessagesKeyId,
  subjectKeyId,
} from "./personalFields";

/** The parts of an event sealing looks at; everything else passes through unchanged. */
interface Sealable {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: object;
}

type Json = Record<string, unknown>;

interface FieldPlan {
  readonly target: "data" | "metadata";
  readonly path: readonly string[];
  readonly key: KeyRequest;
}

/** Which fields of an event are sealed with which key, from the one table of personal fields. */
export function sealingPlan(event: Sealable): FieldPlan[] {
  if (!isEventType(event.type)) return [];
  const spec: PersonalFields = personalFields[event.type as EventType];
  const data = event.data as Json;
  const metadata = event.metadata as Json;
  const subjectId = spec.subjectOf?.(data) ?? String(metadata.owner_id);
  const subjectKey = { keyId: subjectKeyId(subjectId), subjectId };
  const plan: FieldPlan[] = [];
  for (const path of spec.subject ?? [])
    plan.push({ target: "data", path: path.split("."), key: subjectKey });
  for (const path of spec.sessionMessages ?? []) {
    const key = { keyId: sessionMessagesKeyId(String(data.session_id)), subjectId };
    plan.push({ target: "data", path: path.split("."), key });
  }
  // A system action (auto-routing, the CLI, erasure closing a subject's chats) comes from no person: where it
  // came from is not personal, and an event with nothing else to seal needs no key, even an erased subject's.
  const bySystem = (metadata?.actor as Json | undefined)?.kind === "system";
  if (spec.sealMetadata !== false && !bySystem) {
    for (const field of personalMetadata) plan.push({ target: "metadata", path: [field], key: subjectKey });
  }
  return plan;
}

function mapAt(value: unknown, path: readonly string[], f: (leaf: string) => string): unknown {
  if (value === null || typeof value !== "object") return value;
  const [head, ...rest] = path;
  if (head === undefined || !Object.hasOwn(value, head)) return value;
  const current = (value as Json)[head];
  if (rest.length > 0) return { ...(value as Json), [head]: mapAt(current, rest, f) };
  // Null stays null (absent information), and a field already sealed is not sealed twice.
  if (typeof current !== "string" || parseSealed(current) !== null) return value;
  return { ...(value as Json), [head]: f(current) };
}

/** Seals the personal fields of events with their subjects' keys; refuses for an erased subject. */
export async function sealEvents<E extends Sealable>(events: readonly E[], keyStore: KeyStore): Promise<E[]> {
  const requests = keysToSeal(events);
  if (requests.length === 0) return [...events];
  return sealWith(events, await keyStore.keysForSealing(requests));
}

/** The keys sealing the events needs. */
export function keysToSeal(events: readonly Sealable[]): KeyRequest[] {
  return events.flatMap(sealingPlan).map((p) => p.key);
}

/**
 * Seals the personal fields of events with the keys given (every key keysToSeal names): per event and key, one
 * AES-GCM over all the fields that key seals (`pii:v2`), the envelope held by the first of them and the others
 * naming their entry in it.
 */
export function sealWith<E extends Sealable>(events: readonly E[], keys: ReadonlyMap<string, Buffer>): E[] {
  return events.map((event) => {
    const plan = sealingPlan(event);
    if (plan.length === 0) return event;
    // First pass: each key's plaintexts in plan order (a field absent, null or already sealed is left alone).
    const plaintexts = new Map<string, string[]>();
    const collect = (keyId: string) => (plain: string) => {
      const list = plaintexts.get(keyId) ?? [];
      list.push(plain);
      plaintexts.set(keyId, list);
      return plain;
    };
    for (const p of plan)
      mapAt(p.target === "data" ? event.data : event.metadata, p.path, collect(p.key.keyId));
    // Second pass: the same fields in the same order, the first of each key taking the envelope.
    const envelopes = new Map<string, string>();
    for (const [keyId, list] of plaintexts)
      envelopes.set(keyId, sealEnvelope(keys.get(keyId) as Buffer, keyId, list));
    const next = new Map<string, number>();
    const entry = (keyId: string) => () => {
      const n = next.get(keyId) ?? 0;
      next.set(keyId, n + 1);
      return n === 0 ? (envelopes.get(keyId) as string) : envelopeEntry(keyId, n);
    };
    let data = event.data;
    let metadata: unknown = event.metadata;
    for (const p of plan) {
      if (p.target === "data") data = mapAt(data, p.path, entry(p.key.keyId));
      else metadata = mapAt(metadata, p.path, entry(p.key.keyId));
    }
    return { ...event, data, metadata } as E;
  });
}

const storedData = (e: object): unknown => (e as { stored?: { data: unknown } }).stored?.data;

function collectKeyIds(value: unknown, into: Set<string>): void {
  if (typeof value === "string") {
    const sealed = parseSealed(value);
    if (sealed) into.add(sealed.keyId);
  } else if (Array.isArray(value)) for (const v of value) collectKeyIds(v, into);
  else if (value !== null && typeof value === "object")
    for (const v of Object.values(value)) collectKeyIds(v, into);
}

/** An event's v2 envelopes, opened: key id → the plaintexts (a key destroyed or an envelope missing: none). */
type Envelopes = ReadonlyMap<string, readonly string[]>;

function collectEnvelopes(
  value: unknown,
  keys: ReadonlyMap<string, Buffer>,
  into: Map<string, string[]>,
): void {
  if (typeof value === "string") {
    const sealed = parseSealed(value);
    if (sealed?.version !== 2 || sealed.index !== 0 || into.has(sealed.keyId)) return;
    const key = keys.get(sealed.keyId);
    if (key) into.set(sealed.keyId, openEnvelope(key, sealed.keyId, sealed.payload));
  } else if (Array.isArray(value)) for (const v of value) collectEnvelopes(v, keys, into);
  else if (value !== null && typeof value === "object")
    for (const v of Object.values(value)) collectEnvelopes(v, keys, into);
}

function openField(sealed: SealedField, keys: ReadonlyMap<string, Buffer>, envelopes: Envelopes): string {
  if (sealed.version === 1) {
    const key = keys.get(sealed.keyId);
    return key ? open(key, sealed) : ERASED;
  }
  return envelopes.get(sealed.keyId)?.[sealed.index] ?? ERASED;
}

function openDeep(value: unknown, keys: ReadonlyMap<string, Buffer>, envelopes: Envelopes): unknown {
  if (typeof value === "string") {
    const sealed = parseSealed(value);
    return sealed ? openField(sealed, keys, envelopes) : value;
  }
  if (Array.isArray(value)) return value.map((v) => openDeep(v, keys, envelopes));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openDeep(v, keys, envelopes)]));
  }
  return value;
}

/**
 * Opens every sealed field of the events (wherever it sits, so any stored version reads); a field whose key
 * was destroyed reads as "[erased]". One key lookup serves the whole batch.
 */
export async function openEvents<E extends Sealable>(
  events: readonly E[],
  keyStore: KeyStore,
  options: { readonly only?: ReadonlySet<string> } = {},
): Promise<E[]> {
  keyStore.observe?.(events);
  const ids = new Set<string>();
  // `only`: the event types the reader uses; the others pass through sealed (the real-time follower).
  const wanted = (e: E) => options.only === undefined || options.only.has(e.type);
  for (const e of events) {
    if (!wanted(e)) continue;
    collectKeyIds(e.data, ids);
    collectKeyIds(e.metadata, ids);
    collectKeyIds(storedData(e), ids);
  }
  if (ids.size === 0) return [...events];
  const keys = await keyStore.keysForOpening([...ids]);
  return events.map((e) => {
    if (!wanted(e)) return e;
    const stored = (e as { stored?: { data: unknown } }).stored;
    // Each v2 envelope of the event opened once (one AES-GCM per key), wherever its entries sit.
    const envelopes = new Map<string, string[]>();
    collectEnvelopes(e.data, keys, envelopes);
    collectEnvelopes(e.metadata, keys, envelopes);
    if (stored) collectEnvelopes(stored.data, keys, envelopes);
    const opened = {
      ...e,
      data: openDeep(e.data, keys, envelopes),
      metadata: openDeep(e.metadata, keys, envelopes),
    };
    // A recorded event also carries its data as stored (before upcasting), which audit views show.
    return (
      stored ? { ...opened, stored: { ...stored, data: openDeep(stored.data, keys, envelopes) } } : opened
    ) as E;
  });
}

/** The event with its plaintext personal fields replaced by "[erased]": for a subject erased with no key left. */
export function blankEvent<E extends Sealable>(event: E): E {
  let data = event.data;
  let metadata: unknown = event.metadata;
  for (const p of sealingPlan(event)) {
    if (p.target === "data") data = mapAt(data, p.path, () => ERASED);
    else metadata = mapAt(metadata, p.path, () => ERASED);
  }
  return { ...event, data, metadata } as E;
}
