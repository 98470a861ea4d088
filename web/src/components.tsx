import { useState, type ReactNode } from "react";
import { useMutation } from "urql";
import { errorMessage } from "./api";
import { formatDateTime, formatTime } from "./lib/dates";
import { sourceMessage } from "./lib/format";
import type { Role } from "./lib/token";
import { OverrideBlocks } from "./operations";

export interface SourceRow {
  id: string;
  name: string;
  kind: string;
  status: string;
  fetchedAt?: string | null;
  refusedDocuments: number;
}

/** Each source that did not answer normally, and documents refused, said in Danish. */
export function SourceStatus({ sources }: { sources: ReadonlyArray<SourceRow> | undefined }) {
  const lines = (sources ?? []).flatMap((s) => {
    const out: string[] = [];
    const msg = sourceMessage(s);
    if (msg) out.push(msg);
    if (s.refusedDocuments > 0) {
      out.push(`${s.name}: ${s.refusedDocuments} dokument(er) kunne ikke læses og vises ikke`);
    }
    return out;
  });
  if (!lines.length) return null;
  return (
    <div className="sources-warning" role="status">
      <ul>
        {lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </div>
  );
}

export function ErrorBox({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="error" role="alert">
      {children}
    </div>
  );
}

export interface OverrideState {
  expiresAt: string;
  reason: string;
}

const NOTICE_TEXT: Record<string, string> = {
  BLOCKED_BY_PATIENT:
    "Nogle oplysninger er tilbageholdt efter patientens ønske. Med patientens samtykke nu, eller hvis patienten ikke kan kontaktes, kan du foretage værdispring.",
};

/** Notices for the viewer; for a clinician told data is withheld, the override (værdispring). */
export function Notices(props: {
  notices: ReadonlyArray<{ code: string; message: string }> | undefined;
  role: Role;
  cpr: string;
  override: OverrideState | null;
  onOverride: (o: OverrideState) => void;
}) {
  const { notices, role, cpr, override, onOverride } = props;
  const withheld = (notices ?? []).some((n) => n.code === "BLOCKED_BY_PATIENT");
  return (
    <>
      {override && (
        <p className="notice override-active" role="status">
          Værdispring aktivt til kl. {formatTime(override.expiresAt)} ({formatDateTime(override.expiresAt)}).
          Begrundelse: {override.reason}
        </p>
      )}
      {(notices ?? []).map((n) => (
        <div key={n.code} className="notice" role="status" data-code={n.code}>
          <p>{NOTICE_TEXT[n.code] ?? n.message}</p>
        </div>
      ))}
      {withheld && role === "clinician" && <OverrideForm cpr={cpr} onDone={onOverride} />}
    </>
  );
}

function OverrideForm({ cpr, onDone }: { cpr: string; onDone: (o: OverrideState) => void }) {
  const [open, setOpen] = useState(false);
  const [basis, setBasis] = useState<"CONSENT_NOW" | "PATIENT_UNREACHABLE">("CONSENT_NOW");
  const [reason, setReason] = useState("");
  const [result, run] = useMutation(OverrideBlocks);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Værdispring: se de tilbageholdte oplysninger
      </button>
    );
  }
  return (
    <form
      className="override-form"
      aria-labelledby="override-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await run({ input: { cpr, basis, reason } });
        if (r.data) {
          onDone({ expiresAt: r.data.overrideBlocks.expiresAt, reason: r.data.overrideBlocks.reason });
        }
      }}
    >
      <h3 id="override-heading">Værdispring</h3>
      <p>
        Kun med patientens samtykke nu, eller når patienten ikke kan kontaktes. Værdispringet logges
        og vises for patienten.
      </p>
      <fieldset>
        <legend>Grundlag</legend>
        <label>
          <input
            type="radio"
            name="basis"
            value="CONSENT_NOW"
            checked={basis === "CONSENT_NOW"}
            onChange={() => setBasis("CONSENT_NOW")}
          />
          Patienten giver samtykke nu
        </label>
        <label>
          <input
            type="radio"
            name="basis"
            value="PATIENT_UNREACHABLE"
            checked={basis === "PATIENT_UNREACHABLE"}
            onChange={() => setBasis("PATIENT_UNREACHABLE")}
          />
          Patienten kan ikke kontaktes
        </label>
      </fieldset>
      <label htmlFor="override-reason">Begrundelse</label>
      <textarea
        id="override-reason"
        required
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        rows={3}
      />
      <ErrorBox>{errorMessage(result.error)}</ErrorBox>
      <div className="actions">
        <button type="submit" disabled={result.fetching || !reason.trim()}>
          Foretag værdispring
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Fortryd
        </button>
      </div>
    </form>
  );
}

/**
 * Relay paging both ways: the next page is `first/after` the page's end cursor, the previous
 * one `last/before` its start cursor; the graph says whether either exists.
 */
export interface PageArgs {
  first: number | null;
  after: string | null;
  last: number | null;
  before: string | null;
}

export function usePager(size: number): {
  args: PageArgs;
  next: (info: { endCursor?: string | null }) => void;
  previous: (info: { startCursor?: string | null }) => void;
  reset: () => void;
} {
  const start: PageArgs = { first: size, after: null, last: null, before: null };
  const [args, setArgs] = useState<PageArgs>(start);
  return {
    args,
    next: ({ endCursor }) => endCursor && setArgs({ first: size, after: endCursor, last: null, before: null }),
    previous: ({ startCursor }) => startCursor && setArgs({ first: null, after: null, last: size, before: startCursor }),
    reset: () => setArgs(start),
  };
}

export function Pager(props: {
  info: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null };
  total: number;
  shown: number;
  pager: ReturnType<typeof usePager>;
  label: string;
}) {
  const { info, pager } = props;
  return (
    <nav className="pager" aria-label={props.label}>
      <button type="button" onClick={() => pager.previous(info)} disabled={!info.hasPreviousPage}>
        Forrige side
      </button>
      <span>
        {props.shown} vist af {props.total}
      </span>
      <button type="button" onClick={() => pager.next(info)} disabled={!info.hasNextPage}>
        Næste side
      </button>
    </nav>
  );
}
