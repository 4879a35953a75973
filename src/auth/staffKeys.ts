import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { z } from "zod";

/** `supervisor`: an agent who also manages the shared canned responses and sees every team's sessions. */
export const staffRoles = ["agent", "auditor", "ops", "privacy", "supervisor"] as const;
export const staffRoleSchema = z.enum(staffRoles);
export type StaffRole = z.infer<typeof staffRoleSchema>;

export interface StaffMember {
  readonly id: string;
  readonly name: string;
  readonly role: StaffRole;
}

/** Every staff key starts with this, so a bearer credential is told apart from a JWT at a glance. */
export const STAFF_KEY_PREFIX = "lcs_";

const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** Makes a key; the returned `key` is the only time it exists in clear. */
export async function createStaffKey(knex: Knex, input: { name: string; role: StaffRole }) {
  const key = `${STAFF_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const id = randomUUID();
  await knex
    .table("staff_api_keys")
    .insert({ id, name: input.name, role: input.role, key_hash: hashKey(key) });
  return { id, name: input.name, role: input.role, key };
}

/** The staff member a key belongs to, or null when it is unknown or revoked. */
export async function verifyStaffKey(knex: Knex, key: string): Promise<StaffMember | null> {
  if (!key.startsWith(STAFF_KEY_PREFIX)) return null;
  const row = await knex
    .table("staff_api_keys")
    .where({ key_hash: hashKey(key) })
    .whereNull("revoked_at")
    .first("id", "name", "role");
  return row ? { id: row.id, name: row.name, role: row.role } : null;
}

export async function listStaffKeys(knex: Knex) {
  return knex
    .table("staff_api_keys")
    .select("id", "name", "role", "created_at", "last_used_at", "revoked_at")
    .orderBy("created_at");
}

/** Revokes a key by id; true if a live key was revoked. */
export async function revokeStaffKey(knex: Knex, id: string): Promise<boolean> {
  const n = await knex
    .table("staff_api_keys")
    .where({ id })
    .whereNull("revoked_at")
    .update({ revoked_at: knex.fn.now() });
  return n > 0;
}

/** An agent by its key id (the agent's id), with the key's name; null if no live agent key has that id. */
export async function findAgent(knex: Knex, id: string): Promise<{ id: string; name: string } | null> {
  const row = await knex
    .table("staff_api_keys")
    .where({ id, role: "agent" })
    .whereNull("revoked_at")
    .first("id", "name");
  return row ? { id: row.id, name: row.name } : null;
}
