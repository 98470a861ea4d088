import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PID_FILE, STATE_DIR, WORLD_FILE, world } from "./world";

const REPO = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const PYTHON = process.env.SPO_PYTHON ?? join(REPO, ".venv", "bin", "python");
const STARTUP_MS = 90_000;

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

export default async function globalSetup(): Promise<void> {
  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true });
  const log = openSync(join(STATE_DIR, "harness.log"), "w");
  const child = spawn(
    PYTHON,
    [join(REPO, "web", "e2e", "harness.py"), "--state-dir", STATE_DIR, "--out", WORLD_FILE],
    { cwd: REPO, stdio: ["ignore", log, log], detached: false },
  );
  writeFileSync(PID_FILE, String(child.pid));
  child.unref();
  const until = Date.now() + STARTUP_MS;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`harness exited (${child.exitCode}); see ${STATE_DIR}/harness.log`);
    if (existsSync(WORLD_FILE) && (await healthy(world().gateway))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway not healthy within ${STARTUP_MS} ms; see ${STATE_DIR}/harness.log`);
}
