// GraphiQL from the page's own build (no CDN). The bearer token comes from the fragment
// (`/graphql#token=<jwt>`) into the headers editor, or is typed there.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import "./graphiql-page.css";
import { createRoot } from "react-dom/client";
import { parseFragment } from "./lib/fragment";

const token = parseFragment(window.location.hash).token;
// The token from the fragment goes on every request, the schema's introspection included.
const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  headers: token ? { Authorization: `Bearer ${token}` } : {},
});
// Without a token, the schema cannot be read (introspection needs one too): paste one below.
const headers = JSON.stringify({ Authorization: `Bearer ${token ?? "<spo token citizen-multi>"}` }, null, 2);
const query = `# The patient overview. Set the Authorization header below (spo token <persona>).
query Overview($cpr: String!) {
  patientOverview(cpr: $cpr) {
    patient { cpr name }
    appointments(view: WEEK, first: 20) { totalCount nodes { start title status source { name } } }
    notices { code message }
  }
}
`;

createRoot(document.getElementById("graphiql")!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultHeaders={headers}
    headers={headers}
    defaultQuery={query}
    variables={JSON.stringify({ cpr: "0108589995" }, null, 2)}
    shouldPersistHeaders={false}
    isHeadersEditorEnabled
  />,
);
