import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Chromium from the system (Debian's `chromium` package), found at run time; null when it is not installed. */
export function chromiumPath(): string | null {
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  return candidates.find((p): p is string => p !== undefined && p !== "" && existsSync(p)) ?? null;
}

/** A headless Chromium; as root it needs --no-sandbox (the sandbox refuses to run as root). */
export function launchChromium(executablePath: string): Promise<Browser> {
  const root = process.getuid?.() === 0;
  return chromium.launch({
    executablePath,
    headless: true,
    args: root ? ["--no-sandbox", "--disable-dev-shm-usage"] : ["--disable-dev-shm-usage"],
  });
}
