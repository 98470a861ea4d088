// The page's state lives in the URL fragment, so a view can be linked, reloaded and opened by a
// test: `/#view=list&date=2026-12-03&sector=HOSPITAL&q=kontrol&token=<jwt>`. The fragment never
// reaches the server (nor a Referer).

import { isDate } from "./dates";

export const VIEWS = ["day", "week", "list", "stamkort", "plans", "blocks", "log", "calendar"] as const;
export type View = (typeof VIEWS)[number];
export const CALENDAR_VIEWS: ReadonlyArray<View> = ["day", "week", "list"];

export interface Filters {
  sources: string[];
  sectors: string[];
  statuses: string[];
  organization: string;
  subUnits: boolean;
  text: string;
  cancelled: boolean;
}

export interface PageState {
  token: string | null;
  view: View;
  date: string | null;
  filters: Filters;
}

export const NO_FILTERS: Filters = {
  sources: [],
  sectors: [],
  statuses: [],
  organization: "",
  subUnits: false,
  text: "",
  cancelled: false,
};

function list(value: string | null): string[] {
  return value ? value.split(",").filter(Boolean) : [];
}

export function parseFragment(hash: string): PageState {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const view = params.get("view");
  const date = params.get("date");
  return {
    token: params.get("token") || null,
    view: (VIEWS as ReadonlyArray<string>).includes(view ?? "") ? (view as View) : "week",
    date: isDate(date) ? date : null,
    filters: {
      sources: list(params.get("source")),
      sectors: list(params.get("sector")),
      statuses: list(params.get("status")),
      organization: params.get("org") ?? "",
      subUnits: params.get("sub") === "1",
      text: params.get("q") ?? "",
      cancelled: params.get("cancelled") === "1",
    },
  };
}

/** The fragment for a state; empty values are left out, the token goes last. */
export function formatFragment(state: PageState): string {
  const params = new URLSearchParams();
  params.set("view", state.view);
  if (state.date) params.set("date", state.date);
  const f = state.filters;
  if (f.sources.length) params.set("source", f.sources.join(","));
  if (f.sectors.length) params.set("sector", f.sectors.join(","));
  if (f.statuses.length) params.set("status", f.statuses.join(","));
  if (f.organization) params.set("org", f.organization);
  if (f.subUnits) params.set("sub", "1");
  if (f.text) params.set("q", f.text);
  if (f.cancelled) params.set("cancelled", "1");
  if (state.token) params.set("token", state.token);
  return `#${params.toString()}`;
}

/** The graph's AppointmentFilter for the page's filters (null when nothing is filtered). */
export function toAppointmentFilter(f: Filters): Record<string, unknown> | null {
  const filter: Record<string, unknown> = {};
  if (f.sources.length) filter.sources = f.sources;
  if (f.sectors.length) filter.sectors = f.sectors;
  if (f.statuses.length) filter.statuses = f.statuses;
  if (f.organization) {
    filter.organizations = [f.organization];
    filter.includeSubUnits = f.subUnits;
  }
  if (f.text.trim()) filter.text = f.text.trim();
  if (f.cancelled) filter.includeCancelled = true;
  return Object.keys(filter).length ? filter : null;
}
