import { existsSync, readFileSync } from "node:fs";
import { PID_FILE } from "./world";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the harness by its PID: SIGTERM, then SIGKILL after 10 s. */
export default async function globalTeardown(): Promise<void> {
  if (!existsSync(PID_FILE)) return;
  const pid = Number(readFileSync(PID_FILE, "utf-8"));
  if (!pid || !alive(pid)) return;
  process.kill(pid, "SIGTERM");
  const until = Date.now() + 10_000;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, "SIGKILL");
}
