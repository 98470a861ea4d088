// A SOR unit, found by name or SOR id through the graph's `organizations(search:)`: for a
// treatment-place block and the appointments' organisation filter.
import { useEffect, useId, useState } from "react";
import { useQuery } from "urql";
import { errorMessage } from "../api";
import { ErrorBox } from "../components";
import { Organizations } from "../operations";

const LEVELS: Record<string, string> = { OWNER: "ejer", INSTITUTION: "institution", UNIT: "enhed" };

export function OrganizationPicker(props: {
  value: string;
  onChange: (sor: string) => void;
  label?: string;
  required?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const [search, setSearch] = useState("");
  // Ask when the typing pauses, not on every key.
  useEffect(() => {
    const t = setTimeout(() => setSearch(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  const [result] = useQuery({
    query: Organizations,
    variables: { search, first: 20 },
    pause: search.length < 2,
  });
  const units = search.length >= 2 ? (result.data?.organizations ?? []) : [];
  return (
    <fieldset className="org-picker">
      <legend>{props.label ?? "Behandlingssted"}</legend>
      <label htmlFor={`${id}-search`}>Søg på navn eller SOR-id</label>{" "}
      <input id={`${id}-search`} type="search" value={text} onChange={(e) => setText(e.target.value)} />
      {props.value && (
        <p className="selected">
          Valgt: SOR {props.value}{" "}
          <button type="button" className="secondary" onClick={() => props.onChange("")}>
            Fjern valg
          </button>
        </p>
      )}
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      {search.length >= 2 && result.data && !units.length && <p className="empty">Ingen enheder fundet.</p>}
      {units.length > 0 && (
        <ul className="units" aria-label="Fundne enheder">
          {units.map((u) => (
            <li key={u.sor}>
              <label>
                <input
                  type="radio"
                  name={`${id}-unit`}
                  value={u.sor}
                  required={props.required && !props.value}
                  checked={props.value === u.sor}
                  onChange={() => props.onChange(u.sor)}
                />
                {u.name} <small>({LEVELS[u.level] ?? u.level}, SOR {u.sor})</small>
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
