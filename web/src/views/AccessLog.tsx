import { useQuery } from "urql";
import { errorMessage } from "../api";
import { ErrorBox, Pager, usePager } from "../components";
import { formatDateTime } from "../lib/dates";
import { ACTION_LABELS, CATEGORY_LABELS, ROLE_LABELS, codeKey, label } from "../lib/format";
import { AccessLog as AccessLogDoc } from "../operations";

const PAGE = 20;

export function AccessLogView({ cpr }: { cpr: string }) {
  const pager = usePager(PAGE);
  const [result] = useQuery({ query: AccessLogDoc, variables: { cpr, ...pager.args } });
  const conn = result.data?.patientOverview.accessLog;
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading">Min Log</h2>
      <p>Hvem har set dine oplysninger, nyeste først. Værdispring og afviste forsøg er markeret.</p>
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      {result.fetching && !result.data && <p aria-live="polite">Henter log …</p>}
      {conn && (
        <>
          <table className="log">
            <caption className="visually-hidden">Min Log</caption>
            <thead>
              <tr>
                <th scope="col">Tidspunkt</th>
                <th scope="col">Hvem</th>
                <th scope="col">Handling</th>
                <th scope="col">Oplysninger</th>
              </tr>
            </thead>
            <tbody>
              {conn.nodes.map((e) => (
                <tr
                  key={e.requestId + e.at + e.action}
                  className={[e.overrideUsed && "override", e.refused && "refused"].filter(Boolean).join(" ")}
                >
                  <td>{formatDateTime(e.at)}</td>
                  <td>
                    {e.viewerName} ({label(ROLE_LABELS, codeKey(e.viewerRole))})
                    {e.authorisationId && <small> · aut.-id {e.authorisationId}</small>}
                    {e.organization?.name && <small> · {e.organization.name}</small>}
                  </td>
                  <td>
                    {label(ACTION_LABELS, codeKey(e.action))}
                    {e.refused && <span className="badge refused-badge">Afvist</span>}
                    {e.overrideUsed && (
                      <span className="badge override-badge">
                        Værdispring{e.overrideReason ? `: ${e.overrideReason}` : ""}
                      </span>
                    )}
                  </td>
                  <td>{e.categories.map((c) => label(CATEGORY_LABELS, c)).join(", ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Sider i loggen" info={conn.pageInfo} total={conn.totalCount} shown={conn.nodes.length} pager={pager} />
        </>
      )}
    </section>
  );
}
