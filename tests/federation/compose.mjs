// Composes the gateway's subgraph schema with a sample subgraph, as a supergraph's build would.
//
//   node compose.mjs [gateway.graphql] [sample.graphql]
//
// Defaults: ../../schema.federation.graphql (written by `make schema`) and ./sample.graphql.
// Exit 0 and print {"supergraphSdl", "hints"} as JSON when they compose; exit 1 and print the
// composition errors (to stderr) when they do not.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
const [gatewayPath, samplePath] = [
  process.argv[2] ?? resolve(here, "../../schema.federation.graphql"),
  process.argv[3] ?? resolve(here, "sample.graphql"),
];

function service(name, path) {
  return { name, url: `http://${name}.invalid/graphql`, typeDefs: parse(readFileSync(path, "utf8")) };
}

const result = composeServices([
  service("overview", gatewayPath),
  service("reminders", samplePath),
]);
if (result.errors) {
  for (const error of result.errors) {
    const code = error.extensions?.code ?? "ERROR";
    process.stderr.write(`${code}: ${error.message}\n`);
  }
  process.exit(1);
}
const hints = result.hints.map((h) => ({ code: h.definition.code, message: h.message }));
process.stdout.write(JSON.stringify({ supergraphSdl: result.supergraphSdl, hints }) + "\n");
