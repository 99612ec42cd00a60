import type { ClientChannel } from 'ssh2';
import { SshError } from './errors';
import type { ExecResult, FlowControl } from './types';

export interface ChannelRun {
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  onFlowControl?: (flow: FlowControl) => void;
  stdin?: string | Buffer;
  /** Fires on timeout or cancel; the reason becomes the command's error. */
  signal: AbortSignal;
  /** Why the connection went away, asked only when the channel closes without an exit status. */
  dropReason: () => SshError | undefined;
  label: string;
}

/**
 * Runs one opened exec channel to its end. Output goes straight to the callbacks — nothing
 * is buffered here, so memory stays flat whatever the command prints.
 */
export function runChannel(channel: ClientChannel, run: ChannelRun): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let exit: ExecResult | undefined;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      run.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      // Ask sshd to kill the process, then drop the channel so its output stops flowing.
      try {
        channel.signal('KILL');
      } catch {
        /* the channel may already be closing */
      }
      channel.close();
      finish(() => reject(run.signal.reason));
    };
    run.signal.addEventListener('abort', onAbort, { once: true });

    run.onFlowControl?.({
      pause: () => {
        channel.pause();
        channel.stderr.pause();
      },
      resume: () => {
        channel.resume();
        channel.stderr.resume();
      },
    });
    channel.on('data', (chunk: Buffer) => run.onStdout?.(chunk));
    channel.stderr.on('data', (chunk: Buffer) => run.onStderr?.(chunk));
    channel.on('exit', (code: number | null, signalName?: string) => {
      exit = signalName ? { exitCode: code ?? null, signal: signalName } : { exitCode: code };
    });
    channel.on('close', () => {
      if (exit) finish(() => resolve(exit!));
      else
        finish(() =>
          reject(
            run.dropReason() ??
              new SshError(
                'CONNECTION_LOST',
                run.label,
                'the command ended without an exit status (channel closed)',
              ),
          ),
        );
    });
    if (run.signal.aborted) return onAbort();
    if (run.stdin !== undefined) channel.end(run.stdin);
    else channel.end();
  });
}
