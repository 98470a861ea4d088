// What the page needs from its bearer token: whose overview to open and in which role. The token
// is read, not verified (the gateway verifies it on every request); it never leaves the page
// except in the Authorization header to /graphql.

export type Role = "citizen" | "relative" | "clinician";

export interface Viewer {
  role: Role;
  name: string;
  patientCpr: string;
  expiresAt: Date | null;
}

function decodeBase64Url(part: string): string {
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The viewer a token speaks for, or null when it is no token of ours. */
export function viewerOf(token: string): Viewer | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(decodeBase64Url(parts[1])) as Record<string, unknown>;
  } catch {
    return null;
  }
  const role = claims.spo_role;
  const fuldmagt = (claims.fuldmagt ?? {}) as Record<string, unknown>;
  const patient =
    role === "citizen" ? claims.cpr : role === "relative" ? fuldmagt.patient_cpr : claims.patient_cpr;
  if ((role !== "citizen" && role !== "relative" && role !== "clinician") || typeof patient !== "string") {
    return null;
  }
  return {
    role,
    name: typeof claims.name === "string" ? claims.name : "",
    patientCpr: patient,
    expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null,
  };
}
