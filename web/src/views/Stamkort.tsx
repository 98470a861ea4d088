import { useState, type ReactNode } from "react";
import { useMutation, useQuery } from "urql";
import { errorCode, errorMessage } from "../api";
import { ErrorBox, Notices, SourceStatus, type OverrideState } from "../components";
import type { EnteredFragment, StamkortField, UpdateStamkortInput } from "../gql/graphql";
import { formatDate, formatDateTime } from "../lib/dates";
import { RELATIONSHIPS, ROLE_LABELS, formatAddress, formatCpr, label } from "../lib/format";
import type { Role } from "../lib/token";
import { Stamkort as StamkortDoc, StamkortHistory, UpdateStamkort } from "../operations";

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

const PERSON_STATUS: Record<string, string> = { ALIVE: "Levende", DECEASED: "Død", EMIGRATED: "Udrejst" };

export function StamkortView(props: {
  cpr: string;
  role: Role;
  override: OverrideState | null;
  onOverride: (o: OverrideState) => void;
}) {
  const { cpr } = props;
  const [result, refetch] = useQuery({ query: StamkortDoc, variables: { cpr } });
  const overview = result.data?.patientOverview;
  const s = overview?.stamkort;
  const reload = () => refetch({ requestPolicy: "network-only" });
  return (
    <section aria-labelledby="view-heading">
      <h2 id="view-heading">Stamkort</h2>
      <Notices
        notices={overview?.notices}
        role={props.role}
        cpr={cpr}
        override={props.override}
        onOverride={props.onOverride}
      />
      <SourceStatus sources={overview?.sources} />
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      {result.fetching && !result.data && <p aria-live="polite">Henter stamkort …</p>}
      {s && (
        <>
          <h3>Fra CPR-registret og Yderregisteret</h3>
          <dl className="facts">
            <dt>Navn</dt>
            <dd>{s.name ?? "Ukendt"}</dd>
            <dt>CPR-nummer</dt>
            <dd>{formatCpr(s.cpr)}</dd>
            <dt>Status</dt>
            <dd>{label(PERSON_STATUS, s.status)}</dd>
            <dt>Folkeregisteradresse</dt>
            <dd>
              {s.registeredAddress ? formatAddress(s.registeredAddress) : "Ikke vist"}
              {s.addressProtected && <span className="badge">Navne- og adressebeskyttelse</span>}
            </dd>
            <dt>Sygesikringsgruppe</dt>
            <dd>{s.healthInsuranceGroup ?? "Ukendt"}</dd>
            <dt>Egen læge</dt>
            <dd>
              {s.gp ? (
                <>
                  {s.gp.name}
                  {s.gp.doctors.length > 0 && ` (${s.gp.doctors.join(", ")})`}
                  <br />
                  {formatAddress(s.gp.address)}
                  {s.gp.phone && ` · tlf. ${s.gp.phone}`}
                  <br />
                  <small>Ydernummer {s.gp.ydernummer}</small>
                </>
              ) : (
                (s.gpNote ?? "Ingen fast læge")
              )}
            </dd>
          </dl>
          <p className="provenance">
            Kilde: {s.provenance.source}
            {s.provenance.enteredAt && `, hentet ${formatDateTime(s.provenance.enteredAt)}`}
          </p>
          <h3>Oplysninger du kan rette (*)</h3>
          <p className="hint">Version {s.version}. Rettelser gemmes med hvem der rettede og hvornår.</p>
          <EditableField
            cpr={cpr}
            version={s.version}
            field="PHONE"
            title="Telefonnummer"
            entered={s.phone}
            show={(v) => str(v)}
            onSaved={reload}
            editor={(v, set) => <PhoneEditor value={v} set={set} />}
          />
          <EditableField
            cpr={cpr}
            version={s.version}
            field="LANGUAGE"
            title="Foretrukket sprog"
            entered={s.language}
            show={(v) => `${str((v as Obj)?.name)} (${str((v as Obj)?.code)})`}
            onSaved={reload}
            editor={(v, set) => <LanguageEditor value={v} set={set} />}
          />
          <EditableField
            cpr={cpr}
            version={s.version}
            field="DENTIST"
            title="Tandlæge"
            entered={s.dentist}
            show={(v) => {
              const d = (v ?? {}) as Obj;
              return [str(d.name), str(d.address), d.phone ? `tlf. ${str(d.phone)}` : ""].filter(Boolean).join(" · ");
            }}
            onSaved={reload}
            editor={(v, set) => <DentistEditor value={v} set={set} />}
          />
          <EditableField
            cpr={cpr}
            version={s.version}
            field="TEMPORARY_ADDRESS"
            title="Midlertidig adresse"
            entered={s.temporaryAddress}
            show={(v) => {
              const a = (v ?? {}) as Obj;
              const lines = Array.isArray(a.lines) ? (a.lines as string[]) : [];
              const period = [a.valid_from, a.valid_to].map((d) => (d ? formatDate(str(d)) : "")).join(" – ");
              return `${formatAddress({ lines, postcode: str(a.postcode), city: str(a.city) })} (${period})`;
            }}
            onSaved={reload}
            editor={(v, set) => <AddressEditor value={v} set={set} />}
          />
          <EditableField
            cpr={cpr}
            version={s.version}
            field="RELATIVES"
            title="Pårørende"
            entered={s.relatives}
            show={(v) =>
              (Array.isArray(v) ? (v as Obj[]) : [])
                .map((r) => `${str(r.name)} (${str(r.relation_display) || str(r.relation)}), tlf. ${str(r.phone)}`)
                .join("; ")
            }
            onSaved={reload}
            editor={(v, set) => <RelativesEditor value={v} set={set} />}
          />
        </>
      )}
    </section>
  );
}

