// Danish labels for the graph's vocabularies, and the sentences the page says about sources.

import { formatDateTime, formatTime, localDate, today } from "./dates";

export const STATUS_LABELS: Record<string, string> = {
  PROPOSED: "Foreslået",
  PENDING: "Afventer",
  BOOKED: "Booket",
  ARRIVED: "Ankommet",
  FULFILLED: "Gennemført",
  CANCELLED: "Aflyst",
  NOSHOW: "Udeblevet",
  ENTERED_IN_ERROR: "Fejlregistreret",
  CHECKED_IN: "Tjekket ind",
  WAITLIST: "På venteliste",
};

export const SECTOR_LABELS: Record<string, string> = {
  HOSPITAL: "Hospital",
  MUNICIPALITY: "Kommune",
  GP: "Egen læge",
};

export const ROLE_LABELS: Record<string, string> = {
  citizen: "Borger",
  relative: "Pårørende",
  clinician: "Sundhedsperson",
};

export const ACTION_LABELS: Record<string, string> = {
  view: "Så data",
  edit: "Rettede stamkort",
  override: "Værdispring",
  block: "Oprettede spærring",
  unblock: "Afsluttede spærring",
  "calendar-feed": "Kalenderabonnement læst",
  "feed-rotate": "Ny kalenderadresse",
  "feed-confirm": "Bekræftede kalenderabonnement",
  "feed-revoke": "Stoppede kalenderabonnement",
  refused: "Afvist forsøg",
};

export const CATEGORY_LABELS: Record<string, string> = {
  APPOINTMENTS: "Aftaler",
  STAMKORT: "Stamkort",
  PLANS: "Planer og mål",
};

export const PLAN_STATUS_LABELS: Record<string, string> = {
  draft: "Kladde",
  active: "Aktiv",
  "on-hold": "På pause",
  revoked: "Tilbagekaldt",
  completed: "Afsluttet",
  "entered-in-error": "Fejlregistreret",
  unknown: "Ukendt",
};

export const GOAL_STATUS_LABELS: Record<string, string> = {
  proposed: "Foreslået",
  planned: "Planlagt",
  accepted: "Accepteret",
  active: "Aktiv",
  "on-hold": "På pause",
  completed: "Nået",
  cancelled: "Opgivet",
  "entered-in-error": "Fejlregistreret",
  rejected: "Afvist",
};

export const BLOCK_KIND_LABELS: Record<string, string> = {
  PROFESSIONAL: "Sundhedsperson",
  TREATMENT_PLACE: "Behandlingssted",
  PERIOD: "Periode",
};

/** The graph's codes (`calendar-feed`, `CALENDAR_FEED`, `Citizen`) as one key. */
export function codeKey(code: string): string {
  return code.toLowerCase().replace(/_/g, "-");
}

export function label(table: Record<string, string>, code: string | null | undefined): string {
  if (!code) return "";
  return table[code] ?? table[codeKey(code)] ?? table[code.toUpperCase()] ?? code;
}

export interface SourceLike {
  name: string;
  status: string;
  fetchedAt?: string | null;
}

/** What to tell about a source that did not answer normally; null when all is well. */
export function sourceMessage(s: SourceLike, now: Date = new Date()): string | null {
  const from = s.fetchedAt
    ? localDate(s.fetchedAt) === today(now)
      ? formatTime(s.fetchedAt)
      : formatDateTime(s.fetchedAt)
    : null;
  switch (s.status) {
    case "OK":
    case "NOT_REQUESTED":
      return null;
    case "STALE":
      return `${s.name} svarer ikke — viser data fra ${from ?? "tidligere"}`;
    case "TIMEOUT":
      return `${s.name} svarer ikke — data derfra mangler`;
    case "CIRCUIT_OPEN":
      return `${s.name} svarer ikke i øjeblikket — data derfra mangler`;
    case "UNAVAILABLE":
      return `${s.name} er ikke tilgængelig — data derfra mangler`;
    case "BAD_RESPONSE":
      return `${s.name} svarede med en fejl — data derfra mangler`;
    case "NOT_CONSENTED":
      return `${s.name}: aftaler vises kun efter samtykke`;
    default:
      return `${s.name}: ${s.status}`;
  }
}

export interface AddressLike {
  lines: ReadonlyArray<string>;
  postcode?: string | null;
  city?: string | null;
}

export function formatAddress(a: AddressLike | null | undefined): string {
  if (!a) return "";
  const town = [a.postcode, a.city].filter(Boolean).join(" ");
  return [...a.lines, town].filter(Boolean).join(", ");
}

/** A CPR number as Danes write it: `010858-9995`. */
export function formatCpr(cpr: string): string {
  const digits = cpr.replace(/\D/g, "");
  return digits.length === 10 ? `${digits.slice(0, 6)}-${digits.slice(6)}` : cpr;
}

/** HL7 v3 / DK-core relationship codes the stamkort takes, with their Danish display. */
export const RELATIONSHIPS: ReadonlyArray<[string, string]> = [
  ["SPS", "Ægtefælle"],
  ["DOMPART", "Registreret partner"],
  ["ROOM", "Samboende"],
  ["CHILD", "Barn"],
  ["DAUC", "Datter"],
  ["SONC", "Søn"],
  ["GRNDCHILD", "Barnebarn"],
  ["CHLDINLAW", "Svigerbarn"],
  ["PRN", "Forælder"],
  ["MTH", "Mor"],
  ["FTH", "Far"],
  ["SIB", "Søskende"],
  ["FAMMEMB", "Familiemedlem"],
  ["FRND", "Ven (ikke-beslægtet)"],
  ["NBOR", "Nabo"],
  ["GUARD", "Værge"],
  ["NOK", "Pårørende"],
  ["POWATT", "Fuldmagtshaver"],
  ["ECON", "Primær kontakt"],
];
