import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/message-port';
import type { ContractRouterClient } from '@orpc/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { isRequestFrame, serveMessagePort } from '../../../main/services/transport/message-port';
import type { Contract } from '../../../shared/contract';
import { expectValidationError } from './validation';

// The Electron path without Electron: main/electron/index.ts hands the renderer's port to
// exactly this function. Node's MessageChannel stands in for Electron's MessageChannelMain.
const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function channel(
  log?: (line: string) => void,
  context = newServiceContext('electron-ipc', 'electron'),
): MessagePort {
  const { port1: rendererSide, port2: mainSide } = new MessageChannel();
  open.push(rendererSide, mainSide);
  serveMessagePort(mainSide, context, log);
  rendererSide.start();
  return rendererSide;
}

function connect(): ContractRouterClient<Contract> {
  return createORPCClient(new RPCLink({ port: channel() }));
}

describe('contract over a MessagePort (the Electron transport)', () => {
  it('round-trips ping and info, and reports electron-ipc', async () => {
    const client = connect();
    expect(await client.system.ping({ message: 'over a port' })).toMatchObject({
      echo: 'over a port',
      transport: 'electron-ipc',
    });
    expect(await client.system.info()).toMatchObject({ name: 'Keelson', mode: 'electron' });
  });

  it("forgets the window's secrets when its port closes", async () => {
    const context = newServiceContext('electron-ipc', 'electron');
    const port = channel(undefined, context);
    const client: ContractRouterClient<Contract> = createORPCClient(new RPCLink({ port }));
    await client.ssh.secrets.set({ name: 'cp1-login', value: 'hunter2-secret' });
    expect(context.secrets.names()).toEqual(['cp1-login']);
    port.close();
    await expect.poll(() => context.secrets.names()).toEqual([]);
    expect(context.secrets.get('cp1-login')).toBeUndefined();
  });

  it('streams heartbeat events', async () => {
    const seen: number[] = [];
    for await (const beat of await connect().system.heartbeat({ count: 4, intervalMs: 2 }))
      seen.push(beat.seq);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('refuses malformed input with the same BAD_REQUEST as the WebSocket path', async () => {
    const client = connect();
    await expectValidationError(client.system.ping({ message: ['x'] } as unknown as { message: string }), [
      'message',
    ]);
    await expectValidationError(
      client.system.ping({ message: 'x', admin: true } as unknown as { message: string }),
      ['admin'],
    );
  });

  it('drops garbage posted on the port without an unhandled rejection, and keeps serving', async () => {
    const dropped: string[] = [];
    const rendererSide = channel((line) => dropped.push(line));
    const garbage: unknown[] = [
      'not json',
      '{"i":',
      42,
      null,
      '[1,2,3]',
      JSON.stringify({ i: 1 }),
      JSON.stringify({ i: 1, p: { u: 'not a url' } }),
      JSON.stringify({ i: 1, t: 9, p: {} }),
      { i: 1, p: { u: '/system/ping' } }, // an object, not the string frames our client sends
      new Uint8Array([0xff, 0x00]),
    ];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const message of garbage) rendererSide.postMessage(message);
      const client = createORPCClient<ContractRouterClient<Contract>>(new RPCLink({ port: rendererSide }));
      expect((await client.system.ping({ message: 'still here' })).echo).toBe('still here');
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(dropped.length).toBeGreaterThanOrEqual(garbage.length - 1);
  });
});

describe('isRequestFrame', () => {
  it('accepts the frames the oRPC client really sends', () => {
    expect(
      isRequestFrame(JSON.stringify({ i: '1', p: { u: '/system/ping', b: { json: { message: 'x' } } } })),
    ).toBe(true);
    expect(isRequestFrame(JSON.stringify({ i: '2', t: 4 }))).toBe(true);
    expect(isRequestFrame(JSON.stringify({ i: '3', t: 3, p: { e: 'message', d: 1 } }))).toBe(true);
  });

  it('rejects anything else', () => {
    for (const raw of [
      '',
      'null',
      '{}',
      '{"i":{}}',
      '{"i":1,"p":{"u":5}}',
      '{"i":1,"p":{"u":"/x","h":"h"}}',
      7,
    ]) {
      expect(isRequestFrame(raw), String(raw)).toBe(false);
    }
  });
});
