import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import { z } from "zod";
import { loadConfig } from "../config";
import { eraseChatUser, eraseInput } from "../privacy/eraseChatUser";
import { exportChatUser } from "../privacy/exportSubject";
import { reencryptLog } from "../privacy/reencrypt";
import { applyMessageRetention } from "../privacy/retention";
import { parseOptions, withDatabase } from "./withDatabase";

/** A bar on a terminal, a line every few seconds otherwise (logs of a scheduled run). */
function countProgress(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr) {
  if (stream.isTTY) {
    const bar = new SingleBar(
      { stream, format: `${label} |{bar}| {percentage}% | {value}/{total} ${unit}`, hideCursor: true },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: { done: number; total: number }) {
        if (!started) bar.start(p.total, p.done);
        started = true;
        bar.setTotal(p.total);
        bar.update(p.done);
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p: { done: number; total: number }) {
      const now = Date.now();
      if (now - last < 2000 && p.done < p.total && p.done > 0) return;
      last = now;
      stream.write(`${label}: ${p.done}/${p.total} ${unit}\n`);
    },
    stop() {},
  };
}

const cliActor = { kind: "system" as const, id: "cli" };

export function registerPrivacyCommands(program: Command): void {
  const privacy = program
    .command("privacy")
    .description("data-subject rights and data protection: erase, export, retention, re-encryption");

  privacy
    .command("erase")
    .description("erase a chat user's personal data by destroying their keys (and blank their rows)")
    .argument("<chat_user_id>")
    .requiredOption("--reason <reason>", "data_subject_request, legal_obligation, consent_withdrawn or other")
    .option("--reference <case>", "a case or ticket number (no personal data)")
    .action(async (id: string, options: { reason: string; reference?: string }) => {
      const input = parseOptions("privacy erase", eraseInput, { chat_user_id: id, ...options });
      const result = await withDatabase((db) =>
        eraseChatUser(db, input, {
          actor: cliActor,
          ip: "cli",
          userAgent: null,
          correlationId: `cli-erase-${Date.now()}`,
          now: () => new Date(),
        }),
      );
      console.log(JSON.stringify(result, null, 2));
    });

  privacy
    .command("export")
    .description("everything held about a chat user, as JSON on stdout (right of access)")
    .argument("<chat_user_id>")
    .action(async (id: string) => {
      const input = parseOptions("privacy export", z.object({ chat_user_id: z.uuid() }), {
        chat_user_id: id,
      });
      const exported = await withDatabase((db) => exportChatUser(db, input.chat_user_id));
      if (!exported) {
        console.error(`no chat user ${input.chat_user_id}`);
        process.exitCode = 1;
        return;
      }
      console.log(JSON.stringify(exported, null, 2));
    });

  privacy
    .command("retention")
    .description(
      "shred message bodies of sessions closed more than --days (default RETENTION_DAYS_MESSAGES) ago",
    )
    .option("--days <n>", "retention period in days")
    .action(async (options: { days?: string }) => {
      const days = parseOptions("privacy retention", z.object({ days: z.coerce.number().int().min(1) }), {
        days: options.days ?? loadConfig().RETENTION_DAYS_MESSAGES,
      }).days;
      const progress = countProgress("retention", "sessions");
      const result = await withDatabase((db) =>
        applyMessageRetention(db, days, { onProgress: (p) => progress.update(p) }).finally(() =>
          progress.stop(),
        ),
      );
      console.log(JSON.stringify(result));
    });

  privacy
    .command("reencrypt")
    .description(
      "one-time, resumable: seal the personal fields of events written in plaintext and re-chain them (API stopped)",
    )
    .option("--max-streams <n>", "stop after this many streams (the next run resumes)")
    .action(async (options: { maxStreams?: string }) => {
      const { max_streams } = parseOptions(
        "privacy reencrypt",
        z.object({ max_streams: z.coerce.number().int().min(1).optional() }),
        { max_streams: options.maxStreams },
      );
      const progress = countProgress("re-encryption", "streams");
      const result = await withDatabase((db) =>
        reencryptLog(db, { maxStreams: max_streams, onProgress: (p) => progress.update(p) }).finally(() =>
          progress.stop(),
        ),
      );
      console.log(JSON.stringify(result));
    });
}
