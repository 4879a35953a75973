import type { Command } from "commander";
import { z } from "zod";
import { ConfigError, loadConfig } from "../config";
import { createWebhookInput } from "../http/schemas/webhookSchemas";
import { listDeadLetters, redeliver } from "../webhooks/deliveries";
import { replay } from "../webhooks/dispatcher";
import { createEndpoint, disableEndpoint, getEndpoint, listEndpoints } from "../webhooks/endpoints";
import { webhookEventTypes } from "../webhooks/payload";
import { checkTarget, parseTargetUrl } from "../webhooks/targets";
import { parseOptions, withDatabase } from "./withDatabase";

const uuid = z.uuid();
const json = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function idArgument(command: string, value: string): string {
  if (!uuid.safeParse(value).success) throw new ConfigError(`${command}: <id> must be a UUID`);
  return value.toLowerCase();
}

/** `livechat webhooks …`: the same operations as the ops admin API, for a shell on the deployment. */
export function registerWebhookCommands(program: Command, serve: () => Promise<void>): void {
  const webhooks = program.command("webhooks").description("outgoing webhooks (Standard Webhooks, signed)");
  webhooks
    .command("run")
    .description("follow the event log and send webhooks (distributed mode; `start` does this itself)")
    .action(serve);
  webhooks
    .command("create")
    .description("register an endpoint and print its signing secret once")
    .requiredOption("--url <url>", "where to POST (https; private addresses need WEBHOOK_ALLOW_PRIVATE=true)")
    .requiredOption("--events <types>", `comma-separated event types: ${webhookEventTypes.join(", ")}`)
    .option("--description <text>", "what the endpoint is for")
    .action(async (options: { url: string; events: string; description?: string }) => {
      const input = parseOptions("webhooks create", createWebhookInput, {
        url: options.url,
        event_types: options.events.split(",").map((s) => s.trim()),
        description: options.description,
      });
      let url: URL;
      try {
        url = parseTargetUrl(input.url);
        await checkTarget(url, loadConfig().WEBHOOK_ALLOW_PRIVATE);
      } catch (err) {
        throw new ConfigError(`webhooks create: --url: ${(err as Error).message}`);
      }
      const created = await withDatabase((db) =>
        createEndpoint(db.knex, {
          url: url.href,
          eventTypes: input.event_types,
          description: input.description,
        }),
      );
      json(created);
      process.stderr.write(
        "Store the secret now: receivers verify signatures with it; it is not shown again.\n",
      );
    });
  webhooks
    .command("list")
    .description("registered endpoints (never their secrets)")
    .action(async () => {
      json(await withDatabase((db) => listEndpoints(db.knex)));
    });
  webhooks
    .command("disable")
    .description("stop sending to an endpoint")
    .argument("<id>", "the endpoint's id")
    .action(async (id: string) => {
      const done = await withDatabase((db) => disableEndpoint(db.knex, idArgument("webhooks disable", id)));
      if (!done) throw new Error(`no webhook endpoint ${id}`);
      json(done);
    });
  webhooks
    .command("dead-letters")
    .description("deliveries that ran out of attempts")
    .option("--endpoint <id>", "only this endpoint's")
    .action(async (options: { endpoint?: string }) => {
      const endpointId =
        options.endpoint === undefined ? undefined : idArgument("dead-letters", options.endpoint);
      json(await withDatabase((db) => listDeadLetters(db.knex, { endpointId, limit: 1000 })));
    });
  webhooks
    .command("redeliver")
    .description("queue dead letters again: one delivery, or all of an endpoint with --endpoint")
    .argument("[delivery_id]", "a dead letter's delivery id")
    .option("--endpoint <id>", "every dead letter of this endpoint")
    .action(async (deliveryId: string | undefined, options: { endpoint?: string }) => {
      if ((deliveryId === undefined) === (options.endpoint === undefined))
        throw new ConfigError("webhooks redeliver: give a delivery id or --endpoint, not both");
      const target =
        deliveryId !== undefined
          ? { deliveryId: idArgument("redeliver", deliveryId) }
          : { endpointId: idArgument("redeliver", options.endpoint as string) };
      json({ redelivered: await withDatabase((db) => redeliver(db.knex, target)) });
    });
  webhooks
    .command("replay")
    .description("send an endpoint the subscribed events again, from a log position (0: the start)")
    .argument("<id>", "the endpoint's id")
    .requiredOption("--from-position <n>", "the first position to send again")
    .action(async (id: string, options: { fromPosition: string }) => {
      const position = Number(options.fromPosition);
      if (!Number.isSafeInteger(position) || position < 0)
        throw new ConfigError("webhooks replay: --from-position: must be a whole number ≥ 0");
      const queued = await withDatabase(async (db) => {
        const endpoint = await getEndpoint(db.knex, idArgument("replay", id));
        if (!endpoint) throw new Error(`no webhook endpoint ${id}`);
        return replay(db.knex, db.store, endpoint, position);
      });
      json({ queued });
    });
}
