import { Router } from "express";
import type { Knex } from "knex";
import { NotFoundError } from "../domain/errors";
import type { EventStore } from "../eventstore/eventStore";
import { codeOfEnglish } from "../i18n";
import { listDeadLetters, redeliver } from "../webhooks/deliveries";
import { replay, UnknownReplayPositionError } from "../webhooks/dispatcher";
import { createEndpoint, disableEndpoint, getEndpoint, listEndpoints } from "../webhooks/endpoints";
import { checkTarget, parseTargetUrl, WebhookTargetError } from "../webhooks/targets";
import { parse } from "./context";
import { ValidationError } from "./errors";
import { describeRoute, type RouteDoc } from "./openapi/routeDocs";
import { errors } from "./schemas/common";
import {
  createdWebhookEndpoint,
  createWebhookInput,
  deadLetterList,
  deadLettersInput,
  redelivered,
  replayInput,
  replayQueued,
  webhookEndpoint,
  webhookEndpointList,
  webhookIdInput,
} from "./schemas/webhookSchemas";
import { requireStaffRole } from "./staffAuth";

export interface WebhookRouteDeps {
  readonly knex: Knex;
  readonly store: EventStore;
  /** WEBHOOK_ALLOW_PRIVATE: whether private and loopback targets may be registered. */
  readonly allowPrivateTargets: boolean;
}

const WEBHOOK_NOT_FOUND = "No such webhook endpoint";
const OPS = { tags: ["webhooks"], auth: ["staffKey"] } as const satisfies Partial<RouteDoc>;

/** A URL the SSRF guard refuses is bad input on the `url` field. */
async function checkedUrl(raw: string, allowPrivate: boolean): Promise<string> {
  try {
    const url = parseTargetUrl(raw);
    await checkTarget(url, allowPrivate);
    return url.href;
  } catch (err) {
    if (!(err instanceof WebhookTargetError)) throw err;
    throw new ValidationError([{ field: "url", code: codeOfEnglish(err.message, "field_invalid") }]);
  }
}

/** Ops' webhook administration: endpoints, their dead letters, redelivery and replay. */
export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const { knex } = deps;
  const router = Router();
  router.use("/api/admin/webhooks", requireStaffRole("ops"));

  describeRoute(router, {
    ...OPS,
    method: "post",
    path: "/api/admin/webhooks",
    summary: "Register a webhook endpoint (role ops); its signing secret is shown once",
    body: createWebhookInput,
    responses: {
      201: { description: "Registered", schema: createdWebhookEndpoint },
      ...errors(400, 401, 403),
    },
  });
  router.post("/api/admin/webhooks", async (req, res) => {
    const input = parse(createWebhookInput, req.body);
    const url = await checkedUrl(input.url, deps.allowPrivateTargets);
    res
      .status(201)
      .json(
        await createEndpoint(knex, { url, eventTypes: input.event_types, description: input.description }),
      );
  });

  describeRoute(router, {
    ...OPS,
    method: "get",
    path: "/api/admin/webhooks",
    summary: "Registered webhook endpoints, without their secrets (role ops)",
    responses: { 200: { description: "The endpoints", schema: webhookEndpointList }, ...errors(401, 403) },
  });
  router.get("/api/admin/webhooks", async (_req, res) => {
    res.json({ endpoints: await listEndpoints(knex) });
  });

  describeRoute(router, {
    ...OPS,
    method: "get",
    path: "/api/admin/webhooks/dead-letters",
    summary: "Webhook deliveries that ran out of attempts (role ops)",
    input: deadLettersInput,
    responses: { 200: { description: "Dead letters", schema: deadLetterList }, ...errors(400, 401, 403) },
  });
  router.get("/api/admin/webhooks/dead-letters", async (req, res) => {
    const input = parse(deadLettersInput, req.query);
    res.json({
      dead_letters: await listDeadLetters(knex, { endpointId: input.endpoint_id, limit: input.limit }),
    });
  });

  describeRoute(router, {
    ...OPS,
    method: "post",
    path: "/api/admin/webhooks/dead-letters/:id/redeliver",
    summary: "Queue one dead letter again, with fresh attempts (role ops)",
    input: webhookIdInput,
    responses: { 200: { description: "Queued", schema: redelivered }, ...errors(400, 401, 403, 404) },
  });
  router.post("/api/admin/webhooks/dead-letters/:id/redeliver", async (req, res) => {
    const { id } = parse(webhookIdInput, req.params);
    const redelivered = await redeliver(knex, { deliveryId: id });
    if (redelivered === 0) throw new NotFoundError("No such dead letter");
    res.json({ redelivered });
  });

  describeRoute(router, {
    ...OPS,
    method: "get",
    path: "/api/admin/webhooks/:id",
    summary: "One webhook endpoint (role ops)",
    input: webhookIdInput,
    responses: {
      200: { description: "The endpoint", schema: webhookEndpoint },
      ...errors(400, 401, 403, 404),
    },
  });
  router.get("/api/admin/webhooks/:id", async (req, res) => {
    const { id } = parse(webhookIdInput, req.params);
    const endpoint = await getEndpoint(knex, id);
    if (!endpoint) throw new NotFoundError(WEBHOOK_NOT_FOUND);
    res.json(endpoint);
  });

  describeRoute(router, {
    ...OPS,
    method: "delete",
    path: "/api/admin/webhooks/:id",
    summary: "Disable a webhook endpoint: nothing more is sent to it (role ops)",
    input: webhookIdInput,
    responses: { 200: { description: "Disabled", schema: webhookEndpoint }, ...errors(400, 401, 403, 404) },
  });
  router.delete("/api/admin/webhooks/:id", async (req, res) => {
    const { id } = parse(webhookIdInput, req.params);
    const endpoint = await disableEndpoint(knex, id);
    if (!endpoint) throw new NotFoundError(WEBHOOK_NOT_FOUND);
    res.json(endpoint);
  });

  describeRoute(router, {
    ...OPS,
    method: "post",
    path: "/api/admin/webhooks/:id/redeliver",
    summary: "Queue every dead letter of an endpoint again (role ops)",
    input: webhookIdInput,
    responses: { 200: { description: "Queued", schema: redelivered }, ...errors(400, 401, 403, 404) },
  });
  router.post("/api/admin/webhooks/:id/redeliver", async (req, res) => {
    const { id } = parse(webhookIdInput, req.params);
    if (!(await getEndpoint(knex, id))) throw new NotFoundError(WEBHOOK_NOT_FOUND);
    res.json({ redelivered: await redeliver(knex, { endpointId: id }) });
  });

  describeRoute(router, {
    ...OPS,
    method: "post",
    path: "/api/admin/webhooks/:id/replay",
    summary: "Send an endpoint its subscribed events again from a log position (role ops)",
    input: webhookIdInput,
    body: replayInput.omit({ id: true }),
    responses: { 202: { description: "Queued", schema: replayQueued }, ...errors(400, 401, 403, 404) },
  });
  router.post("/api/admin/webhooks/:id/replay", async (req, res) => {
    const input = parse(replayInput, { ...req.body, id: req.params.id });
    const endpoint = await getEndpoint(knex, input.id);
    if (!endpoint) throw new NotFoundError(WEBHOOK_NOT_FOUND);
    try {
      res.status(202).json({ queued: await replay(knex, deps.store, endpoint, input.from_position) });
    } catch (err) {
      if (!(err instanceof UnknownReplayPositionError)) throw err;
      throw new ValidationError([{ field: "from_position", code: "field_unknown_position" }]);
    }
  });

  return router;
}
