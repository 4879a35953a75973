import type { Command } from "commander";
import {
  createStaffKey,
  listStaffKeys,
  revokeStaffKey,
  staffRoleSchema,
  staffRoles,
} from "../auth/staffKeys";
import { ConfigError } from "../config";
import { withDatabase } from "./withDatabase";

/** `livechat keys create|list|revoke`: staff API keys, stored hashed; a new key is printed once. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command("keys").description("staff API keys (roles: agent, auditor, ops, privacy)");
  keys
    .command("create")
    .description("create a key and print it once on stdout (its id on stderr): it is stored only as a hash")
    .requiredOption("--role <role>", `one of ${staffRoles.join(", ")}`)
    .requiredOption("--name <name>", "who or what the key is for")
    .action(async (options: { role: string; name: string }) => {
      const role = staffRoleSchema.safeParse(options.role);
      if (!role.success) throw new ConfigError(`--role: must be one of ${staffRoles.join(", ")}`);
      const name = options.name.trim();
      if (name === "" || name.length > 255) throw new ConfigError("--name: must be 1 to 255 characters");
      const created = await withDatabase((db) => createStaffKey(db.knex, { name, role: role.data }));
      // stdout: the key alone, so `KEY=$(livechat keys create …)` holds just it; the rest is for the person.
      process.stdout.write(`${created.key}\n`);
      process.stderr.write(
        `created ${created.role} key ${created.id} for "${created.name}".\n` +
          "Store the key now: it is not shown again. Send it as Authorization: Bearer <key>.\n",
      );
    });
  keys
    .command("list")
    .description("list keys (never the keys themselves), with when each was last used")
    .action(async () => {
      const rows = await withDatabase((db) => listStaffKeys(db.knex));
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : "-");
      for (const r of rows) {
        process.stdout.write(
          `${r.id}  ${r.role.padEnd(7)}  ${r.revoked_at ? "revoked" : "active "}  created ${iso(r.created_at)}  last used ${iso(r.last_used_at)}  ${r.name}\n`,
        );
      }
      if (rows.length === 0) process.stdout.write("no staff keys\n");
    });
  keys
    .command("revoke")
    .description("revoke a key by its id: it stops working at once")
    .argument("<id>", "the key's id (from keys list)")
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id))
        throw new ConfigError("<id>: must be a key id (a UUID) from keys list");
      const revoked = await withDatabase((db) => revokeStaffKey(db.knex, id));
      if (!revoked) throw new Error(`no active key with id ${id}`);
      process.stdout.write(`revoked ${id}\n`);
    });
}
