import { useEffect, useMemo, useState } from "react";
import { useQuery } from "urql";
import { errorMessage } from "../api";
import { ErrorBox, Notices, Pager, SourceStatus, usePager, type OverrideState } from "../components";
import type { AppointmentsQuery, AppointmentStatus, AppointmentView, Sector } from "../gql/graphql";
import {
  addDays,
  formatDate,
  formatDateLong,
  formatDateShort,
  formatTime,
  formatWeek,
  localDate,
  step,
  today,
  weekDays,
} from "../lib/dates";
import { NO_FILTERS, toAppointmentFilter, type Filters, type PageState } from "../lib/fragment";
import { SECTOR_LABELS, STATUS_LABELS, formatAddress, label } from "../lib/format";
import { overlappingIds } from "../lib/overlaps";
import type { Role } from "../lib/token";
import { Appointments as AppointmentsDoc } from "../operations";
import { OrganizationPicker } from "./OrganizationPicker";

type Node = NonNullable<AppointmentsQuery["patientOverview"]["appointments"]>["nodes"][number];

const VIEW_ARG: Record<string, AppointmentView> = { day: "DAY", week: "WEEK", list: "LIST" };
const PAGE_SIZE = { day: 200, week: 200, list: 25 } as const;

export function AppointmentsView(props: {
  cpr: string;
  role: Role;
  state: PageState;
  update: (next: Partial<PageState>) => void;
  override: OverrideState | null;
  onOverride: (o: OverrideState) => void;
}) {
  const { cpr, state, update } = props;
  const view = state.view as "day" | "week" | "list";
  const date = state.date ?? today();
  const filter = useMemo(() => toAppointmentFilter(state.filters), [state.filters]);
  const pager = usePager(PAGE_SIZE[view]);
  const filterKey = JSON.stringify([view, date, filter]);
  useEffect(() => pager.reset(), [filterKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const [result] = useQuery({
    query: AppointmentsDoc,
    variables: {
      cpr,
      view: VIEW_ARG[view],
      date: view === "list" ? null : date,
      filter,
      ...pager.args,
    },
  });
  const overview = result.data?.patientOverview;
  const conn = overview?.appointments;
  const nodes = conn?.nodes ?? [];
  const overlaps = overlappingIds(nodes);
  const sources = (overview?.sources ?? []).filter((s) => s.kind !== "REGISTER");

  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading">
        Aftaler ·{" "}
        {view === "day"
          ? formatDateLong(date)
          : view === "week"
            ? `${formatWeek(date)} (${formatDate(weekDays(date)[0])} – ${formatDate(weekDays(date)[6])})`
            : "Liste"}
      </h2>
      {view !== "list" && (
        <div className="toolbar" role="group" aria-label="Vælg periode">
          <button type="button" onClick={() => update({ date: step(view, date, -1) })}>
            {view === "day" ? "Forrige dag" : "Forrige uge"}
          </button>
          <button type="button" onClick={() => update({ date: today() })}>
            I dag
          </button>
          <button type="button" onClick={() => update({ date: step(view, date, 1) })}>
            {view === "day" ? "Næste dag" : "Næste uge"}
          </button>
          <label>
            Dato{" "}
            <input
              type="date"
              value={date}
              onChange={(e) => e.target.value && update({ date: e.target.value })}
            />
          </label>
        </div>
      )}
      <FilterForm
        filters={state.filters}
        sources={sources.map((s) => ({ id: s.id, name: s.name }))}
        onChange={(filters) => update({ filters })}
      />
      <Notices
        notices={overview?.notices}
        role={props.role}
        cpr={cpr}
        override={props.override}
        onOverride={props.onOverride}
      />
      <SourceStatus sources={overview?.sources} />
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      {result.fetching && !result.data && <p aria-live="polite">Henter aftaler …</p>}
      {conn && (
        <p className="count" aria-live="polite">
          {conn.totalCount === 1 ? "1 aftale" : `${conn.totalCount} aftaler`}
        </p>
      )}
      {view === "list" && (
        <>
          <AppointmentList items={nodes} overlaps={overlaps} showDate />
          {conn && (
            <Pager label="Sider med aftaler" info={conn.pageInfo} total={conn.totalCount} shown={nodes.length} pager={pager} />
          )}
        </>
      )}
      {view === "day" && conn && <AppointmentList items={nodes} overlaps={overlaps} />}
      {view === "week" && conn && <WeekGrid date={date} items={nodes} overlaps={overlaps} />}
    </section>
  );
}

/** Which local days an appointment is on (an all-day one may span several). */
function daysOf(n: Node): string[] {
  if (n.allDay && n.startDate && n.endDate) {
    const days: string[] = [];
    for (let d = n.startDate; d <= n.endDate && days.length < 60; d = addDays(d, 1)) days.push(d);
    return days;
  }
  return n.localDate ? [n.localDate] : n.start ? [localDate(n.start)] : [];
}

function WeekGrid({ date, items, overlaps }: { date: string; items: Node[]; overlaps: Set<string> }) {
  return (
    <div className="week">
      {weekDays(date).map((day) => {
        const onDay = items.filter((n) => daysOf(n).includes(day));
        return (
          <section key={day} className={day === today() ? "day today" : "day"} aria-label={formatDateLong(day)}>
            <h3>{formatDateShort(day)}</h3>
            {onDay.length ? (
              <AppointmentList items={onDay} overlaps={overlaps} compact />
            ) : (
              <p className="empty">Ingen aftaler</p>
            )}
          </section>
        );
      })}
    </div>
  );
}

function when(n: Node, showDate: boolean): string {
  if (n.allDay && n.startDate) {
    const range =
      n.endDate && n.endDate !== n.startDate
        ? `${formatDate(n.startDate)} – ${formatDate(n.endDate)}`
        : formatDate(n.startDate);
    return showDate ? `Hele dagen, ${range}` : "Hele dagen";
  }
  if (!n.start) return "Uden tidspunkt";
  const time = n.end ? `${formatTime(n.start)}–${formatTime(n.end)}` : formatTime(n.start);
  return showDate ? `${formatDate(localDate(n.start))} kl. ${time}` : `kl. ${time}`;
}

function AppointmentList(props: { items: Node[]; overlaps: Set<string>; showDate?: boolean; compact?: boolean }) {
  if (!props.items.length) return <p className="empty">Ingen aftaler matcher.</p>;
  return (
    <ol className={props.compact ? "appointments compact" : "appointments"}>
      {props.items.map((n) => {
        const cancelled = n.status === "CANCELLED";
        const classes = ["appointment", cancelled && "cancelled", props.overlaps.has(n.id) && "overlap"];
        return (
          <li key={n.id} className={classes.filter(Boolean).join(" ")} data-id={n.id}>
            <div className="when">
              {when(n, !!props.showDate)}
              {n.indicativeTime && <span className="badge">vejledende tid</span>}
            </div>
            <div className="title">
              {n.title}
              {cancelled && <span className="badge cancelled-badge">Aflyst</span>}
              {!cancelled && n.status !== "BOOKED" && <span className="badge">{label(STATUS_LABELS, n.status)}</span>}
              {n.place?.isHome && <span className="badge home">Hjemmebesøg</span>}
            </div>
            <div className="meta">
              {[n.place?.name, formatAddress(n.place?.address), n.organization?.name]
                .filter((x, i, all) => x && all.indexOf(x) === i)
                .join(" · ")}
            </div>
            {!props.compact && (n.performer || n.reason) && (
              <div className="meta">{[n.performer, n.reason].filter(Boolean).join(" · ")}</div>
            )}
            <div className="meta source">
              {n.source.name} ({label(SECTOR_LABELS, n.sector)})
            </div>
            {n.overlapsWith.length > 0 && (
              <div className="overlaps">
                Overlapper med:{" "}
                {n.overlapsWith
                  .map((o) => `${o.title}${o.start ? ` kl. ${formatTime(o.start)}` : ""}`)
                  .join("; ")}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

const SECTORS: Sector[] = ["HOSPITAL", "MUNICIPALITY", "GP"];
const STATUSES: AppointmentStatus[] = ["BOOKED", "PROPOSED", "ARRIVED", "FULFILLED", "CANCELLED", "NOSHOW"];

function toggle(list: string[], value: string, on: boolean): string[] {
  return on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);
}

function FilterForm(props: {
  filters: Filters;
  sources: Array<{ id: string; name: string }>;
  onChange: (f: Filters) => void;
}) {
  const { filters, onChange } = props;
  const [text, setText] = useState(filters.text);
  const [org, setOrg] = useState(filters.organization);
  useEffect(() => setText(filters.text), [filters.text]);
  useEffect(() => setOrg(filters.organization), [filters.organization]);
  const sourceOptions = props.sources.length
    ? props.sources
    : filters.sources.map((id) => ({ id, name: id }));
  return (
    <details className="filters" open>
      <summary>Filtre</summary>
      <form
        role="search"
        aria-label="Filtrér aftaler"
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ ...filters, text, organization: org.trim() });
        }}
      >
        <fieldset>
          <legend>Kilde</legend>
          {sourceOptions.map((s) => (
            <label key={s.id}>
              <input
                type="checkbox"
                checked={filters.sources.includes(s.id)}
                onChange={(e) => onChange({ ...filters, sources: toggle(filters.sources, s.id, e.target.checked) })}
              />
              {s.name}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Sektor</legend>
          {SECTORS.map((s) => (
            <label key={s}>
              <input
                type="checkbox"
                checked={filters.sectors.includes(s)}
                onChange={(e) => onChange({ ...filters, sectors: toggle(filters.sectors, s, e.target.checked) })}
              />
              {label(SECTOR_LABELS, s)}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s}>
              <input
                type="checkbox"
                checked={filters.statuses.includes(s)}
                onChange={(e) => onChange({ ...filters, statuses: toggle(filters.statuses, s, e.target.checked) })}
              />
              {label(STATUS_LABELS, s)}
            </label>
          ))}
          <label>
            <input
              type="checkbox"
              checked={filters.cancelled}
              onChange={(e) => onChange({ ...filters, cancelled: e.target.checked })}
            />
            Vis aflyste
          </label>
        </fieldset>
        <fieldset>
          <legend>Søg</legend>
          <label>
            Tekst i titel eller sted{" "}
            <input type="search" name="q" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <OrganizationPicker label="Organisation" value={org} onChange={(sor) => setOrg(sor)} />
          <label>
            <input
              type="checkbox"
              checked={filters.subUnits}
              onChange={(e) => onChange({ ...filters, subUnits: e.target.checked })}
            />
            inkl. underenheder
          </label>
          <div className="actions">
            <button type="submit">Søg</button>
            <button type="button" className="secondary" onClick={() => onChange(NO_FILTERS)}>
              Nulstil filtre
            </button>
          </div>
        </fieldset>
      </form>
    </details>
  );
}
