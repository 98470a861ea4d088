import { readFileSync } from "node:fs";
import { join } from "node:path";

export const STATE_DIR = process.env.SPO_E2E_DIR ?? join(process.cwd(), "test-results", "world");
export const WORLD_FILE = join(STATE_DIR, "world.json");
export const PID_FILE = join(STATE_DIR, "harness.pid");

export interface Persona {
  id: string;
  role: string;
  name: string;
  cpr: string;
  token: string;
}

export interface World {
  gateway: string;
  pid: number;
  personas: Persona[];
}

export function world(): World {
  return JSON.parse(readFileSync(WORLD_FILE, "utf-8")) as World;
}

export function persona(id: string): Persona {
  const p = world().personas.find((x) => x.id === id);
  if (!p) throw new Error(`no persona ${id}`);
  return p;
}

/** A token's claims (the tests need e.g. a clinician's authorisation id). */
export function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf-8"));
}
