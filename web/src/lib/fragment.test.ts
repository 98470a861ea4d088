import { describe, expect, it } from "vitest";
import { NO_FILTERS, formatFragment, parseFragment, toAppointmentFilter } from "./fragment";

describe("the state in the fragment", () => {
  it("reads a deep link", () => {
    const s = parseFragment("#view=list&date=2026-12-03&sector=HOSPITAL,GP&q=kontrol&cancelled=1&token=a.b.c");
    expect(s.view).toBe("list");
    expect(s.date).toBe("2026-12-03");
    expect(s.token).toBe("a.b.c");
    expect(s.filters).toEqual({ ...NO_FILTERS, sectors: ["HOSPITAL", "GP"], text: "kontrol", cancelled: true });
  });

  it("falls back to the week view and today on nonsense", () => {
    const s = parseFragment("#view=admin&date=2027-02-29");
    expect(s.view).toBe("week");
    expect(s.date).toBeNull();
    expect(s.token).toBeNull();
    expect(parseFragment("").filters).toEqual(NO_FILTERS);
  });

  it("round-trips, text with spaces and Danish letters included", () => {
    const state = {
      token: "x.y.z",
      view: "week" as const,
      date: "2026-12-28",
      filters: { ...NO_FILTERS, sources: ["rm", "aarhus"], organization: "123456789012", subUnits: true, text: "øjen ambulatorium" },
    };
    const fragment = formatFragment(state);
    expect(fragment.endsWith("token=x.y.z")).toBe(true);
    expect(parseFragment(fragment)).toEqual(state);
  });
});

describe("the graph's filter", () => {
  it("is null when nothing is filtered", () => {
    expect(toAppointmentFilter(NO_FILTERS)).toBeNull();
    expect(toAppointmentFilter({ ...NO_FILTERS, text: "   " })).toBeNull();
  });

  it("carries what is set, sub-units only with an organisation", () => {
    expect(toAppointmentFilter({ ...NO_FILTERS, subUnits: true })).toBeNull();
    expect(
      toAppointmentFilter({ ...NO_FILTERS, organization: "79641000016006", subUnits: true, statuses: ["CANCELLED"], text: " kontrol " }),
    ).toEqual({ organizations: ["79641000016006"], includeSubUnits: true, statuses: ["CANCELLED"], text: "kontrol" });
    expect(toAppointmentFilter({ ...NO_FILTERS, cancelled: true })).toEqual({ includeCancelled: true });
  });
});
