// Dates as the page shows them: Danish (da-DK), always in Europe/Copenhagen, ISO weeks Monday
// first. A "date" here is a plain local day, `YYYY-MM-DD`; instants are ISO strings with offset.

export const TIME_ZONE = "Europe/Copenhagen";
export const LOCALE = "da-DK";

const PARTS = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function parts(instant: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of PARTS.formatToParts(instant)) out[p.type] = p.value;
  return out;
}

/** The Copenhagen day an instant falls on. */
export function localDate(instant: string | Date): string {
  const p = parts(typeof instant === "string" ? new Date(instant) : instant);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Today in Copenhagen. */
export function today(now: Date = new Date()): string {
  return localDate(now);
}

function utcOf(date: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function isDate(text: string | null | undefined): text is string {
  return !!text && /^\d{4}-\d{2}-\d{2}$/.test(text) && ymd(utcOf(text)) === text;
}

export function addDays(date: string, days: number): string {
  const d = utcOf(date);
  d.setUTCDate(d.getUTCDate() + days);
  return ymd(d);
}

/** 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  return ((utcOf(date).getUTCDay() + 6) % 7) + 1;
}

/** The Monday of the ISO week `date` is in. */
export function weekStart(date: string): string {
  return addDays(date, 1 - isoWeekday(date));
}

/** The seven days, Monday first, of the ISO week `date` is in. */
export function weekDays(date: string): string[] {
  const monday = weekStart(date);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** ISO 8601 week: the week with the year's first Thursday is week 1. */
export function isoWeek(date: string): { year: number; week: number } {
  const thursday = addDays(date, 4 - isoWeekday(date));
  const year = Number(thursday.slice(0, 4));
  const first = utcOf(`${year}-01-01`).getTime();
  const week = Math.floor((utcOf(thursday).getTime() - first) / 86_400_000 / 7) + 1;
  return { year, week };
}

/** `2026-W53`, as the graph writes `isoWeek`. */
export function isoWeekKey(date: string): string {
  const { year, week } = isoWeek(date);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** One step of the calendar: a day in the day view, a week in the week view. */
export function step(view: string, date: string, direction: 1 | -1): string {
  return addDays(date, (view === "week" ? 7 : 1) * direction);
}

/** The UTC offset in Copenhagen at an instant, e.g. `+01:00` or `+02:00`. */
export function offsetAt(instant: Date): string {
  const name =
    new Intl.DateTimeFormat("en-US", { timeZone: TIME_ZONE, timeZoneName: "longOffset" })
      .formatToParts(instant)
      .find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? "00"}` : "+00:00";
}

/** Copenhagen midnight at the start of `date`, with its offset (DST never moves midnight). */
export function startOfDay(date: string): string {
  return `${date}T00:00:00${offsetAt(utcOf(date))}`;
}

const DATE_LONG = new Intl.DateTimeFormat(LOCALE, {
  timeZone: "UTC",
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const DATE_SHORT = new Intl.DateTimeFormat(LOCALE, {
  timeZone: "UTC",
  weekday: "short",
  day: "numeric",
  month: "short",
});
const DATE_PLAIN = new Intl.DateTimeFormat(LOCALE, {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
});
const TIME = new Intl.DateTimeFormat(LOCALE, {
  timeZone: TIME_ZONE,
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** `torsdag den 3. december 2026`. */
export function formatDateLong(date: string): string {
  return DATE_LONG.format(utcOf(date));
}

/** `tors. 3. dec.`. */
export function formatDateShort(date: string): string {
  return DATE_SHORT.format(utcOf(date));
}

/** `3. dec. 2026`. */
export function formatDate(date: string): string {
  return DATE_PLAIN.format(utcOf(date));
}

/** `10:42` in Copenhagen. */
export function formatTime(instant: string): string {
  return TIME.format(new Date(instant)).replace(".", ":");
}

/** `3. dec. 2026 10:42` in Copenhagen. */
export function formatDateTime(instant: string): string {
  return `${formatDate(localDate(instant))} ${formatTime(instant)}`;
}

/** `Uge 53, 2026`. */
export function formatWeek(date: string): string {
  const { year, week } = isoWeek(date);
  return `Uge ${week}, ${year}`;
}
