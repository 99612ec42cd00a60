/**
 * Terminals through the real contract and both transports (browser mode's WebSocket and the
 * Electron MessagePort), with the local shell (node-pty): KUBECONFIG, flow control across the
 * transport, the shell hung up when the page goes away, and typed errors.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { createORPCClient, ORPCError } from '@orpc/client';
import { RPCLink as MessagePortLink } from '@orpc/client/message-port';
import { RPCLink as WebSocketLink } from '@orpc/client/websocket';
import type { ContractRouterClient } from '@orpc/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newServiceContext } from '../../../main/services/context';
import { openTerminalCount } from '../../../main/services/terminal/router';
import { startBrowserServer, type BrowserServer } from '../../../main/services/transport/browser-server';
import { serveMessagePort } from '../../../main/services/transport/message-port';
import { kubeconfigPathFor } from '../../../main/services/workspace/folder';
import type { Contract } from '../../../shared/contract';
import { TERMINAL_FLOW, type TerminalEvent } from '../../../shared/contract/terminal';
import { expectValidationError } from '../foundation/validation';

type Client = ContractRouterClient<Contract>;

const home = mkdtempSync(join(tmpdir(), 'keelson-term-contract-'));
const rendererDir = join(home, 'renderer');
let server: BrowserServer;
const cleanups: (() => void)[] = [];
const previous = { home: process.env.KEELSON_HOME, shell: process.env.SHELL };

beforeAll(async () => {
  process.env.KEELSON_HOME = join(home, 'keelson');
  // A plain sh: a developer's bash profile can take seconds to start (pyenv, nvm…).
  process.env.SHELL = '/bin/sh';
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  server = await startBrowserServer({ rendererDir });
});
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
afterAll(async () => {
  await server.close();
  for (const [name, value] of [
    ['KEELSON_HOME', previous.home],
    ['SHELL', previous.shell],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(home, { recursive: true, force: true });
});

function overWebSocket(): { client: Client; close: () => void } {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`, {
    origin: `http://127.0.0.1:${server.port}`,
  });
  const close = () => socket.terminate();
  cleanups.push(close);
  return {
    client: createORPCClient(new WebSocketLink({ websocket: socket as unknown as globalThis.WebSocket })),
    close,
  };
}

function overMessagePort(): { client: Client; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  serveMessagePort(port2, newServiceContext('electron-ipc', 'electron'));
  port1.start();
  const close = () => {
    port1.close();
    port2.close();
  };
  cleanups.push(close);
  return { client: createORPCClient(new MessagePortLink({ port: port1 })), close };
}

/** What the page does with a terminal stream: decode, "write", acknowledge (unless told not to). */
class PageTerminal {
  id = '';
  ready: Extract<TerminalEvent, { type: 'ready' }> | undefined;
  text = '';
  received = 0;
  acked = 0;
  end: TerminalEvent | undefined;
  failure: unknown;
  readonly done: Promise<void>;
  ackOn = true;

  constructor(
    private readonly client: Client,
    stream: Promise<AsyncIterable<TerminalEvent>>,
  ) {
    this.done = (async () => {
      try {
        for await (const ev of await stream) {
          if (ev.type === 'ready') {
            this.ready = ev;
            this.id = ev.id;
          } else if (ev.type === 'data') {
            const bytes = Buffer.from(ev.data, 'base64');
            this.received += bytes.length;
            this.text = (this.text + bytes.toString('utf8')).slice(-200_000);
            // As the page does: acknowledge in batches, without waiting for the answer.
            if (this.ackOn && this.received - this.acked >= TERMINAL_FLOW.ackEveryBytes) void this.ackAll();
          } else this.end = ev;
        }
      } catch (e) {
        this.failure = e;
      }
    })();
  }

  ackAll(): Promise<unknown> {
    const bytes = this.received - this.acked;
    if (bytes <= 0) return Promise.resolve();
    this.acked += bytes;
    return this.client.terminal.ack({ id: this.id, bytes }).catch((e: unknown) => (this.failure = e));
  }

