import { describe, expect, it } from "vitest";
import { overlappingIds, spansOverlap } from "./overlaps";

const at = (h: number, m = 0) => `2026-12-03T${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00+01:00`;

describe("spans are half-open", () => {
  it.each([
    [{ start: at(10), end: at(11) }, { start: at(10, 30), end: at(12) }, true],
    [{ start: at(10), end: at(11) }, { start: at(11), end: at(12) }, false],
    [{ start: at(11), end: at(12) }, { start: at(10), end: at(11) }, false],
    [{ start: at(10), end: at(12) }, { start: at(10, 30), end: at(11) }, true],
    [{ start: at(10), end: at(11) }, { start: at(10, 30) }, true],
    [{ start: at(10), end: at(11) }, { start: at(11) }, false],
    [{ start: at(10) }, { start: at(10) }, true],
    [{ start: at(10) }, { start: at(10, 1) }, false],
    [{ start: null }, { start: at(10) }, false],
  ])("%o and %o overlap: %s", (a, b, expected) => {
    expect(spansOverlap(a, b)).toBe(expected);
    expect(spansOverlap(b, a)).toBe(expected);
  });
});

describe("overlappingIds", () => {
  it("marks both sides of each pair the graph reports", () => {
    const ids = overlappingIds([
      { id: "rm:1", overlapsWith: [{ id: "aarhus:7" }] },
      { id: "rn:2", overlapsWith: [] },
      { id: "gp:3", overlapsWith: [{ id: "off-page:9" }] },
    ]);
    expect([...ids].sort()).toEqual(["aarhus:7", "gp:3", "off-page:9", "rm:1"]);
  });
});
