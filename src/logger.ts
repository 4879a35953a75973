import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";

/**
 * Keys whose values are personal data or credentials, wherever they sit in a log line (up to four levels
 * deep): message bodies, names, emails, phones, addresses, browser UUIDs, tokens. `detail` is Postgres'
 * "Failing row contains (...)", which quotes the row.
 */
const PERSONAL_KEYS = [
  "authorization",
  "cookie",
  "token",
  "password",
  "email",
  "contact_email",
  "contact_name",
  "contact_phone",
  "phone",
  "position",
  "company_name",
  "body",
  "comment",
  "author_name",
  "browser_uuid",
  "x-browser-uuid",
  "ip",
  "ip_address",
  "remoteAddress",
  "x-forwarded-for",
  "x-real-ip",
  "user_agent",
  "user-agent",
  "detail",
];

const redactPaths = [0, 1, 2, 3].flatMap((depth) =>
  PERSONAL_KEYS.map((key) => `${"*.".repeat(depth)}${/^[\w]+$/.test(key) ? key : `["${key}"]`}`),
);

/** A URL with every query value masked: `?browser_uuid=…` names what was asked, not who. */
export function maskQuery(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split("&")
    .map((pair) => `${pair.split("=")[0]}=…`);
  return `${url.slice(0, q)}?${params.join("&")}`;
}

export const logOptions = (level: string, name = "livechat"): LoggerOptions => ({
  name,
  level,
  redact: {
    paths: ["url", "*.url", ...redactPaths],
    censor: (value, path) =>
      path.at(-1) === "url" && typeof value === "string" ? maskQuery(value) : "[redacted]",
  },
});

/** The service's logger: no personal data leaves through it (see logOptions). */
export function createLogger(level: string, name = "livechat", destination?: DestinationStream): Logger {
  return destination ? pino(logOptions(level, name), destination) : pino(logOptions(level, name));
}

/** How a process writes its log lines on a file descriptor: readable lines for a person at a terminal, else JSON. */
export function logFormat(isTTY: boolean | undefined): "pretty" | "json" {
  return isTTY ? "pretty" : "json";
}

/**
 * A command's logger on stdout (fd 1: the service commands) or stderr (fd 2: every other command, whose stdout
 * carries only its result). On a terminal pino-pretty prints readable lines; otherwise one JSON object a line,
 * for log collectors. Redaction (logOptions) applies to both.
 */
export function createProcessLogger(level: string, fd: 1 | 2, name = "livechat"): Logger {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (logFormat(stream.isTTY) === "json") return pino(logOptions(level, name), pino.destination(fd));
  // Loaded only for a terminal: a command whose output is piped does not pay for it.
  const pretty: typeof import("pino-pretty") = require("pino-pretty");
  return pino(
    logOptions(level, name),
    pretty({
      destination: fd,
      sync: true,
      colorize: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
    }),
  );
}
