import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { KEY_BYTES, unwrapKey, wrapKey } from "./fieldCipher";
import { type KeyRequest, type KeyStore, SubjectErasedError } from "./keyStore";

/** A fixed plaintext wrapped with the KEK when the first key is made, to tell a wrong KEK at start. */
const CHECK_PURPOSE = "pii-kek-check";
const CHECK_VALUE = Buffer.alloc(KEY_BYTES, 0x5a);

/** Erasure and key creation for one subject never interleave: both hold this transaction lock. */
const lockSubject = (trx: Knex.Transaction, subjectId: string) =>
  trx.raw("SELECT pg_advisory_xact_lock(hashtextextended(?, 7013))", [`pii:${subjectId}`]);

/** Data keys in Postgres (`pii_keys`), each wrapped by the key-encryption key; erased subjects in `pii_erased_subjects`. */
export function createPostgresKeyStore(knex: Knex, kek: Buffer): KeyStore {
  const purpose = (keyId: string) => `pii-key:${keyId}`;

  async function keysForOpening(keyIds: readonly string[]) {
    const ids = [...new Set(keyIds)];
    const keys = new Map<string, Buffer>();
    if (ids.length === 0) return keys;
    const rows: { key_id: string; wrapped_key: Buffer }[] = await knex
      .table("pii_keys")
      .whereIn("key_id", ids)
      .select("key_id", "wrapped_key");
    for (const r of rows) keys.set(r.key_id, unwrapKey(kek, r.wrapped_key, purpose(r.key_id)));
    return keys;
  }

  async function keysForSealing(requests: readonly KeyRequest[]) {
    const keys = await keysForOpening(requests.map((r) => r.keyId));
    const missing = requests.filter((r) => !keys.has(r.keyId));
    const subjects = [...new Set(requests.map((r) => r.subjectId))];
    // A key that exists may still belong to a subject erased a moment ago: check the tombstones too.
    const erased: { subject_id: string }[] = await knex
      .table("pii_erased_subjects")
      .whereIn("subject_id", subjects)
      .select("subject_id");
    if (erased[0]) throw new SubjectErasedError(erased[0].subject_id);
    for (const request of missing) {
      if (keys.has(request.keyId)) continue;
      keys.set(request.keyId, await makeKey(request));
    }
    return keys;
  }

  async function makeKey(request: KeyRequest): Promise<Buffer> {
    return knex.transaction(async (trx) => {
      await lockSubject(trx, request.subjectId);
      const erased = await trx.table("pii_erased_subjects").where("subject_id", request.subjectId).first();
      if (erased) throw new SubjectErasedError(request.subjectId);
      const key = randomBytes(KEY_BYTES);
      await trx
        .table("pii_keys")
        .insert({
          key_id: request.keyId,
          subject_id: request.subjectId,
          wrapped_key: wrapKey(kek, key, purpose(request.keyId)),
        })
        .onConflict("key_id")
        .ignore();
      // Another writer may have made it first: everyone seals with the one stored.
      const row = await trx.table("pii_keys").where("key_id", request.keyId).first("wrapped_key");
      return unwrapKey(kek, row.wrapped_key, purpose(request.keyId));
    });
  }

  async function eraseSubjects(subjectIds: readonly string[]) {
    return knex.transaction(async (trx) => {
      const alreadyErased: string[] = [];
      let destroyed = 0;
      for (const subjectId of [...new Set(subjectIds)].sort()) {
        await lockSubject(trx, subjectId);
        const inserted = await trx
          .table("pii_erased_subjects")
          .insert({ subject_id: subjectId })
          .onConflict("subject_id")
          .ignore()
          .returning("subject_id");
        if (inserted.length === 0) alreadyErased.push(subjectId);
        destroyed += await trx.table("pii_keys").where("subject_id", subjectId).delete();
      }
      return { destroyed, alreadyErased };
    });
  }

  return {
    keysForSealing,
    keysForOpening,
    eraseSubjects,
    async destroyKeys(keyIds) {
      if (keyIds.length === 0) return 0;
      return knex
        .table("pii_keys")
        .whereIn("key_id", [...keyIds])
        .delete();
    },
    async isErased(subjectId) {
      return (await knex.table("pii_erased_subjects").where("subject_id", subjectId).first()) !== undefined;
    },
  };
}

export class WrongKekError extends Error {
  constructor() {
    super("PII_KEK: this key-encryption key did not wrap the stored data keys (wrong or replaced key)");
    this.name = "WrongKekError";
  }
}

/**
 * Checks the KEK against the check value stored with the keys, storing it on first use, so a wrong key fails
 * at start instead of making every personal field unreadable.
 */
export async function checkKek(knex: Knex, kek: Buffer): Promise<void> {
  const wrapped = wrapKey(kek, CHECK_VALUE, CHECK_PURPOSE);
  await knex.table("pii_kek_check").insert({ id: 1, wrapped_check: wrapped }).onConflict("id").ignore();
  const row = await knex.table("pii_kek_check").where("id", 1).first("wrapped_check");
  try {
    if (!unwrapKey(kek, row.wrapped_check, CHECK_PURPOSE).equals(CHECK_VALUE)) throw new WrongKekError();
  } catch {
    throw new WrongKekError();
  }
}
