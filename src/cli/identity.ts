import type { Command } from "commander";
import { emailField, ossUserIdField } from "../commands/fields";
import { ConfigError, loadConfig } from "../config";

/** `livechat identity mint`: a development token signed like the OSS portal's, with OSS_IDENTITY_SECRET. */
export function registerIdentityCommands(program: Command): void {
  const identity = program.command("identity").description("OSS identity tokens (development)");
  identity
    .command("mint")
    .description("print a token for an OSS user, signed with OSS_IDENTITY_SECRET (HS256)")
    .requiredOption("--sub <oss_user_id>", "the OSS user id (the token's sub)")
    .requiredOption("--email <email>", "the OSS user's email")
    .option("--ttl <seconds>", "lifetime in seconds", "3600")
    .action(async (options: { sub: string; email: string; ttl: string }) => {
      const config = loadConfig();
      if (config.identityKey?.kind !== "secret") {
        throw new ConfigError("Invalid configuration: OSS_IDENTITY_SECRET: required to mint tokens");
      }
      const sub = ossUserIdField.safeParse(options.sub);
      if (!sub.success)
        throw new ConfigError("--sub: must be a non-empty oss_user_id of at most 255 characters");
      const email = emailField.safeParse(options.email);
      if (!email.success) throw new ConfigError("--email: must be a valid email address");
      if (!/^\d+$/.test(options.ttl) || Number(options.ttl) < 1 || Number(options.ttl) > 31 * 86400) {
        throw new ConfigError("--ttl: must be a whole number of seconds between 1 and 2678400");
      }
      // Loaded here: jose is not needed by the other commands, which start faster without it.
      const { mintIdentityToken } = await import("../auth/identityTokens");
      const token = await mintIdentityToken(config.identityKey.secret, {
        sub: sub.data,
        email: email.data,
        ttlSeconds: Number(options.ttl),
        issuer: config.OSS_IDENTITY_ISSUER,
        audience: config.OSS_IDENTITY_AUDIENCE,
      });
      process.stdout.write(`${token}\n`);
    });
}
