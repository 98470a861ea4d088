import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { errorMessage } from "../api";
import { ErrorBox } from "../components";
import { formatDateTime } from "../lib/dates";
import { ROLE_LABELS, codeKey, label } from "../lib/format";
import type { Role } from "../lib/token";
import { Calendar as CalendarDoc, RevokeFeed, RotateFeed } from "../operations";

export function CalendarView({ cpr, role }: { cpr: string; role: Role }) {
  const patient = role === "citizen";
  const [result, refetch] = useQuery({ query: CalendarDoc, variables: { cpr, patient } });
  const [rotated, rotate] = useMutation(RotateFeed);
  const [revoked, revoke] = useMutation(RevokeFeed);
  const [copied, setCopied] = useState(false);
  const reload = () => refetch({ requestPolicy: "network-only" });
  const overview = result.data?.patientOverview;
  const feed = overview?.calendarFeed;
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading">Kalender</h2>
      <p>
        Abonnér på dine aftaler i din egen kalender (iCalendar). Alle med adressen kan se aftalerne: lav
        en ny adresse eller stop abonnementet, hvis den er kommet ud.
      </p>
      <ErrorBox>{errorMessage(result.error ?? rotated.error ?? revoked.error)}</ErrorBox>
      {overview && !feed && (
        <button type="button" onClick={async () => (await rotate({ cpr })).data && reload()}>
          Opret kalenderabonnement
        </button>
      )}
      {feed && (
        <div className="feed">
          <label htmlFor="feed-url">Abonnementsadresse</label>
          <input id="feed-url" readOnly value={feed.url} onFocus={(e) => e.target.select()} />
          <p className="meta">
            Lavet {formatDateTime(feed.createdAt)} · bekræftet {formatDateTime(feed.confirmedAt)}
            {feed.expiresAt ? ` · udløber ${formatDateTime(feed.expiresAt)}` : " · udløber ikke"}
          </p>
          <div className="actions">
            <button
              type="button"
              onClick={async () => {
                await navigator.clipboard.writeText(feed.url);
                setCopied(true);
              }}
            >
              Kopiér adressen
            </button>
            <button type="button" onClick={async () => (await rotate({ cpr })).data && reload()}>
              Lav ny adresse
            </button>
            <button type="button" className="danger" onClick={async () => (await revoke({ cpr, id: null })).data && reload()}>
              Stop abonnementet
            </button>
          </div>
          {copied && <p role="status">Adressen er kopieret.</p>}
        </div>
      )}
      {patient && overview?.calendarFeeds && (
        <>
          <h3>Alle abonnementer på dine aftaler</h3>
          {overview.calendarFeeds.length === 0 && <p className="empty">Ingen.</p>}
          <ul className="feeds">
            {overview.calendarFeeds.map((f) => (
              <li key={f.id}>
                {f.own ? "Dit eget" : `${f.ownerName} (${label(ROLE_LABELS, codeKey(f.ownerRole)).toLowerCase()})`} ·{" "}
                {f.active ? "aktivt" : "ikke aktivt"} · lavet {formatDateTime(f.createdAt)}
                {f.expiresAt && ` · udløber ${formatDateTime(f.expiresAt)}`}{" "}
                {f.active && (
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Stop abonnement: ${f.own ? "dit eget" : f.ownerName}`}
                    onClick={async () => (await revoke({ cpr, id: f.id })).data && reload()}
                  >
                    Stop
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
