import { type EventType, isEventType } from "../events/chatEvents";
import { ERASED, open, parseSealed, seal } from "./fieldCipher";
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

/** Seals the personal fields of events with the keys given (every key keysToSeal names). */
export function sealWith<E extends Sealable>(events: readonly E[], keys: ReadonlyMap<string, Buffer>): E[] {
  const plans = events.map(sealingPlan);
  return events.map((event, i) => {
    let data = event.data;
    let metadata: unknown = event.metadata;
    for (const p of plans[i] ?? []) {
      const key = keys.get(p.key.keyId) as Buffer;
      const sealField = (plain: string) => seal(key, p.key.keyId, plain);
      if (p.target === "data") data = mapAt(data, p.path, sealField);
      else metadata = mapAt(metadata, p.path, sealField);
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

function openDeep(value: unknown, keys: ReadonlyMap<string, Buffer>): unknown {
  if (typeof value === "string") {
    const sealed = parseSealed(value);
    if (!sealed) return value;
    const key = keys.get(sealed.keyId);
    return key ? open(key, sealed) : ERASED;
  }
  if (Array.isArray(value)) return value.map((v) => openDeep(v, keys));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openDeep(v, keys)]));
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
    const opened = { ...e, data: openDeep(e.data, keys), metadata: openDeep(e.metadata, keys) };
    const stored = (e as { stored?: { data: unknown } }).stored;
    // A recorded event also carries its data as stored (before upcasting), which audit views show.
    return (stored ? { ...opened, stored: { ...stored, data: openDeep(stored.data, keys) } } : opened) as E;
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
