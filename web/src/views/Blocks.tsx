import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { errorMessage } from "../api";
import { ErrorBox } from "../components";
import type { BlockKind, BlocksQuery } from "../gql/graphql";
import { addDays, formatDate, formatDateTime, localDate, startOfDay, today } from "../lib/dates";
import { BLOCK_KIND_LABELS, ROLE_LABELS, label } from "../lib/format";
import { Blocks as BlocksDoc, CreateBlock, EndBlock } from "../operations";
import { OrganizationPicker } from "./OrganizationPicker";

type Block = BlocksQuery["patientOverview"]["blocks"][number];

export function BlocksView({ cpr }: { cpr: string }) {
  const [result, refetch] = useQuery({ query: BlocksDoc, variables: { cpr } });
  const blocks = result.data?.patientOverview.blocks ?? [];
  const reload = () => refetch({ requestPolicy: "network-only" });
  const active = blocks.filter((b) => b.active);
  const other = blocks.filter((b) => !b.active);
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading">Spærringer</h2>
      <p>
        En spærring skjuler dine oplysninger for sundhedspersoner fra næste opslag. Den gælder aldrig
        dig selv eller dine pårørende med fuldmagt.
      </p>
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      <CreateBlockForm cpr={cpr} onCreated={reload} />
      <h3>Aktive spærringer</h3>
      <BlockTable blocks={active} cpr={cpr} onEnded={reload} caption="Aktive spærringer" />
      <h3>Afsluttede og kommende spærringer</h3>
      <BlockTable blocks={other} cpr={cpr} onEnded={reload} caption="Afsluttede og kommende spærringer" />
    </section>
  );
}

function what(b: Block): string {
  if (b.kind === "PROFESSIONAL") return `Autorisations-id ${b.authorisationId}`;
  if (b.kind === "TREATMENT_PLACE") return `SOR ${b.sor}${b.includeSubUnits ? " inkl. underenheder" : ""}`;
  const from = b.periodStart ? formatDate(localDate(b.periodStart)) : "";
  const to = b.periodEnd ? formatDate(localDate(b.periodEnd)) : "";
  return `${from} – ${to || "(åben)"}`;
}

function BlockTable(props: { blocks: Block[]; cpr: string; onEnded: () => void; caption: string }) {
  const [result, end] = useMutation(EndBlock);
  if (!props.blocks.length) return <p className="empty">Ingen.</p>;
  return (
    <>
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      <table className="blocks">
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Spærrer</th>
            <th scope="col">Gælder</th>
            <th scope="col">Oprettet</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.blocks.map((b) => (
            <tr key={b.id} data-id={b.id}>
              <td>{label(BLOCK_KIND_LABELS, b.kind)}</td>
              <td>{what(b)}</td>
              <td>
                {formatDateTime(b.validFrom)} – {b.validTo ? formatDateTime(b.validTo) : "indtil den afsluttes"}
              </td>
              <td>
                {formatDateTime(b.createdAt)} af {label(ROLE_LABELS, b.createdByRole).toLowerCase()}
              </td>
              <td>
                {b.active ? (
                  <button
                    type="button"
                    aria-label={`Afslut spærring: ${label(BLOCK_KIND_LABELS, b.kind)}, ${what(b)}`}
                    disabled={result.fetching}
                    onClick={async () => {
                      const r = await end({ cpr: props.cpr, id: b.id });
                      if (r.data) props.onEnded();
                    }}
                  >
                    Afslut
                  </button>
                ) : b.endedAt ? (
                  `Afsluttet ${formatDateTime(b.endedAt)}`
                ) : (
                  "Ikke i kraft"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function CreateBlockForm({ cpr, onCreated }: { cpr: string; onCreated: () => void }) {
  const [kind, setKind] = useState<BlockKind>("PROFESSIONAL");
  const [authorisationId, setAuthorisationId] = useState("");
  const [sor, setSor] = useState("");
  const [subUnits, setSubUnits] = useState(false);
  const [periodFrom, setPeriodFrom] = useState(today());
  const [periodTo, setPeriodTo] = useState("");
  const [validFrom, setValidFrom] = useState("");
  const [validTo, setValidTo] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [result, create] = useMutation(CreateBlock);
  return (
    <form
      className="create-block"
      aria-labelledby="create-block-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setDone(null);
        const input = {
          cpr,
          kind,
          authorisationId: kind === "PROFESSIONAL" ? authorisationId.trim().toUpperCase() : null,
          sor: kind === "TREATMENT_PLACE" ? sor.trim() : null,
          includeSubUnits: kind === "TREATMENT_PLACE" && subUnits,
          // Days are Copenhagen days; an end day is included, so the span ends the midnight after.
          periodStart: kind === "PERIOD" ? startOfDay(periodFrom) : null,
          periodEnd: kind === "PERIOD" && periodTo ? startOfDay(addDays(periodTo, 1)) : null,
          validFrom: validFrom ? startOfDay(validFrom) : null,
          validTo: validTo ? startOfDay(addDays(validTo, 1)) : null,
        };
        if (kind === "TREATMENT_PLACE" && !sor) return;
        const r = await create({ input });
        if (r.data) {
          setDone("Spærringen er oprettet og gælder fra næste opslag.");
          onCreated();
        }
      }}
    >
      <h3 id="create-block-heading">Opret spærring</h3>
      <fieldset>
        <legend>Hvad vil du spærre for?</legend>
        {(["PROFESSIONAL", "TREATMENT_PLACE", "PERIOD"] as const).map((k) => (
          <label key={k}>
            <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
            {label(BLOCK_KIND_LABELS, k)}
          </label>
        ))}
      </fieldset>
      {kind === "PROFESSIONAL" && (
        <label>
          Sundhedspersonens autorisations-id (5 tegn){" "}
          <input required value={authorisationId} maxLength={5} onChange={(e) => setAuthorisationId(e.target.value)} />
        </label>
      )}
      {kind === "TREATMENT_PLACE" && (
        <>
          <OrganizationPicker value={sor} onChange={setSor} required />
          <label>
            <input type="checkbox" checked={subUnits} onChange={(e) => setSubUnits(e.target.checked)} />
            inkl. underenheder
          </label>
        </>
      )}
      {kind === "PERIOD" && (
        <fieldset>
          <legend>Periode der skjules</legend>
          <label>
            Fra og med <input type="date" required value={periodFrom} onChange={(e) => setPeriodFrom(e.target.value)} />
          </label>
          <label>
            Til og med <input type="date" value={periodTo} onChange={(e) => setPeriodTo(e.target.value)} />
          </label>
        </fieldset>
      )}
      <fieldset>
        <legend>Spærringen gælder (tom: fra nu, indtil du afslutter den)</legend>
        <label>
          Fra og med <input type="date" value={validFrom} onChange={(e) => setValidFrom(e.target.value)} />
        </label>
        <label>
          Til og med <input type="date" value={validTo} onChange={(e) => setValidTo(e.target.value)} />
        </label>
      </fieldset>
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <button type="submit" disabled={result.fetching}>
        Opret spærring
      </button>
    </form>
  );
}
