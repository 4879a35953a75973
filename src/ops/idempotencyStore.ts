import type { Knex } from "knex";

/** A command request as the idempotency record identifies it: who sent which key, for what. */
export interface IdempotentRequest {
  readonly key: string;
  /** The verified caller (staff key id, OSS user) or the anonymous browser; a key is scoped to its caller. */
  readonly caller: string;
  readonly method: string;
  readonly path: string;
  /** SHA-256 of the request body, so one key cannot be reused for another request. */
  readonly requestHash: string;
}

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A day to retry in; a request that died without an answer is taken over after the longest request time. */
export const IDEMPOTENCY_DEFAULTS = { ttlMs: 24 * 3600_000, leaseMs: 30_000 };

export type Claim =
  /** This request runs the command; it must `complete` or `release` the claim. */
  | { readonly kind: "claimed" }
  /** The first request's answer, to send again. */
  | { readonly kind: "done"; readonly response: StoredResponse }
  /** Another request with the key is running now. */
  | { readonly kind: "in_progress" }
  /** The key was used for another request (other method, path or body). */
  | { readonly kind: "mismatch" };

export interface IdempotencyStore {
  claim(request: IdempotentRequest): Promise<Claim>;
  complete(request: IdempotentRequest, response: StoredResponse): Promise<void>;
  /** Gives the key up (the command failed on the server's side): a retry runs it again. */
  release(request: IdempotentRequest): Promise<void>;
  /** Deletes records older than the TTL; returns how many. */
  purgeExpired(): Promise<number>;
}

/**
 * Idempotency records in Postgres. A claim is one INSERT … ON CONFLICT DO NOTHING on (caller, key), so of any
 * number of concurrent requests with one key exactly one runs the command. A record older than `ttlMs` counts
 * as gone; a claim whose request died without an answer is taken over after `leaseMs`.
 */
export function createIdempotencyStore(
  knex: Knex,
  options: { ttlMs: number; leaseMs: number },
): IdempotencyStore {
  const table = () => knex.table("idempotency_keys");
  const ttl = knex.raw("now() - make_interval(secs => ?)", [options.ttlMs / 1000]);
  const lease = knex.raw("now() - make_interval(secs => ?)", [options.leaseMs / 1000]);
  const row = (r: IdempotentRequest) => ({
    caller: r.caller,
    key: r.key,
    method: r.method,
    path: r.path,
    request_hash: r.requestHash,
  });
  return {
    async claim(request) {
      // An expired record, or a claim abandoned past its lease, is replaced as if it were not there.
      await table()
        .where({ caller: request.caller, key: request.key })
        .where((q) =>
          q
            .where("created_at", "<", ttl)
            .orWhere((o) => o.whereNull("status").where("created_at", "<", lease)),
        )
        .delete();
      const inserted = await table()
        .insert(row(request))
        .onConflict(["caller", "key"])
        .ignore()
        .returning("key");
      if (inserted.length > 0) return { kind: "claimed" };
      const existing = await table().where({ caller: request.caller, key: request.key }).first();
      if (!existing) return this.claim(request); // purged between the two statements
      if (
        existing.method !== request.method ||
        existing.path !== request.path ||
        existing.request_hash !== request.requestHash
      )
        return { kind: "mismatch" };
      if (existing.status === null) return { kind: "in_progress" };
      return { kind: "done", response: { status: existing.status, body: existing.response_body } };
    },
    async complete(request, response) {
      await table()
        .where({ caller: request.caller, key: request.key })
        .update({
          status: response.status,
          response_body: JSON.stringify(response.body ?? null),
          completed_at: knex.fn.now(),
        });
    },
    async release(request) {
      await table().where({ caller: request.caller, key: request.key }).whereNull("status").delete();
    },
    async purgeExpired() {
      return table().where("created_at", "<", ttl).delete();
    },
  };
}
