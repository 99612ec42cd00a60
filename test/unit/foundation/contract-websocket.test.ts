import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createORPCClient, isDefinedError, ORPCError } from '@orpc/client';
import { RPCLink } from '@orpc/client/websocket';
import type { ContractRouterClient } from '@orpc/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startBrowserServer, type BrowserServer } from '../../../main/services/transport/browser-server';
import type { Contract } from '../../../shared/contract';
import { expectValidationError } from './validation';

// The renderer's own client library over a real socket: what the browser does, minus the browser.
const rendererDir = mkdtempSync(join(tmpdir(), 'keelson-contract-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
let server: BrowserServer;
const serverLog: string[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  server = await startBrowserServer({ rendererDir, log: (line) => serverLog.push(line) });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});
afterAll(async () => {
  await server.close();
  rmSync(rendererDir, { recursive: true, force: true });
});

function openSocket(): WebSocket {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`, {
    origin: `http://127.0.0.1:${server.port}`,
  });
  sockets.push(socket);
  return socket;
}

function connect(): ContractRouterClient<Contract> {
  // ws's WebSocket speaks the DOM event API oRPC's link expects.
  return createORPCClient(new RPCLink({ websocket: openSocket() as unknown as globalThis.WebSocket }));
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

describe('contract over the browser-mode WebSocket', () => {
  it('round-trips ping and info, and says which transport carried them', async () => {
    const client = connect();
    const pong = await client.system.ping({ message: 'hello over ws' });
    expect(pong.echo).toBe('hello over ws');
    expect(pong.transport).toBe('websocket');
    expect(Number.isNaN(Date.parse(pong.receivedAt))).toBe(false);
    const info = await client.system.info();
    expect(info).toMatchObject({ name: 'Keelson', mode: 'browser', platform: process.platform });
  });

  it('streams heartbeat events in order and ends the stream', async () => {
    const client = connect();
    const seen: number[] = [];
    for await (const beat of await client.system.heartbeat({ count: 3, intervalMs: 5 })) seen.push(beat.seq);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops a heartbeat stream the client abandons, and keeps serving', async () => {
    const client = connect();
    const seen: number[] = [];
    for await (const beat of await client.system.heartbeat({ count: 100, intervalMs: 5 })) {
      seen.push(beat.seq);
      if (beat.seq === 2) break;
    }
    expect(seen).toEqual([1, 2]);
    expect((await client.system.ping({ message: 'after break' })).echo).toBe('after break');
  });

  it('answers malformed input with a typed BAD_REQUEST that lists the issues', async () => {
    const client = connect();
    const call = (input: unknown) => client.system.ping(input as { message: string });
    await expectValidationError(call({ message: 42 }), ['message']);
    await expectValidationError(call({ message: 'ok', extra: true }), ['extra']);
    await expectValidationError(call({}), ['message']);
    await expectValidationError(call({ message: 'x'.repeat(1_001) }), ['message']);
    const beats = (input: unknown) => client.system.heartbeat(input as { count: number; intervalMs: number });
    await expectValidationError(beats({ count: 0, intervalMs: 5 }), ['count']);
    await expectValidationError(beats({ count: 1.5, intervalMs: '5' }), ['count', 'intervalMs']);
  });

  it('reports a validation error as an ORPCError the renderer can tell apart', async () => {
    const error = await connect()
      .system.ping({ message: 7 } as unknown as { message: string })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ORPCError);
    expect(isDefinedError(error)).toBe(false); // not one of a procedure's declared errors
    expect((error as ORPCError<string, unknown>).status).toBe(400);
  });

  it('survives garbage frames and still answers on the same socket', async () => {
    // oRPC logs each frame it cannot decode; keep that out of the test output but check it happened.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const socket = openSocket();
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('this is not json');
    socket.send('{"i":"1","p":');
    socket.send(JSON.stringify({ i: '9', t: 99, p: null }));
    socket.send(Buffer.from([0xff, 0x00, 0x13, 0x37]));
    socket.send('[]');
    const client = createORPCClient<ContractRouterClient<Contract>>(
      new RPCLink({ websocket: socket as unknown as globalThis.WebSocket }),
    );
    expect((await client.system.ping({ message: 'still here' })).echo).toBe('still here');
    expect(logged.mock.calls.flat().some((arg) => arg instanceof SyntaxError)).toBe(true);
    logged.mockRestore();
  });

  it('closes a socket that sends a frame over the size limit, and keeps serving others', async () => {
    const socket = openSocket();
    await new Promise((resolve) => socket.once('open', resolve));
    const code = closed(socket);
    socket.send(Buffer.alloc(9 * 1024 * 1024, 0x61));
    expect(await code).toBe(1009); // "message too big"
    expect(serverLog).toContain('closed a WebSocket after a bad frame: Max payload size exceeded');
    expect((await connect().system.ping({ message: 'next client' })).echo).toBe('next client');
  });

  it('survives a client that drops mid-stream', async () => {
    const socket = openSocket();
    const client = createORPCClient<ContractRouterClient<Contract>>(
      new RPCLink({ websocket: socket as unknown as globalThis.WebSocket }),
    );
    const stream = await client.system.heartbeat({ count: 50, intervalMs: 5 });
    await stream.next();
    socket.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await connect().system.ping({ message: 'after drop' })).echo).toBe('after drop');
  });
});
