// graphql-http's server audit (GraphQL over HTTP) against a running gateway.
//
// Usage: SPO_AUDIT_URL=http://127.0.0.1:PORT/graphql SPO_AUDIT_TOKEN=<bearer> node audit.mjs
// Every audit request carries the token (the gateway answers nothing without one). Prints one
// JSON object: {"total": n, "ok": n, "failures": [{"id", "name", "status", "reason"}]}.
// The exit code is 0 whatever the result: the caller (tests/test_graphql_http.py) judges it.
import { auditServer } from 'graphql-http';

const url = process.env.SPO_AUDIT_URL;
const token = process.env.SPO_AUDIT_TOKEN;
if (!url || !token) {
  console.error('set SPO_AUDIT_URL and SPO_AUDIT_TOKEN');
  process.exit(2);
}

function withToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: withToken });
const failures = results
  .filter((r) => r.status !== 'ok')
  .map(({ id, name, status, reason }) => ({ id, name, status, reason }));
console.log(JSON.stringify({ total: results.length, ok: results.length - failures.length, failures }));
