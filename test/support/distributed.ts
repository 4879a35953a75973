import { randomBytes } from "node:crypto";
import { type CliProcess, spawnCli } from "./cliProcess";
import { type KafkaBroker, startKafkaBroker } from "./kafkaBroker";
import { createTestDatabase, type TestDatabase } from "./testDatabase";
import { startTestService, type TestService } from "./testService";

/** Distributed mode on a real broker: the API in-process, a relay and two projector workers as CLI processes. */
export interface Distributed {
  readonly broker: KafkaBroker;
  readonly db: TestDatabase;
  readonly api: TestService;
  readonly env: Record<string, string>;
  /** [relay, projector, projector]; tests may replace or add processes. */
  readonly workers: CliProcess[];
  /** Every stream's last event is applied: nothing lost. */
  caughtUp(): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startDistributed(dbPrefix: string): Promise<Distributed> {
  const [broker, db] = await Promise.all([startKafkaBroker(), createTestDatabase(dbPrefix)]);
  const suffix = randomBytes(4).toString("hex");
  const env = {
    DATABASE_URL: db.url,
    BUS: "kafka",
    KAFKA_BROKERS: broker.brokers.join(","),
    KAFKA_TOPIC: `livechat.events.${suffix}`,
    KAFKA_TOPIC_PARTITIONS: "4",
    KAFKA_GROUP_ID: `livechat-projector-${suffix}`,
  };
  const api = await startTestService(env, { api: true, projector: false }, db);
  const relay = spawnCli("relay", env);
  const p1 = spawnCli("projector", env);
  const p2 = spawnCli("projector", env);
  const workers = [relay, p1, p2];
  await relay.waitForOutput(/relay active/);
  await Promise.all([
    p1.waitForOutput(/projector worker joined/),
    p2.waitForOutput(/projector worker joined/),
  ]);
  return {
    broker,
    db,
    api,
    env,
    workers,
    async caughtUp() {
      const r = await api.database.knex.raw(`
        select count(*)::int as behind
        from (select stream_id, max(stream_revision) as revision from events group by stream_id) e
        left join stream_revisions s using (stream_id)
        where s.revision is distinct from e.revision`);
      return r.rows[0].behind === 0;
    },
    async stop() {
      await Promise.all(workers.map((w) => w.kill("SIGTERM")));
      await api.stop();
      await broker.stop();
      await db.drop();
    },
  };
}
