import knexFactory, { type Knex } from "knex";
import { Client, Pool } from "pg";

// int8 stays a string (bigint positions); timestamptz arrives as Date.
export function createKnex(connectionString: string, poolSize: number): Knex {
  return knexFactory({
    client: "pg",
    connection: { connectionString },
    pool: { min: 0, max: poolSize },
  });
}

export function createPool(connectionString: string, poolSize: number): Pool {
  return new Pool({ connectionString, max: poolSize });
}

/** The migrations, as the composition root hands them over (migrations/index.ts). */
export type Migrations = Knex.MigrationSource<string>;

const migrationConfig = (migrations: Migrations): Knex.MigratorConfig => ({
  migrationSource: migrations,
  tableName: "knex_migrations",
});

export async function migrateLatest(knex: Knex, migrations: Migrations): Promise<string[]> {
  const [, applied] = await knex.migrate.latest(migrationConfig(migrations));
  return applied as string[];
}

/** Rolls back every migration. */
export async function migrateDownAll(knex: Knex, migrations: Migrations): Promise<string[]> {
  const [, rolledBack] = await knex.migrate.rollback(migrationConfig(migrations), true);
  return rolledBack as string[];
}

/** Creates the URL's database when it does not exist yet (connecting to the server's "postgres" database). */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!name) return;
  url.pathname = "/postgres";
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== "42P04") throw err; // created concurrently
  } finally {
    await client.end();
  }
}
