import { useQuery } from "urql";
import { errorMessage } from "../api";
import { ErrorBox, Notices, SourceStatus, type OverrideState } from "../components";
import { formatDate, formatDateTime, localDate } from "../lib/dates";
import { formatFragment, type PageState } from "../lib/fragment";
import { GOAL_STATUS_LABELS, PLAN_STATUS_LABELS, label } from "../lib/format";
import type { Role } from "../lib/token";
import { Plans as PlansDoc } from "../operations";

export function PlansView(props: {
  cpr: string;
  role: Role;
  state: PageState;
  override: OverrideState | null;
  onOverride: (o: OverrideState) => void;
}) {
  const { cpr, state } = props;
  const [result] = useQuery({ query: PlansDoc, variables: { cpr } });
  const overview = result.data?.patientOverview;
  const appointments = new Map((overview?.appointments?.nodes ?? []).map((a) => [a.id, a]));
  const goals = new Map((overview?.goals ?? []).map((g) => [g.id, g]));
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading">Planer og mål</h2>
      <Notices notices={overview?.notices} role={props.role} cpr={cpr} override={props.override} onOverride={props.onOverride} />
      <SourceStatus sources={overview?.sources} />
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      {result.fetching && !result.data && <p aria-live="polite">Henter planer …</p>}
      <h3>Planer</h3>
      {overview?.plans?.length === 0 && <p className="empty">Ingen planer.</p>}
      <ul className="plans">
        {(overview?.plans ?? []).map((p) => (
          <li key={p.id} className="plan">
            <h4>{p.title}</h4>
            <p className="meta">
              {label(PLAN_STATUS_LABELS, p.status)}
              {p.category && ` · ${p.category}`}
              {" · "}
              {[p.organization?.name, p.author].filter(Boolean).join(", ") || p.source.name}
              {(p.periodStart || p.periodEnd) &&
                ` · ${p.periodStart ? formatDate(localDate(p.periodStart)) : ""} – ${p.periodEnd ? formatDate(localDate(p.periodEnd)) : "løbende"}`}
            </p>
            {p.description && <p>{p.description}</p>}
            {p.activities.length > 0 && (
              <>
                <h5>Aktiviteter</h5>
                <ul>
                  {p.activities.map((a, i) => (
                    <li key={i}>
                      {a.title}
                      {a.scheduledStart && ` (${formatDateTime(a.scheduledStart)})`}
                      {a.appointmentIds.length > 0 && (
                        <ul className="linked">
                          {a.appointmentIds.map((id) => {
                            const appt = appointments.get(id);
                            const day = appt?.allDay ? appt.startDate : appt?.start ? localDate(appt.start) : null;
                            return (
                              <li key={id}>
                                {appt && day ? (
                                  <a href={formatFragment({ ...state, view: "day", date: day })}>
                                    Aftale: {appt.title}, {formatDate(day)}
                                  </a>
                                ) : (
                                  `Aftale ${id}`
                                )}
                              </li>
                            );
                          })}
                        </ul>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {p.goalIds.length > 0 && (
              <p className="meta">Mål: {p.goalIds.map((g) => goals.get(g)?.description ?? g).join("; ")}</p>
            )}
          </li>
        ))}
      </ul>
      <h3>Mål</h3>
      {overview?.goals?.length === 0 && <p className="empty">Ingen mål.</p>}
      <ul className="goals">
        {(overview?.goals ?? []).map((g) => (
          <li key={g.id} className="goal">
            <h4>{g.description}</h4>
            <p className="meta">
              {[label(GOAL_STATUS_LABELS, g.lifecycleStatus), g.achievementStatus].filter(Boolean).join(" · ")}
              {g.startDate && ` · fra ${formatDate(g.startDate)}`}
              {" · "}
              {g.organization?.name ?? g.source.name}
            </p>
            {g.targets.length > 0 && (
              <table>
                <caption>Delmål</caption>
                <thead>
                  <tr>
                    <th scope="col">Måling</th>
                    <th scope="col">Mål</th>
                    <th scope="col">Frist</th>
                  </tr>
                </thead>
                <tbody>
                  {g.targets.map((t, i) => (
                    <tr key={i}>
                      <td>{t.measure ?? "—"}</td>
                      <td>{t.detail ?? "—"}</td>
                      <td>{t.dueDate ? formatDate(t.dueDate) : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
