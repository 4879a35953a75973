import pino from "pino";
import { createApp } from "../src/http/app";
import { buildOpenApiDocument } from "../src/http/openapi/document";
import { createMetrics } from "../src/ops/metrics";

/** The OpenAPI document as the service serves it at /openapi.json, from an app that is built but never run. */
export function servedDocument(): unknown {
  // Nothing touches these stand-ins: building the app only declares its routes.
  const unused = new Proxy({}, { get: () => () => undefined }) as never;
  const app = createApp({
    logger: pino({ level: "silent" }),
    knex: unused,
    store: unused,
    commands: { store: unused } as never,
    trustProxy: false,
    readYourWritesTimeoutMs: 0,
    maxChatsPerAgent: 5,
    keys: unused,
    sealedLog: unused,
    idempotency: unused,
    metrics: createMetrics(unused),
  });
  return buildOpenApiDocument(app, { title: "OSS LiveChat API", version: "1" });
}
