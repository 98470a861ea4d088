// Fails when the committed generated types (src/gql) differ from what ../schema.graphql and the
// page's operations generate now: run `npm run codegen` and commit the result.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const committed = new URL("../src/gql/", import.meta.url).pathname;
const fresh = mkdtempSync(join(tmpdir(), "spo-codegen-"));
try {
  const run = spawnSync("npx", ["graphql-codegen", "--config", "codegen.ts", "--silent"], {
    cwd: new URL("..", import.meta.url).pathname,
    env: { ...process.env, CODEGEN_OUT: `${fresh}/` },
    stdio: "inherit",
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const names = new Set([...readdirSync(committed), ...readdirSync(fresh)]);
  const drifted = [...names].filter((name) => {
    try {
      return readFileSync(join(committed, name), "utf-8") !== readFileSync(join(fresh, name), "utf-8");
    } catch {
      return true;
    }
  });
  if (drifted.length) {
    console.error(`generated types drift from schema/operations: ${drifted.join(", ")}; run npm run codegen`);
    process.exit(1);
  }
  console.log(`codegen: src/gql matches schema.graphql and the operations (${names.size} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
