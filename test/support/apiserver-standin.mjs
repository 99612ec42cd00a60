#!/usr/bin/env node
// apiserver-standin: NOT a Kubernetes API server. No kube-apiserver can be had in the lab, so this
// tiny HTTPS server plays the one part the load-balancer stack touches: TLS on :6443 with
// /healthz and /readyz answering 200 "ok" (what haproxy's `option httpchk` and keepalived's
// check script probe). `/` answers with the host's name so a client can tell which backend served it.
// Usage: node apiserver-standin.mjs --name NAME --cert FILE --key FILE [--port 6443] [--host 0.0.0.0]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    port: { type: 'string', default: '6443' },
    host: { type: 'string', default: '0.0.0.0' },
  },
});
if (!values.name || !values.cert || !values.key) {
  console.error(
    'usage: apiserver-standin.mjs --name NAME --cert FILE --key FILE [--port 6443] [--host ADDR]',
  );
  process.exit(2);
}

const server = createServer(
  { cert: readFileSync(values.cert), key: readFileSync(values.key) },
  (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'text/plain', 'x-standin': 'apiserver-standin' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz' || path === '/readyz' || path === '/livez') return reply(200, 'ok');
    if (path === '/') return reply(200, `apiserver-standin on ${values.name}\n`);
    return reply(404, 'not found (apiserver-standin serves only /, /healthz, /readyz, /livez)\n');
  },
);
server.listen(Number(values.port), values.host, () => {
  console.log(`apiserver-standin on ${values.name} listening on ${values.host}:${values.port}`);
});
// Stop at once: server.close() alone waits for every open connection, and one left half-open
// (a client cut off by a VIP move) kept `systemctl stop` waiting for its 90 s stop timeout — the
// lb-failover test's "dead apiserver-standin" step ran into its own 60 s timeout that way in CI.
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  });
