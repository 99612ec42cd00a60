import {
  onMessagePortClose,
  onMessagePortMessage,
  postMessagePortMessage,
  type MessagePortMainLike,
  type SupportedMessagePort,
} from '@orpc/client/message-port';
import { RPCHandler } from '@orpc/server/message-port';
import type { ServiceContext } from '../context';
import { router } from '../router';

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
function guarded(port: SupportedMessagePort, onDropped: () => void): MessagePortMainLike {
  return {
    postMessage: (data, transfer) => postMessagePortMessage(port, data, transfer),
    on(type, callback) {
      if (type === 'close') onMessagePortClose(port, () => callback());
      if (type !== 'message') return;
      onMessagePortMessage(port, (data) => {
        if (isRequestFrame(data)) callback({ data });
        else onDropped();
      });
    },
  };
}

const handler = new RPCHandler(router);

/** Serves the whole contract on one MessagePort: the Electron renderer's link to the services. */
export function serveMessagePort(
  port: SupportedMessagePort,
  context: ServiceContext,
  log: (line: string) => void = () => {},
): void {
  // The window's secrets go with its port (reload, close).
  onMessagePortClose(port, () => context.secrets.clear());
  handler.upgrade(
    guarded(port, () => log('dropped a malformed message on the renderer port')),
    { context },
  );
  if ('start' in port && typeof port.start === 'function') port.start();
}
