import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBrowserServer } from '../services/transport/browser-server';

// Browser mode: the same services and renderer as the Electron app, over a loopback
// WebSocket. For tests, and for running Keelson on a jump host behind an SSH tunnel.
function parseOptions() {
  try {
    return parseArgs({
      options: { port: { type: 'string', default: '0' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}. Run with --help for the options.`);
    process.exit(2);
  }
}
const values = parseOptions();
if (values.help) {
  console.log('Usage: npm run serve [-- --port N]\nServes Keelson on http://127.0.0.1:N (loopback only).');
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a number from 0 to 65535, got "${values.port}"`);
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const server = await startBrowserServer({
  rendererDir: join(here, '../renderer'),
  port,
  log: (line) => console.error(line),
}).catch((error: NodeJS.ErrnoException) => {
  const why = error.code === 'EADDRINUSE' ? `port ${port} is already in use on 127.0.0.1` : error.message;
  console.error(`Keelson browser mode could not start: ${why}.`);
  process.exit(1);
});
console.log(`Keelson browser mode is listening on 127.0.0.1 only.`);
console.log(`Open: ${server.url}`);
console.log(
  `From another machine: ssh -L ${server.port}:127.0.0.1:${server.port} THIS_HOST, then open the same URL.`,
);

const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
