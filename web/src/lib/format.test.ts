import { describe, expect, it } from "vitest";
import { ACTION_LABELS, ROLE_LABELS, STATUS_LABELS, formatAddress, formatCpr, label, sourceMessage } from "./format";
import { viewerOf } from "./token";

describe("labels", () => {
  it("reads the graph's codes in either spelling", () => {
    expect(label(STATUS_LABELS, "CANCELLED")).toBe("Aflyst");
    expect(label(ACTION_LABELS, "calendar-feed")).toBe("Kalenderabonnement læst");
    expect(label(ACTION_LABELS, "CALENDAR_FEED")).toBe("Kalenderabonnement læst");
    expect(label(ROLE_LABELS, "CLINICIAN")).toBe("Sundhedsperson");
    expect(label(ROLE_LABELS, "unknown")).toBe("unknown");
  });
});

describe("what the page says about a source", () => {
  const now = new Date("2026-12-03T12:00:00Z");
  it("says a stale source's data is from when it was fetched", () => {
    expect(sourceMessage({ name: "Region Nordjylland", status: "STALE", fetchedAt: "2026-12-03T09:42:00Z" }, now)).toBe(
      "Region Nordjylland svarer ikke — viser data fra 10:42",
    );
    expect(sourceMessage({ name: "Region Nordjylland", status: "STALE", fetchedAt: "2026-12-02T09:42:00Z" }, now)).toBe(
      "Region Nordjylland svarer ikke — viser data fra 2. dec. 2026 10:42",
    );
  });
  it("is silent when all is well", () => {
    expect(sourceMessage({ name: "Aarhus Kommune", status: "OK" }, now)).toBeNull();
    expect(sourceMessage({ name: "Aarhus Kommune", status: "TIMEOUT" }, now)).toContain("svarer ikke");
  });
});

describe("formatters", () => {
  it("writes CPR numbers and addresses as Danes do", () => {
    expect(formatCpr("0108589995")).toBe("010858-9995");
    expect(formatAddress({ lines: ["Åbyhøjvej 12, 1. th"], postcode: "8230", city: "Åbyhøj" })).toBe("Åbyhøjvej 12, 1. th, 8230 Åbyhøj");
    expect(formatAddress(null)).toBe("");
  });
});

describe("the viewer a token speaks for", () => {
  const token = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.s`;
  it("opens the patient of each role", () => {
    expect(viewerOf(token({ spo_role: "citizen", cpr: "0108589995", name: "Poul" }))?.patientCpr).toBe("0108589995");
    expect(viewerOf(token({ spo_role: "relative", cpr: "1", fuldmagt: { patient_cpr: "0108589995" } }))?.patientCpr).toBe("0108589995");
    const c = viewerOf(token({ spo_role: "clinician", patient_cpr: "0108589995", name: "Lene Hjort", exp: 1_800_000_000 }));
    expect(c).toEqual({ role: "clinician", name: "Lene Hjort", patientCpr: "0108589995", expiresAt: new Date(1_800_000_000_000) });
  });
  it("refuses what is not one of ours", () => {
    expect(viewerOf("nonsense")).toBeNull();
    expect(viewerOf(token({ spo_role: "admin", cpr: "1" }))).toBeNull();
    expect(viewerOf("a.!!!.c")).toBeNull();
  });
});
