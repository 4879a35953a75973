import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { queryRows } from "../db/rawQuery";
import { KEY_BYTES, unwrapKey, wrapKey } from "./fieldCipher";
import { type KeyRequest, type KeyStore, SubjectErasedError } from "./keyStore";

/** A fixed plaintext wrapped with the KEK when the first key is made, to tell a wrong KEK at start. */
const CHECK_PURPOSE = "pii-kek-check";
const CHECK_VALUE = Buffer.alloc(KEY_BYTES, 0x5a);

/** Raised by pii_keys_for_sealing for an erased subject (the subject in its DETAIL). */
const ERASED_SQLSTATE = "LC410";

/** Erasure and key creation for one subject never interleave: both hold this transaction lock (migration 015). */
const lockSubject = (trx: Knex.Transaction, subjectId: string) =>
  trx.raw("SELECT pg_advisory_xact_lock(hashtextextended(?, 7013))", [`pii:${subjectId}`]);

/** Data keys in Postgres (`pii_keys`), each wrapped by the key-encryption key; erased subjects in `pii_erased_subjects`. */
export function createPostgresKeyStore(knex: Knex, kek: Buffer): KeyStore {
  const purpose = (keyId: string) => `pii-key:${keyId}`;

  async function keysForOpening(keyIds: readonly string[]) {
    const ids = [...new Set(keyIds)];
    const keys = new Map<string, Buffer>();
    if (ids.length === 0) return keys;
    const rows = await queryRows<{ key_id: string; wrapped_key: Buffer }>(
      knex,
      "SELECT key_id, wrapped_key FROM pii_keys WHERE key_id = ANY($1::text[])",
      [ids],
    );
    for (const r of rows) keys.set(r.key_id, unwrapKey(kek, r.wrapped_key, purpose(r.key_id)));
    return keys;
  }

  /**
   * One round trip (`pii_keys_for_sealing`, migration 015): every key the write needs goes with a freshly made
   * wrapped key; the database refuses an erased subject, keeps the keys that exist and stores the rest.
   */
  async function keysForSealing(requests: readonly KeyRequest[]) {
    const unique = [...new Map(requests.map((r) => [r.keyId, r])).values()];
    const made = new Map<string, { key: Buffer; wrapped: Buffer }>();
    for (const r of unique) {
      const key = randomBytes(KEY_BYTES);
      made.set(r.keyId, { key, wrapped: wrapKey(kek, key, purpose(r.keyId)) });
    }
    let rows: { out_key_id: string; out_wrapped_key: Buffer }[];
    try {
      rows = await queryRows(
        knex,
        "SELECT out_key_id, out_wrapped_key FROM pii_keys_for_sealing($1::jsonb)",
        [
          JSON.stringify(
            unique.map((r) => ({
              key_id: r.keyId,
              subject_id: r.subjectId,
              wrapped_key: made.get(r.keyId)?.wrapped.toString("base64"),
            })),
          ),
        ],
      );
    } catch (err) {
      const e = err as { code?: string; detail?: string };
      if (e.code === ERASED_SQLSTATE) throw new SubjectErasedError(e.detail ?? "");
      throw err;
    }
    const keys = new Map<string, Buffer>();
    for (const row of rows) {
      const mine = made.get(row.out_key_id);
      // The key this call made, unless another writer's was stored first.
      keys.set(
        row.out_key_id,
        mine?.wrapped.equals(row.out_wrapped_key)
          ? mine.key
          : unwrapKey(kek, row.out_wrapped_key, purpose(row.out_key_id)),
      );
    }
    return keys;
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
    prepareKeys(requests) {
      const made = [...new Map(requests.map((r) => [r.keyId, r])).values()].map((r) => {
        const key = randomBytes(KEY_BYTES);
        return {
          keyId: r.keyId,
          subjectId: r.subjectId,
          key,
          wrappedKey: wrapKey(kek, key, purpose(r.keyId)),
        };
      });
      return { keys: new Map(made.map((m) => [m.keyId, m.key])), made };
    },
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
