/**
 * Keystrokes and terminal output never reach a log and are never stored: the built
 * browser-mode server (`npm run serve`), with every debug log switched on, serves an SSH
 * terminal (real sshd on loopback) and a local shell; what was typed and what was printed
 * appears neither in anything the server wrote nor in any file under KEELSON_HOME.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/websocket';
import type { ContractRouterClient } from '@orpc/contract';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Contract } from '../../../shared/contract';
import type { OpenTerminal } from '../../../shared/contract/terminal';
import { ensureBuilt } from '../foundation/build-output';
import { startSshd, type Sshd } from '../ssh/sshd-fixture';

const root = mkdtempSync(join(tmpdir(), 'keelson-term-nolog-'));
const keelsonHome = join(root, 'keelson');
let sshd: Sshd;
let server: ChildProcess;
let output = '';
let client: ContractRouterClient<Contract>;
let socket: WebSocket;

beforeAll(async () => {
  ensureBuilt();
  sshd = await startSshd();
  mkdirSync(join(root, 'home'));
  writeFileSync(join(root, 'known_hosts'), `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`);
  server = spawn(process.execPath, ['out/main/serve.js'], {
    env: {
      ...process.env,
      KEELSON_HOME: keelsonHome,
      HOME: join(root, 'home'),
      KEELSON_KNOWN_HOSTS: join(root, 'known_hosts'),
      // Every log the services have, on.
      KEELSON_SSH_DEBUG: '1',
      SHELL: '/bin/sh',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  server.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 15_000;
  const url = () => /127\.0\.0\.1:(\d+)\/#token=(\S+)\n/.exec(output);
  while (!url()) {
    if (Date.now() > deadline) throw new Error(`serve printed no URL: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const match = url()!;
  socket = new WebSocket(`ws://127.0.0.1:${match[1]}/rpc?token=${match[2]}`, {
    origin: `http://127.0.0.1:${match[1]}`,
  });
  client = createORPCClient(new RPCLink({ websocket: socket as unknown as globalThis.WebSocket }));
});

afterAll(async () => {
  socket?.terminate();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await sshd?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Opens a terminal, types `line`, waits for `expect` in the output, then closes it. */
async function session(open: OpenTerminal, line: string, want: string): Promise<void> {
  let id = '';
  let text = '';
  const stream = await client.terminal.open(open);
  for await (const ev of stream) {
    if (ev.type === 'ready') {
      id = ev.id;
      await client.terminal.write({ id, data: line });
    } else if (ev.type === 'data') {
      const bytes = Buffer.from(ev.data, 'base64');
      text += bytes.toString('utf8');
      await client.terminal.ack({ id, bytes: bytes.length });
      if (text.includes(want)) await client.terminal.close({ id });
    }
  }
  expect(text).toContain(want);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? [...out, ...filesUnder(path)] : [...out, path];
  }
  return out;
}

it('no keystroke and no output reaches a log or a file', async () => {
  const typed = `typed-${randomBytes(6).toString('hex')}`;
  // The shell computes the printed marker, so it never appears in what was typed.
  const printed = (n: number) => `printed-${n * 7}-marker`;
  const line = (n: number) => `: ${typed}; echo "printed-$((${n}*7))-marker"\n`;

  await session(
    {
      kind: 'ssh',
      host: {
        address: '127.0.0.1',
        port: sshd.port,
        user: 'root',
        auth: { type: 'key', keyFile: sshd.rootKey },
      },
      cols: 80,
      rows: 24,
    },
    line(6),
    printed(6),
  );
  await session({ kind: 'local', cluster: 'nolog', cols: 80, rows: 24 }, line(9), printed(9));

  // Give the server a moment to write its closing lines, then look at everything it wrote.
  await new Promise((r) => setTimeout(r, 300));
  expect(output, 'the debug log was on and saw the terminals').toMatch(
    /terminal \w+ opened: root@127\.0\.0\.1/,
  );
  expect(output).toMatch(/terminal \w+ opened: local \/bin\/sh/);
  for (const secret of [typed, printed(6), printed(9)]) {
    expect(output).not.toContain(secret);
    expect(sshd.log()).not.toContain(secret);
    for (const file of filesUnder(keelsonHome)) expect(readFileSync(file, 'utf8')).not.toContain(secret);
  }
});
