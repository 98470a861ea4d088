// The page's one GraphQL client: urql over fetch to the gateway's /graphql, with the bearer
// token. No document cache: a block takes effect on the very next request, so every view asks
// the graph again (request policy network-only).
//
// Every operation is sent as its trusted document's hash only (extensions.persistedQuery), never
// as text: the gateway runs the build's manifest (dist/operations.json) and nothing else outside
// dev mode. The hash is the one GraphQL Code Generator wrote into the document at build time.

import { persistedExchange } from "@urql/exchange-persisted";
import { Client, fetchExchange, type CombinedError } from "urql";

/** The build-time hash of a generated document (its `__meta__.hash`). */
export async function documentHash(_query: string, document: object): Promise<string> {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== "string") throw new Error("a document without its build-time hash");
  return hash;
}

export function makeClient(token: string): Client {
  return new Client({
    url: "/graphql",
    exchanges: [
      persistedExchange({
        enforcePersistedQueries: true, // the hash alone, and no retry with the text
        enableForMutation: true,
        preferGetForPersistedQueries: false, // variables hold CPR numbers: never in a URL
        generateHash: documentHash,
      }),
      fetchExchange,
    ],
    requestPolicy: "network-only",
    preferGetMethod: false,
    fetchOptions: () => ({
      headers: { Authorization: `Bearer ${token}` },
      credentials: "omit",
    }),
  });
}

/** The first `extensions.code` of an error (or HTTP status), for the messages the page shows. */
export function errorCode(error: CombinedError | undefined): string | null {
  if (!error) return null;
  for (const e of error.graphQLErrors) {
    const code = e.extensions?.code;
    if (typeof code === "string") return code;
  }
  const status = (error.response as Response | undefined)?.status;
  if (status === 401) return "UNAUTHENTICATED";
  return error.networkError ? "NETWORK" : null;
}

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: "Du er ikke logget ind, eller dit login er udløbet. Log ind igen.",
  FORBIDDEN: "Du har ikke adgang til dette.",
  STALE_EDIT:
    "En anden har rettet stamkortet, siden du hentede det. Dine ændringer er ikke gemt: hent stamkortet igen og ret på ny.",
  NETWORK: "Forbindelsen til serveren svigtede. Prøv igen.",
  BAD_USER_INPUT: "Et af felterne er ikke udfyldt rigtigt.",
};

/** Errors the page tells otherwise: a withheld part (the notice) or a source (its status). */
function toldElsewhere(e: { extensions?: Record<string, unknown> }): boolean {
  return e.extensions?.code === "BLOCKED_BY_PATIENT" || typeof e.extensions?.source === "string";
}

/** A Danish sentence for an error; the gateway's own message where it says more. */
export function errorMessage(error: CombinedError | undefined): string | null {
  if (!error) return null;
  if (!error.networkError && error.graphQLErrors.length && error.graphQLErrors.every(toldElsewhere)) return null;
  const code = errorCode(error);
  const first = error.graphQLErrors.find((e) => !toldElsewhere(e));
  if (code === "BAD_USER_INPUT" && first?.message) return `${MESSAGES.BAD_USER_INPUT} (${first.message})`;
  if (code && MESSAGES[code]) return MESSAGES[code];
  return first?.message ?? error.message;
}
