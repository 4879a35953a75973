import pino, { type Logger } from "pino";

export function createLogger(level: string, name = "livechat"): Logger {
  return pino({ name, level, redact: ["req.headers.authorization", "req.headers.cookie"] });
}
