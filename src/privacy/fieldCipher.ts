import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { ERASED } from "../events/recorded";

export { ERASED };

/** A sealed field: `pii:v1:<key id>:<base64url(iv | tag | ciphertext)>`; the key id names the data key. */
const PREFIX = "pii:v1:";
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
  readonly keyId: string;
  readonly payload: Buffer;
}

/** The parts of a sealed field, or null when the value is not one (plaintext written before encryption). */
export function parseSealed(value: unknown): SealedField | null {
  if (typeof value !== "string" || !value.startsWith(PREFIX)) return null;
  const split = value.lastIndexOf(":");
  if (split <= PREFIX.length) return null;
  return {
    keyId: value.slice(PREFIX.length, split),
    payload: Buffer.from(value.slice(split + 1), "base64url"),
  };
}

/** Opens a sealed field; throws if the key is wrong or the bytes were altered. */
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
