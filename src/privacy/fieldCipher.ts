import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { ERASED } from "../events/recorded";

export { ERASED };

/**
 * A sealed field, in one of two forms; the key id names the data key.
 * - `pii:v1:<key id>:<base64url(iv | tag | ciphertext)>`: the field alone, one AES-GCM per field (still read).
 * - `pii:v2:<key id>:<base64url(iv | tag | ciphertext)>`: an event's envelope — one AES-GCM over the JSON array of
 *   all the event's fields sealed with that key, held by the first of them — and `pii:v2:<key id>:@<n>` in the
 *   others: the n-th entry of the event's envelope for that key (see eventCipher.ts).
 */
const PREFIX = "pii:v1:";
const PREFIX_V2 = "pii:v2:";
/** Associated data of a v2 envelope: the key id and the form, so a v1 field cannot pass for an envelope. */
const V2_AAD = ":v2";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const KEY_BYTES = 32;

/**
 * IVs cut from a pool of random bytes refilled 4 KiB at a time (as node:crypto does for randomUUID): one
 * getrandom call per 341 fields instead of one per field. Each pool is fresh memory, never rewritten, so an IV
 * handed out stays as it was drawn.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

function nextIv(): Buffer {
  if (poolAt + IV_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const iv = pool.subarray(poolAt, poolAt + IV_BYTES);
  poolAt += IV_BYTES;
  return iv;
}

/** AES-256-GCM of `plaintext`; the key id is authenticated too, so a field cannot be moved to another key. */
export function seal(key: Buffer, keyId: string, plaintext: string): string {
  const iv = nextIv();
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(keyId, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${PREFIX}${keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

export interface SealedField {
  readonly version: 1 | 2;
  readonly keyId: string;
  /** v1: the field's ciphertext; v2: the envelope's (empty in a field naming its entry). */
  readonly payload: Buffer;
  /** v2: the field's entry in the event's envelope for the key (0: the field holding the envelope); v1: 0. */
  readonly index: number;
}

/** The parts of a sealed field, or null when the value is not one (plaintext written before encryption). */
export function parseSealed(value: unknown): SealedField | null {
  if (typeof value !== "string") return null;
  const v2 = value.startsWith(PREFIX_V2);
  if (!v2 && !value.startsWith(PREFIX)) return null;
  const split = value.lastIndexOf(":");
  if (split <= PREFIX.length) return null;
  const keyId = value.slice(PREFIX.length, split);
  const tail = value.slice(split + 1);
  if (!v2) return { version: 1, keyId, payload: Buffer.from(tail, "base64url"), index: 0 };
  if (tail.startsWith("@")) {
    const index = Number(tail.slice(1));
    return Number.isInteger(index) && index > 0
      ? { version: 2, keyId, payload: Buffer.alloc(0), index }
      : null;
  }
  return { version: 2, keyId, payload: Buffer.from(tail, "base64url"), index: 0 };
}

/** One AES-256-GCM over all of an event's fields sealed with one key: the envelope, held by the first field. */
export function sealEnvelope(key: Buffer, keyId: string, plaintexts: readonly string[]): string {
  const iv = nextIv();
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(keyId + V2_AAD, "utf8"));
  const body = Buffer.concat([cipher.update(JSON.stringify(plaintexts), "utf8"), cipher.final()]);
  return `${PREFIX_V2}${keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

/** The field holding entry `index` (≥ 1) of the event's envelope for the key. */
export const envelopeEntry = (keyId: string, index: number) => `${PREFIX_V2}${keyId}:@${index}`;

/** Opens an envelope: the plaintexts in order; throws if the key is wrong or the bytes were altered. */
export function openEnvelope(key: Buffer, keyId: string, payload: Buffer): string[] {
  const decipher = createDecipheriv("aes-256-gcm", key, payload.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(keyId + V2_AAD, "utf8"));
  decipher.setAuthTag(payload.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const json = Buffer.concat([decipher.update(payload.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  const parsed: unknown = JSON.parse(json.toString("utf8"));
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string"))
    throw new Error("not an envelope");
  return parsed;
}

/** Opens a v1 sealed field; throws if the key is wrong or the bytes were altered. */
export function open(key: Buffer, sealed: SealedField): string {
  const iv = sealed.payload.subarray(0, IV_BYTES);
  const tag = sealed.payload.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(sealed.keyId, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([
    decipher.update(sealed.payload.subarray(IV_BYTES + TAG_BYTES)),
    decipher.final(),
  ]).toString("utf8");
}

/** Wraps a data key with the key-encryption key (AES-256-GCM, the purpose as associated data). */
export function wrapKey(kek: Buffer, key: Buffer, purpose: string): Buffer {
  const iv = nextIv();
  const cipher = createCipheriv("aes-256-gcm", kek, iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Unwraps a data key; throws when the key-encryption key is not the one that wrapped it. */
export function unwrapKey(kek: Buffer, wrapped: Buffer, purpose: string): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", kek, wrapped.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(purpose, "utf8"));
  decipher.setAuthTag(wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
