import type { Knex } from "knex";
import * as eventStore from "./001_event_store";
import * as readModel from "./002_read_model";
import * as deadLetters from "./003_dead_letters";
import * as staffKeys from "./004_staff_keys";
import * as auditOps from "./005_audit_ops";
import * as appendToStreams from "./006_append_to_streams";
import * as sessionOrigin from "./007_session_origin";
import * as rowVersions from "./008_row_versions";
import * as idempotencyKeys from "./009_idempotency_keys";
import * as appendWithoutNotify from "./010_append_without_notify";
import * as privacy from "./011_privacy";
import * as logCheckpoints from "./012_log_checkpoints";
import * as webhooks from "./013_webhooks";
import * as conversations from "./014_conversations";
import * as piiKeysInOneCall from "./015_pii_keys_in_one_call";
import * as projectionClaims from "./016_projection_claims";
import * as appendWithKeys from "./017_append_with_keys";
import * as agentWorkspace from "./018_agent_workspace";
import * as appendBatch from "./019_append_batch";
import * as reportSessionFacts from "./020_report_session_facts";

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

const migrations: Record<string, Migration> = {
  "001_event_store": eventStore,
  "002_read_model": readModel,
  "003_dead_letters": deadLetters,
  "004_staff_keys": staffKeys,
  "005_audit_ops": auditOps,
  "006_append_to_streams": appendToStreams,
  "007_session_origin": sessionOrigin,
  "008_row_versions": rowVersions,
  "009_idempotency_keys": idempotencyKeys,
  "010_append_without_notify": appendWithoutNotify,
  "011_privacy": privacy,
  "012_log_checkpoints": logCheckpoints,
  "013_webhooks": webhooks,
  "014_conversations": conversations,
  "015_pii_keys_in_one_call": piiKeysInOneCall,
  "016_projection_claims": projectionClaims,
  "017_append_with_keys": appendWithKeys,
  "018_agent_workspace": agentWorkspace,
  "019_append_batch": appendBatch,
  "020_report_session_facts": reportSessionFacts,
};

/** Migrations as modules, so they run the same from TypeScript sources and from the compiled build. */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};
