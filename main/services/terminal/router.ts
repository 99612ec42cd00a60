import { existsSync } from 'node:fs';
import { implement } from '@orpc/server';
import { contract } from '../../../shared/contract';
import type { OpenTerminal } from '../../../shared/contract/terminal';
import type { ServiceContext } from '../context';
import { sshEngine } from '../ssh/instance';
import { defaultSink, redactingLogger, type SshLogger } from '../ssh/redact';
import { callScope, toTarget, typedError } from '../ssh/router';
import { kubeconfigPathFor } from '../workspace/folder';
import { openLocalSource } from './local-source';
import { TerminalSession, type TerminalSource } from './session';
import { openSshSource } from './ssh-source';

const os = implement(contract.terminal).$context<ServiceContext>();
type Errors = Parameters<Parameters<typeof os.open.handler>[0]>[0]['errors'];

/** More than this many open shells is a runaway client, not a person. */
const MAX_TERMINALS = 64;

/** Open terminals by id. A terminal lives exactly as long as its `open` stream. */
const sessions = new Map<string, TerminalSession>();

/** How many terminals are open (for tests: a closed page leaves none behind). */
export function openTerminalCount(): number {
  return sessions.size;
}

/**
 * Lifecycle lines only — opened, ended, byte counts. Keystrokes and output never reach a
 * log: no line here is built from them.
 */
let logger: SshLogger | undefined;
function log(line: string): void {
  // Made on first use: the SSH engine (whose redactor this shares) reads its settings then.
  logger ??= redactingLogger(sshEngine().redactor, defaultSink());
  logger.log('info', `terminal ${line}`);
}

async function openSource(
  input: OpenTerminal,
  errors: Errors,
  context: ServiceContext,
): Promise<{ source: TerminalSource; kubeconfig?: { path: string; exists: boolean } }> {
  if (input.kind === 'ssh') {
    // The values sent with the call are for this login only (see SecretStore).
    const scope = callScope(context, input.secrets);
    try {
      const target = toTarget(input.host, scope, input.via);
      return { source: await openSshSource(sshEngine(), target, input) };
    } catch (e) {
      throw typedError(errors, e, context);
    } finally {
      scope.clear();
    }
  }
  const path = kubeconfigPathFor(input.cluster);
  try {
    const source = openLocalSource({ cols: input.cols, rows: input.rows, env: { KUBECONFIG: path } });
    return { source, kubeconfig: { path, exists: existsSync(path) } };
  } catch (e) {
    throw errors.TERMINAL_FAILED({
      message: `cannot start a local shell: ${(e as Error).message}`,
      data: { reason: (e as Error).message },
    });
  }
}

function sessionOf(id: string, errors: Pick<Errors, 'NOT_FOUND'>): TerminalSession {
  const session = sessions.get(id);
  if (!session) throw errors.NOT_FOUND({ message: `no open terminal ${id} (it has ended)`, data: { id } });
  return session;
}

export const terminalRouter = {
  open: os.open.handler(async function* ({ input, errors, signal, context }) {
    if (sessions.size >= MAX_TERMINALS)
      throw errors.TERMINAL_FAILED({
        message: `${MAX_TERMINALS} terminals are open already: close some first`,
        data: { reason: 'too many terminals' },
      });
    const { source, kubeconfig } = await openSource(input, errors, context);
    const session = new TerminalSession(source);
    sessions.set(session.id, session);
    const short = session.id.slice(0, 8);
    log(`${short} opened: ${source.target} (${input.cols}x${input.rows})`);
    let how = 'closed';
    try {
      yield {
        type: 'ready' as const,
        id: session.id,
        target: source.target,
        ...(kubeconfig ? { kubeconfig } : {}),
      };
      for await (const out of session.output(signal ?? new AbortController().signal)) {
        if (out.type === 'data') yield { type: 'data' as const, data: out.data.toString('base64') };
        else {
          how = out.type === 'exit' ? `exited (${out.exitCode ?? out.signal})` : 'disconnected';
          yield out;
        }
      }
    } finally {
      sessions.delete(session.id);
      session.close();
      log(`${short} ${how} after ${session.bytesOut} bytes of output`);
    }
  }),

  write: os.write.handler(async ({ input, errors }) => {
    await sessionOf(input.id, errors).write(Buffer.from(input.data, input.binary ? 'latin1' : 'utf8'));
    return {};
  }),

  resize: os.resize.handler(({ input, errors }) => {
    sessionOf(input.id, errors).resize(input.cols, input.rows);
    return {};
  }),

  // An acknowledgement can cross the shell's last event: one for an ended terminal is no error.
  ack: os.ack.handler(({ input }) => {
    sessions.get(input.id)?.ack(input.bytes);
    return {};
  }),

  close: os.close.handler(({ input }) => {
    const session = sessions.get(input.id);
    session?.close();
    return { closed: session !== undefined };
  }),
};
