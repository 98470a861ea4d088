// The operations manifest: every operation the page sends, by its sha256 hash, written into the
// build as dist/operations.json (issue 10 makes it the trusted-documents allowlist).
import { copyFileSync, readFileSync } from "node:fs";

const source = new URL("../src/gql/persisted-documents.json", import.meta.url);
const target = new URL("../dist/operations.json", import.meta.url);
copyFileSync(source, target);
const count = Object.keys(JSON.parse(readFileSync(target, "utf-8"))).length;
console.log(`dist/operations.json: ${count} operations`);
