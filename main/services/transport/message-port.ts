import type { MessagePortMainLike } from '@orpc/client/message-port';
import { RPCHandler } from '@orpc/server/message-port';
import type { ServiceContext } from '../context';
import { router } from '../router';

/**
 * The port shapes we serve: Electron's MessagePortMain (`on('message', e => e.data)`) and
 * DOM/Node MessagePorts (`addEventListener`). Only what the guard below needs is named.
 */
export interface ServablePort {
  postMessage(data: unknown, transfer?: never[]): void;
  addEventListener?(type: 'message' | 'close', listener: (event: { data?: unknown }) => void): void;
  on?(type: 'message' | 'close', listener: (event: { data?: unknown }) => void): unknown;
  start?(): void;
}

const JSON_AND_BINARY_DELIMITER = 0xff;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonPart(raw: unknown): unknown {
  try {
    if (typeof raw === 'string') return JSON.parse(raw);
    if (raw instanceof Uint8Array || raw instanceof ArrayBuffer) {
      const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
      const end = bytes.indexOf(JSON_AND_BINARY_DELIMITER);
      return JSON.parse(new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end)));
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * True when `raw` has the shape of an oRPC 1.x peer request frame ({i, t?, p}). oRPC's
 * message-port handler decodes frames in a promise nobody awaits, so a malformed frame
 * from a compromised renderer would surface as an unhandled rejection in the main
 * process; checking the shape first keeps such frames from ever reaching it.
 */
export function isRequestFrame(raw: unknown): boolean {
  const frame = jsonPart(raw);
  if (!isRecord(frame)) return false;
  if (typeof frame.i !== 'string' && typeof frame.i !== 'number') return false;
  const type = frame.t ?? 1;
  if (type === 4) return true; // abort signal
  if (!isRecord(frame.p)) return false;
  if (type === 3) return true; // client event-iterator message
  if (type !== 1) return false;
  const { u, h, m } = frame.p;
  if (typeof u !== 'string' || !(u.startsWith('/') || URL.canParse(u))) return false;
  if (h !== undefined && !isRecord(h)) return false;
  return m === undefined || typeof m === 'string';
}

/** A view of `port` that passes on only well-formed request frames. */
function guarded(port: ServablePort, onDropped: () => void): MessagePortMainLike {
  type Listener = (event?: { data?: unknown }) => void;
  const subscribe = (type: string, listener: Listener) => {
    if (type !== 'message' && type !== 'close') return;
    if (port.addEventListener) port.addEventListener(type, listener);
    else if (port.on) port.on(type, listener);
    else throw new Error('not a MessagePort: it has neither addEventListener nor on');
  };
  return {
    postMessage: (data, transfer) => port.postMessage(data, transfer as never[] | undefined),
    on(type, callback) {
      if (type !== 'message') return subscribe(type, callback as Listener);
      subscribe('message', (event) => {
        if (isRequestFrame(event?.data)) callback(event as { data: unknown });
        else onDropped();
      });
    },
  };
}

const handler = new RPCHandler(router);

/** Serves the whole contract on one MessagePort: the Electron renderer's link to the services. */
export function serveMessagePort(
  port: ServablePort,
  context: ServiceContext,
  log: (line: string) => void = () => {},
): void {
  handler.upgrade(
    guarded(port, () => log('dropped a malformed message on the renderer port')),
    { context },
  );
  port.start?.();
}
