import { describe, expect, it } from "vitest";
import {
  addDays,
  formatDateLong,
  formatTime,
  formatWeek,
  isDate,
  isoWeek,
  isoWeekKey,
  localDate,
  offsetAt,
  startOfDay,
  step,
  today,
  weekDays,
  weekStart,
} from "./dates";

describe("ISO weeks, Monday first", () => {
  it.each([
    ["2026-12-28", 2026, 53],
    ["2027-01-03", 2026, 53],
    ["2027-01-04", 2027, 1],
    ["2026-01-01", 2026, 1],
    ["2024-12-30", 2025, 1],
    ["2021-01-03", 2020, 53],
    ["2028-02-29", 2028, 9],
  ])("%s is in %i-W%i", (date, year, week) => {
    expect(isoWeek(date)).toEqual({ year, week });
  });

  it("writes the week as the graph does", () => {
    expect(isoWeekKey("2026-12-31")).toBe("2026-W53");
    expect(isoWeekKey("2027-01-05")).toBe("2027-W01");
    expect(formatWeek("2026-12-28")).toBe("Uge 53, 2026");
  });

  it("starts the week on Monday", () => {
    expect(weekStart("2026-12-06")).toBe("2026-11-30"); // a Sunday
    expect(weekStart("2026-11-30")).toBe("2026-11-30");
    expect(weekDays("2027-01-01")).toEqual([
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
      "2027-01-02",
      "2027-01-03",
    ]);
  });
});

describe("day arithmetic", () => {
  it("crosses months, years and leap days", () => {
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2028-02-29", 1)).toBe("2028-03-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2027-03-28", -1)).toBe("2027-03-27");
  });

  it("steps a day in the day view and a week in the week view", () => {
    expect(step("day", "2026-10-25", 1)).toBe("2026-10-26");
    expect(step("week", "2026-12-28", 1)).toBe("2027-01-04");
    expect(step("week", "2026-12-28", -1)).toBe("2026-12-21");
  });

  it("accepts only real dates", () => {
    expect(isDate("2028-02-29")).toBe(true);
    expect(isDate("2027-02-29")).toBe(false);
    expect(isDate("2026-13-01")).toBe(false);
    expect(isDate("today")).toBe(false);
    expect(isDate(null)).toBe(false);
  });
});

describe("Europe/Copenhagen", () => {
  it("gives the local day of an instant", () => {
    expect(localDate("2026-12-31T23:30:00Z")).toBe("2027-01-01");
    expect(localDate("2026-07-15T22:30:00Z")).toBe("2026-07-16");
    expect(localDate("2026-07-15T21:30:00Z")).toBe("2026-07-15");
    expect(today(new Date("2026-12-31T23:00:00Z"))).toBe("2027-01-01");
  });

  it("knows the offset across the DST changes", () => {
    expect(offsetAt(new Date("2026-07-15T12:00:00Z"))).toBe("+02:00");
    expect(offsetAt(new Date("2026-12-15T12:00:00Z"))).toBe("+01:00");
    // The repeated hour of 25 Oct 2026: 02:30 happens at +02:00, then at +01:00.
    expect(offsetAt(new Date("2026-10-25T00:30:00Z"))).toBe("+02:00");
    expect(offsetAt(new Date("2026-10-25T01:30:00Z"))).toBe("+01:00");
  });

  it("writes local midnight with the day's offset", () => {
    expect(startOfDay("2026-07-15")).toBe("2026-07-15T00:00:00+02:00");
    expect(startOfDay("2026-10-25")).toBe("2026-10-25T00:00:00+02:00");
    expect(startOfDay("2026-10-26")).toBe("2026-10-26T00:00:00+01:00");
    expect(startOfDay("2027-03-28")).toBe("2027-03-28T00:00:00+01:00");
    expect(Date.parse(startOfDay("2027-03-29")) - Date.parse(startOfDay("2027-03-28"))).toBe(23 * 3600_000);
  });

  it("formats in Danish, in Copenhagen time", () => {
    expect(formatTime("2026-10-25T00:30:00Z")).toBe("02:30");
    expect(formatTime("2026-10-25T01:30:00Z")).toBe("02:30");
    expect(formatTime("2026-12-03T09:42:00Z")).toBe("10:42");
    expect(formatDateLong("2026-12-03")).toBe("torsdag den 3. december 2026");
  });
});
