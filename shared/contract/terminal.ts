import { eventIterator, oc } from '@orpc/contract';
import { z } from 'zod';
import { SecretValues, SshConnection, sshErrors } from './ssh';

/**
 * Terminals: an interactive shell on a host (SSH, with a pty) or on this machine (a local
 * shell with KUBECONFIG set to the cluster's kubeconfig). `open` is the output stream of one
 * shell; keystrokes, resizes and acknowledgements go through the small calls below, naming
 * the shell by the id the stream's first event gave.
 *
 * Flow control (as VS Code's terminal does it): the page acknowledges the bytes it has written
 * into its terminal; main pauses the shell (SSH channel or pty) while more than
 * `highWaterBytes` are unacknowledged and resumes it at `lowWaterBytes`. So `yes` cannot
 * grow memory anywhere: main, the transport and the page each hold at most one window.
 *
 * Output bytes travel base64-encoded (event iterator payloads are JSON): binary-safe, and
 * xterm decodes UTF-8 itself, so a character split between two chunks is never mangled.
 */
export const TERMINAL_FLOW = {
  highWaterBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  /** The page acknowledges once it has written at least this many bytes into its terminal. */
  ackEveryBytes: 64 * 1024,
  /** Largest data event (bytes before base64); queued chunks are merged up to this. */
  maxEventBytes: 256 * 1024,
  /** Largest write in one call (characters); the page sends a big paste in pieces. */
  maxWriteChars: 64 * 1024,
} as const;

const ClusterId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -');

/** Opaque id of an open terminal (a random UUID); knowing it is what lets a client drive it. */
export const TerminalId = z.uuid();

const Size = {
  cols: z.int().min(2).max(1_000),
  rows: z.int().min(1).max(500),
};

export const OpenTerminal = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ssh'),
    host: SshConnection,
    /** Jump hosts, outermost first (the bastion chain). */
    via: z.array(SshConnection).max(8).optional(),
    secrets: SecretValues.optional(),
    ...Size,
  }),
  z.strictObject({
    kind: z.literal('local'),
    /** The cluster whose kubeconfig KUBECONFIG points at. */
    cluster: ClusterId,
    ...Size,
  }),
]);
export type OpenTerminal = z.infer<typeof OpenTerminal>;

export const TerminalEvent = z.discriminatedUnion('type', [
  /** First event: the shell runs. `target` names where (`user@host:port via …`, or the local shell). */
  z.object({
    type: z.literal('ready'),
    id: TerminalId,
    target: z.string(),
    /** Local shells: the file KUBECONFIG names, and whether a deploy has exported it yet. */
    kubeconfig: z.object({ path: z.string(), exists: z.boolean() }).optional(),
  }),
  /** Output bytes, base64. */
  z.object({ type: z.literal('data'), data: z.string() }),
  /** The shell ended by itself (`exit`, killed). Last event. */
  z.object({ type: z.literal('exit'), exitCode: z.int().nullable(), signal: z.string().optional() }),
  /** The connection went away under the shell (host down, sshd stopped, network). Last event. */
  z.object({ type: z.literal('disconnected'), reason: z.string() }),
]);
export type TerminalEvent = z.infer<typeof TerminalEvent>;

export const terminalErrors = {
  ...sshErrors,
  /** No open terminal has that id (it ended, or was never opened by this process). */
  NOT_FOUND: { status: 404, data: z.object({ id: z.string() }) },
  /** The local shell could not be started, or too many terminals are open. */
  TERMINAL_FAILED: { status: 500, data: z.object({ reason: z.string() }) },
};

const terminal = oc.errors(terminalErrors);
const ById = { id: TerminalId };

export const terminalContract = {
  /** Starts a shell and streams its output until it ends; aborting the call hangs it up. */
  open: terminal.input(OpenTerminal).output(eventIterator(TerminalEvent)),
  /** Keystrokes or pasted text. `binary`: the characters are bytes 0–255 (xterm's onBinary). */
  write: terminal
    .input(
      z.strictObject({
        ...ById,
        data: z.string().min(1).max(TERMINAL_FLOW.maxWriteChars),
        binary: z.boolean().default(false),
      }),
    )
    .output(z.object({})),
  resize: terminal.input(z.strictObject({ ...ById, ...Size })).output(z.object({})),
  /** The page wrote `bytes` more output bytes into its terminal. */
  ack: terminal
    .input(
      z.strictObject({
        ...ById,
        bytes: z
          .int()
          .min(1)
          .max(2 ** 31),
      }),
    )
    .output(z.object({})),
  close: terminal.input(z.strictObject(ById)).output(z.object({ closed: z.boolean() })),
};
