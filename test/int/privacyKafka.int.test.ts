import { randomBytes, randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { createStaffKey } from "../../src/auth/staffKeys";
import { fromWire } from "../../src/events/wireFormat";
import { openEvents } from "../../src/privacy/eventCipher";
import { ERASED } from "../../src/privacy/fieldCipher";
import { asBrowser } from "../support/identity";
import { type KafkaBroker, startKafkaBroker } from "../support/kafkaBroker";
import { leaked } from "../support/privacy";
import { waitFor } from "../support/readModel";
import { startTestService, type TestService } from "../support/testService";

// Distributed mode in one process: API + relay + a Kafka projector worker, against a real broker.
let broker: KafkaBroker;
let svc: TestService;
let topic: string;

beforeAll(async () => {
  broker = await startKafkaBroker();
  const suffix = randomBytes(4).toString("hex");
  topic = `livechat.privacy.${suffix}`;
  svc = await startTestService(
    {
      BUS: "kafka",
      KAFKA_BROKERS: broker.brokers.join(","),
      KAFKA_TOPIC: topic,
      KAFKA_TOPIC_PARTITIONS: "2",
      KAFKA_GROUP_ID: `livechat-privacy-${suffix}`,
    },
    { api: true, projector: "kafka", relay: true },
  );
}, 180_000);

afterAll(async () => {
  await svc?.stop();
  await broker?.stop();
}, 60_000);

/** Every message on the topic so far, as the broker holds it. */
async function rawTopic(expected: number): Promise<string[]> {
  const kafka = new Kafka({ clientId: "privacy-test", brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `raw-${randomUUID()}` });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString("utf8") ?? "");
    },
  });
  try {
    await waitFor(async () => values.length >= expected, 60_000);
  } finally {
    await consumer.disconnect();
  }
  return values;
}

test("the topic carries the sealed form; the projector opens it after the bus; erasure reaches it", async () => {
  const browser = randomUUID();
  const values = {
    name: `Agus Salim ${randomUUID().slice(0, 6)}`,
    email: `agus.${randomUUID().slice(0, 6)}@example.co.id`,
    userAgent: `kafka-widget/${randomUUID().slice(0, 6)}`,
  };
  const s = await svc.post(
    "/api/oss-chat/start",
    { browser_uuid: browser, topic: "Izin" },
    { ...asBrowser(browser), "user-agent": values.userAgent },
  );
  const c = await svc.post(
    "/api/oss-chat/contact",
    { session_id: s.body.session_id, contact_name: values.name, contact_email: values.email },
    asBrowser(browser),
  );
  expect([s.status, c.status]).toEqual([201, 201]);
  // The Kafka projector wrote plaintext rows: it opened what it consumed.
  await waitFor(async () => {
    const row = await svc.database.knex
      .table("chat_session_contacts")
      .where("session_id", s.body.session_id)
      .first();
    return row?.contact_name === values.name;
  }, 60_000);

  const messages = await rawTopic(3);
  const onTopic = messages.join("\n");
  expect(leaked(onTopic, Object.values(values))).toEqual([]);
  const contactSet = messages.map((m) => JSON.parse(m)).find((m) => m.type === "ChatSessionContactSet");
  expect(contactSet.data.contact_name).toMatch(/^pii:v2:/);
  expect(contactSet.metadata.ip).toMatch(/^pii:v2:/);

  const privacy = {
    authorization: `Bearer ${(await createStaffKey(svc.database.knex, { name: "DPO", role: "privacy" })).key}`,
  };
  const erased = await svc.post(
    `/api/admin/data-subjects/${s.body.chat_user_id}/erase`,
    { reason: "data_subject_request" },
    privacy,
  );
  expect(erased.status).toBe(200);
  // The erasure event travels the topic too; the projector blanks the rows (already blanked by the API).
  await waitFor(async () => (await rawTopic(4)).some((m) => JSON.parse(m).type === "ChatUserErased"), 60_000);
  const row = await svc.database.knex
    .table("chat_session_contacts")
    .where("session_id", s.body.session_id)
    .first();
  expect(row.contact_name).toBe(ERASED);
  // Replaying the topic now: its copies of the sealed fields have no key left to open them.
  const raw = messages.find((m) => JSON.parse(m).type === "ChatSessionContactSet") as string;
  const [replayed] = await openEvents([fromWire(raw)], svc.database.keys);
  expect(replayed?.data).toMatchObject({ contact_name: ERASED, contact_email: ERASED });
}, 180_000);