  async started(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!this.ready) {
      if (this.failure) throw this.failure;
      if (Date.now() > deadline) throw new Error('the terminal never became ready');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  type(text: string) {
    return this.client.terminal.write({ id: this.id, data: text });
  }

  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text);
      if (m) return m;
      if (Date.now() > deadline)
        throw new Error(`no ${pattern} within ${timeoutMs} ms in:\n${this.text.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function openLocal(client: Client, cluster = 'demo'): PageTerminal {
  return new PageTerminal(client, client.terminal.open({ kind: 'local', cluster, cols: 100, rows: 30 }));
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each([
  ['WebSocket (browser mode)', overWebSocket],
  ['MessagePort (Electron)', overMessagePort],
])('a local shell over %s', (_name, connect) => {
  it('runs with KUBECONFIG set to the cluster’s kubeconfig file', async () => {
    const { client } = connect();
    const t = openLocal(client, 'demo');
    await t.started();
    const path = kubeconfigPathFor('demo');
    expect(path).toBe(join(home, 'keelson', 'kubeconfig', 'demo.yaml'));
    expect(t.ready!.kubeconfig).toEqual({ path, exists: false });
    await t.type('echo "kc=$KUBECONFIG"; stty size\n');
    await t.waitFor(new RegExp(`kc=${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\r\\n30 100\\r\\n`));
    await client.terminal.resize({ id: t.id, cols: 120, rows: 40 });
    await t.type('stty size\n');
    await t.waitFor(/\b40 120\r\n/);
    await t.type('exit 7\n');
    await t.done;
    expect(t.failure).toBeUndefined();
    expect(t.end).toEqual({ type: 'exit', exitCode: 7 });
    expect(openTerminalCount()).toBe(0);
  });
});

describe('local shells through the contract', () => {
  it('says when the cluster has an exported kubeconfig', async () => {
    const path = kubeconfigPathFor('exported');
    mkdirSync(join(home, 'keelson', 'kubeconfig'), { recursive: true });
    writeFileSync(path, 'apiVersion: v1\nkind: Config\n', { mode: 0o600 });
    const { client } = overWebSocket();
    const t = openLocal(client, 'exported');
    await t.started();
    expect(t.ready!.kubeconfig).toEqual({ path, exists: true });
    await client.terminal.close({ id: t.id });
    await t.done;
  });

  it('holds `yes` at one window across the WebSocket while the page does not acknowledge', async () => {
    const { client } = overWebSocket();
    const t = openLocal(client);
    t.ackOn = false;
    await t.started();
    await t.type('yes\n');
    await until(() => t.received >= TERMINAL_FLOW.highWaterBytes, 'a full window');
    await new Promise((r) => setTimeout(r, 300));
    const held = t.received;
    const rss = process.memoryUsage().rss;
    await new Promise((r) => setTimeout(r, 2_000));
    // Nothing more than the one chunk that crossed the line arrives while nothing is acknowledged.
    expect(t.received).toBe(held);
    expect(held).toBeLessThanOrEqual(TERMINAL_FLOW.highWaterBytes + TERMINAL_FLOW.maxEventBytes);
    expect(process.memoryUsage().rss - rss).toBeLessThan(32 * 1024 * 1024);
    // Acknowledging lets it run again.
    t.ackOn = true;
    await t.ackAll();
    await until(() => t.received > held + 4 * TERMINAL_FLOW.highWaterBytes, 'more output after acks');
    await t.type('\x03');
    await client.terminal.close({ id: t.id });
    await t.done;
    expect(openTerminalCount()).toBe(0);
  });

  it('hangs the shell up when the page goes away (socket closed)', async () => {
    const { client, close } = overWebSocket();
    const t = openLocal(client);
    await t.started();
    await t.type('echo "pid=$$"\n');
    const pid = Number((await t.waitFor(/pid=(\d+)\r\n/))[1]);
    expect(() => process.kill(pid, 0)).not.toThrow();
    close();
    await until(() => openTerminalCount() === 0, 'the terminal to close');
    await until(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, `shell ${pid} to end`);
  });

  it('answers an unknown id with NOT_FOUND and bad sizes with BAD_REQUEST', async () => {
    const { client } = overWebSocket();
    const id = '9b2f6c4e-3f1a-4c6e-9d7b-2a1e5f0c8d3b';
    const err = await client.terminal.write({ id, data: 'ls\n' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err instanceof ORPCError && err.code).toBe('NOT_FOUND');
    await expectValidationError(
      client.terminal.open({ kind: 'local', cluster: 'demo', cols: 0, rows: 30 }).then(async (it) => {
        for await (const ev of it) void ev;
      }),
      ['cols'],
    );
    await expectValidationError(client.terminal.ack({ id: 'not-an-id', bytes: 1 }), ['id']);
    expect(existsSync(join(home, 'keelson', 'workspace'))).toBe(false);
  });
});
