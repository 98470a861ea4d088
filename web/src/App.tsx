import { useEffect, useMemo, useState } from "react";
import { Provider } from "urql";
import { makeClient } from "./api";
import type { OverrideState } from "./components";
import { hrefFor, useFragment } from "./hooks";
import { CALENDAR_VIEWS, NO_FILTERS, type PageState, type View } from "./lib/fragment";
import { ROLE_LABELS, formatCpr, label } from "./lib/format";
import { viewerOf, type Role, type Viewer } from "./lib/token";
import { AccessLogView } from "./views/AccessLog";
import { AppointmentsView } from "./views/Appointments";
import { BlocksView } from "./views/Blocks";
import { CalendarView } from "./views/Calendar";
import { PlansView } from "./views/Plans";
import { StamkortView } from "./views/Stamkort";

const NAV: ReadonlyArray<{ view: View; text: string; roles: ReadonlyArray<Role> }> = [
  { view: "day", text: "Dag", roles: ["citizen", "relative", "clinician"] },
  { view: "week", text: "Uge", roles: ["citizen", "relative", "clinician"] },
  { view: "list", text: "Liste", roles: ["citizen", "relative", "clinician"] },
  { view: "stamkort", text: "Stamkort", roles: ["citizen", "relative", "clinician"] },
  { view: "plans", text: "Planer og mål", roles: ["citizen", "relative", "clinician"] },
  { view: "blocks", text: "Spærringer", roles: ["citizen", "relative"] },
  { view: "log", text: "Min Log", roles: ["citizen", "relative"] },
  { view: "calendar", text: "Kalender", roles: ["citizen", "relative"] },
];

/**
 * A token from the hosting application, for a page opened without one in its fragment: the host
 * (same origin) posts `{ type: "spo:token", token }` to this window (e.g. to an iframe's
 * contentWindow). It is kept in memory only.
 */
function useHostToken(): string | null {
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      if (e.origin !== window.location.origin) return;
      const data = e.data as { type?: unknown; token?: unknown } | null;
      if (data?.type === "spo:token" && typeof data.token === "string") setToken(data.token);
    };
    window.addEventListener("message", onMessage);
    window.parent?.postMessage({ type: "spo:ready" }, window.location.origin);
    return () => window.removeEventListener("message", onMessage);
  }, []);
  return token;
}

const OVERRIDE_KEY = "spo.override";

export function App() {
  const [state, update] = useFragment();
  const hostToken = useHostToken();
  const token = state.token ?? hostToken;
  const viewer = useMemo(() => (token ? viewerOf(token) : null), [token]);
  const client = useMemo(() => (token ? makeClient(token) : null), [token]);
  if (!token || !viewer || !client) {
    return <Login update={update} invalid={!!token && !viewer} />;
  }
  return (
    <Provider value={client}>
      <Overview key={token} state={state} update={update} viewer={viewer} />
    </Provider>
  );
}

function Overview({ state, update, viewer }: { state: PageState; update: (n: Partial<PageState>) => void; viewer: Viewer }) {
  const cpr = viewer.patientCpr;
  const [generation, setGeneration] = useState(0);
  const [override, setOverride] = useState<OverrideState | null>(() => {
    const saved = sessionStorage.getItem(OVERRIDE_KEY);
    const parsed = saved ? (JSON.parse(saved) as OverrideState & { cpr: string }) : null;
    return parsed && parsed.cpr === cpr && Date.parse(parsed.expiresAt) > Date.now() ? parsed : null;
  });
  const onOverride = (o: OverrideState) => {
    sessionStorage.setItem(OVERRIDE_KEY, JSON.stringify({ ...o, cpr }));
    setOverride(o);
    setGeneration((g) => g + 1); // ask the graph again: the withheld data is visible now
  };
  const nav = NAV.filter((n) => n.roles.includes(viewer.role));
  const view = nav.some((n) => n.view === state.view) ? state.view : "week";
  const common = { cpr, role: viewer.role, override, onOverride };
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        Spring til indhold
      </a>
      <header className="top">
        <h1>Samlet patientoverblik</h1>
        <p className="who">
          {viewer.name} ({label(ROLE_LABELS, viewer.role).toLowerCase()})
          {/* The patient by CPR only: asking the graph for the name would be one more read of
              her stamkort in her Min Log on every view a clinician opens. */}
          {viewer.role !== "citizen" && ` · Patient: ${formatCpr(cpr)}`}
          {" · "}
          <a href={hrefFor({ ...state, token: null }, { token: null, filters: NO_FILTERS })}>Log ud</a>
        </p>
        <nav aria-label="Visninger">
          <ul>
            {nav.map((n) => (
              <li key={n.view}>
                <a href={hrefFor(state, { view: n.view })} aria-current={n.view === view ? "page" : undefined}>
                  {n.text}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} key={generation}>
        {CALENDAR_VIEWS.includes(view) && <AppointmentsView {...common} state={{ ...state, view }} update={update} />}
        {view === "stamkort" && <StamkortView {...common} />}
        {view === "plans" && <PlansView {...common} state={state} />}
        {view === "blocks" && <BlocksView cpr={cpr} />}
        {view === "log" && <AccessLogView cpr={cpr} />}
        {view === "calendar" && <CalendarView cpr={cpr} role={viewer.role} />}
      </main>
    </>
  );
}

interface Persona {
  id: string;
  role: string;
  name: string;
  cpr: string;
  description: string;
  token: string;
}

function Login({ update, invalid }: { update: (n: Partial<PageState>) => void; invalid: boolean }) {
  const [personas, setPersonas] = useState<Persona[] | null | "none">(null);
  useEffect(() => {
    fetch("/dev/personas.json", { credentials: "omit" })
      .then((r) => (r.ok ? (r.json() as Promise<{ personas: Persona[] }>) : null))
      .then((doc) => setPersonas(doc ? doc.personas : "none"))
      .catch(() => setPersonas("none"));
  }, []);
  return (
    <main id="main" className="login">
      <h1>Samlet patientoverblik</h1>
      {invalid && (
        <p className="error" role="alert">
          Adgangsnøglen i adressen kan ikke læses. Log ind igen.
        </p>
      )}
      {personas === "none" && (
        <p>Åbn overblikket fra sundhed.dk eller fra dit EPJ: de sender dit login med.</p>
      )}
      {Array.isArray(personas) && (
        <>
          <h2>Vælg en demo-person</h2>
          <p className="hint">Udviklingstilstand: personerne og deres adgangsnøgler kommer fra demoen.</p>
          <ul className="personas">
            {personas.map((p) => (
              <li key={p.id}>
                <button type="button" data-persona={p.id} onClick={() => update({ token: p.token, view: "week", date: null })}>
                  <strong>{p.name}</strong> <span className="badge">{label(ROLE_LABELS, p.role)}</span>
                  <br />
                  <small>
                    {p.id}: {p.description}
                  </small>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
