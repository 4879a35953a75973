// Writes web/client/api.d.ts: TypeScript types of every operation, generated from the OpenAPI document the
// API serves at /openapi.json (built from the same zod schemas the routes validate with). Run after changing a
// route or a schema: `npm run web:api-types` (test/int/openapi.int.test.ts fails while the file is stale).
// With --check it writes nothing and fails if the file is not what it would write.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { API_TYPES_FILE, apiTypes } from "./apiTypes";
import { servedDocument } from "./servedDocument";

void apiTypes(servedDocument()).then((text) => {
  const file = path.relative(process.cwd(), API_TYPES_FILE);
  if (process.argv.includes("--check")) {
    const current = readFileSync(API_TYPES_FILE, "utf8") === text;
    console.error(current ? `${file} is current` : `${file} is stale: run npm run web:api-types`);
    process.exit(current ? 0 : 1);
  }
  writeFileSync(API_TYPES_FILE, text);
  console.error(`wrote ${file}`);
  process.exit(0);
});