type Changes = Omit<UpdateStamkortInput, "cpr" | "expectedVersion">;
type Setter = (c: Changes) => void;

const INPUT_KEY: Record<StamkortField, keyof Changes> = {
  PHONE: "phone",
  LANGUAGE: "language",
  DENTIST: "dentist",
  TEMPORARY_ADDRESS: "temporaryAddress",
  RELATIVES: "relatives",
};

function Provenance({ e }: { e: EnteredFragment }) {
  const p = e.provenance;
  const who = [p.enteredByName, p.enteredByRole && label(ROLE_LABELS, p.enteredByRole)].filter(Boolean).join(", ");
  return (
    <span className="provenance">
      Indtastet af {who || "ukendt"}
      {p.enteredByAuthorisationId && ` (aut.-id ${p.enteredByAuthorisationId})`}
      {p.organization?.name && `, ${p.organization.name}`}
      {p.enteredAt && `, ${formatDateTime(p.enteredAt)}`}
    </span>
  );
}

function EditableField(props: {
  cpr: string;
  version: number;
  field: StamkortField;
  title: string;
  entered: EnteredFragment | null | undefined;
  show: (v: unknown) => string;
  editor: (value: unknown, set: Setter) => ReactNode;
  onSaved: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [history, setHistory] = useState(false);
  const [changes, setChanges] = useState<Changes>({});
  const [result, save] = useMutation(UpdateStamkort);
  const stale = errorCode(result.error) === "STALE_EDIT";
  const id = `field-${props.field.toLowerCase()}`;
  return (
    <div className="field" aria-labelledby={id}>
      <h4 id={id}>{props.title} *</h4>
      {props.entered?.value != null ? (
        <p>
          <span className="value">{props.show(props.entered.value)}</span>
          <br />
          <Provenance e={props.entered} />
        </p>
      ) : (
        <p className="empty">Ikke oplyst</p>
      )}
      {!editing && (
        <div className="actions">
          <button type="button" onClick={() => { setEditing(true); setChanges({}); }} aria-label={`Ret ${props.title.toLowerCase()}`}>
            Ret
          </button>
          {props.entered?.value != null && (
            <button
              type="button"
              className="secondary"
              aria-label={`Slet ${props.title.toLowerCase()}`}
              onClick={async () => {
                const r = await save({ input: { cpr: props.cpr, expectedVersion: props.version, clear: [props.field] } });
                if (r.data) props.onSaved();
              }}
            >
              Slet
            </button>
          )}
          <button type="button" className="secondary" aria-expanded={history} onClick={() => setHistory(!history)}>
            {history ? "Skjul historik" : "Vis historik"}
          </button>
        </div>
      )}
      {editing && (
        <form
          className="editor"
          aria-label={`Ret ${props.title.toLowerCase()}`}
          onSubmit={async (e) => {
            e.preventDefault();
            const key = INPUT_KEY[props.field];
            const input = { cpr: props.cpr, expectedVersion: props.version, [key]: changes[key] };
            const r = await save({ input });
            if (r.data) {
              setEditing(false);
              props.onSaved();
            }
          }}
        >
          {props.editor(props.entered?.value, (c) => setChanges({ ...changes, ...c }))}
          <div className="actions">
            <button type="submit" disabled={result.fetching}>
              Gem
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              Fortryd
            </button>
          </div>
        </form>
      )}
      <ErrorBox>
        {result.error && (
          <>
            {errorMessage(result.error)}{" "}
            {stale && (
              <button type="button" onClick={props.onSaved}>
                Hent stamkortet igen
              </button>
            )}
          </>
        )}
      </ErrorBox>
      {history && <History cpr={props.cpr} field={props.field} show={props.show} />}
    </div>
  );
}

function History({ cpr, field, show }: { cpr: string; field: StamkortField; show: (v: unknown) => string }) {
  const [result] = useQuery({ query: StamkortHistory, variables: { cpr, field } });
  const items = result.data?.patientOverview.stamkort?.history ?? [];
  return (
    <div className="history">
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      {result.data && !items.length && <p className="empty">Ingen historik.</p>}
      <ol>
        {items.map((e) => (
          <li key={e.version}>
            <span className="value">{e.value == null ? "(slettet)" : show(e.value)}</span> — <Provenance e={e} />{" "}
            <small>(version {e.version})</small>
          </li>
        ))}
      </ol>
    </div>
  );
}

function TextInput(props: { label: string; value: string; onChange: (v: string) => void; required?: boolean; type?: string }) {
  return (
    <label>
      {props.label}{" "}
      <input
        type={props.type ?? "text"}
        defaultValue={props.value}
        required={props.required}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

function PhoneEditor({ value, set }: { value: unknown; set: Setter }) {
  return <TextInput label="Telefonnummer" type="tel" value={str(value)} required onChange={(v) => set({ phone: v })} />;
}

function LanguageEditor({ value, set }: { value: unknown; set: Setter }) {
  return (
    <TextInput
      label="Sprogkode (ISO 639, fx da, en, ar)"
      value={str((value as Obj | null)?.code)}
      required
      onChange={(v) => set({ language: v })}
    />
  );
}

function DentistEditor({ value, set }: { value: unknown; set: Setter }) {
  const [d, setD] = useState(() => {
    const v = (value ?? {}) as Obj;
    return { name: str(v.name), phone: str(v.phone) || null, address: str(v.address) || null };
  });
  const change = (patch: Partial<typeof d>) => {
    const next = { ...d, ...patch };
    setD(next);
    set({ dentist: next });
  };
  return (
    <>
      <TextInput label="Navn" value={d.name} required onChange={(v) => change({ name: v })} />
      <TextInput label="Telefon" type="tel" value={d.phone ?? ""} onChange={(v) => change({ phone: v || null })} />
      <TextInput label="Adresse" value={d.address ?? ""} onChange={(v) => change({ address: v || null })} />
    </>
  );
}

function AddressEditor({ value, set }: { value: unknown; set: Setter }) {
  const [a, setA] = useState(() => {
    const v = (value ?? {}) as Obj;
    const lines = Array.isArray(v.lines) ? (v.lines as string[]) : [];
    return {
      lines: lines.length ? lines : [""],
      postcode: str(v.postcode),
      city: str(v.city),
      validFrom: str(v.valid_from),
      validTo: str(v.valid_to) || null,
    };
  });
  const change = (patch: Partial<typeof a>) => {
    const next = { ...a, ...patch };
    setA(next);
    set({ temporaryAddress: { ...next, lines: next.lines.filter(Boolean) } });
  };
  return (
    <>
      <TextInput label="Adresse" value={a.lines[0] ?? ""} required onChange={(v) => change({ lines: [v] })} />
      <TextInput label="Postnummer" value={a.postcode} required onChange={(v) => change({ postcode: v })} />
      <TextInput label="By" value={a.city} required onChange={(v) => change({ city: v })} />
      <TextInput label="Gælder fra" type="date" value={a.validFrom} required onChange={(v) => change({ validFrom: v })} />
      <TextInput label="Gælder til" type="date" value={a.validTo ?? ""} onChange={(v) => change({ validTo: v || null })} />
    </>
  );
}

interface RelativeRow {
  name: string;
  phone: string;
  relation: string;
}

function RelativesEditor({ value, set }: { value: unknown; set: Setter }) {
  const [rows, setRows] = useState<RelativeRow[]>(() =>
    (Array.isArray(value) ? (value as Obj[]) : []).map((r) => ({
      name: str(r.name),
      phone: str(r.phone),
      relation: str(r.relation) || "SPS",
    })),
  );
  const change = (next: RelativeRow[]) => {
    setRows(next);
    set({ relatives: next as UpdateStamkortInput["relatives"] });
  };
  return (
    <>
      {rows.map((r, i) => (
        <fieldset key={i}>
          <legend>Pårørende {i + 1}</legend>
          <TextInput label="Navn" value={r.name} required onChange={(v) => change(rows.map((x, j) => (j === i ? { ...x, name: v } : x)))} />
          <TextInput label="Telefon" type="tel" value={r.phone} required onChange={(v) => change(rows.map((x, j) => (j === i ? { ...x, phone: v } : x)))} />
          <label>
            Relation{" "}
            <select value={r.relation} onChange={(e) => change(rows.map((x, j) => (j === i ? { ...x, relation: e.target.value } : x)))}>
              {RELATIONSHIPS.map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="secondary" onClick={() => change(rows.filter((_, j) => j !== i))}>
            Fjern pårørende {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" className="secondary" onClick={() => change([...rows, { name: "", phone: "", relation: "SPS" }])}>
        Tilføj pårørende
      </button>
    </>
  );
}
