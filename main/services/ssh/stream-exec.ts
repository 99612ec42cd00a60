import type { ExecEvent, ExecOptions, ExecResult, FlowControl } from './types';

/** Rejects with the signal's reason as soon as it fires, whether or not the work has finished. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work was started all the same (the caller evaluated it): its own failure must not
    // become an unhandled rejection that kills the process (seen: Ctrl-C during a sudo probe).
    p.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Adapts the callback form to an async iterator. Chunks wait in a small queue for the
 * consumer; when it is full the channel is paused, so SSH flow control throttles the remote
 * command and a slow consumer never makes the engine hold a command's whole output.
 * Leaving the loop early (break) cancels the command.
 */
export function streamExec(
  start: (
    hooks: Pick<ExecOptions, 'onStdout' | 'onStderr' | 'onFlowControl'>,
    signal: AbortSignal,
  ) => Promise<ExecResult>,
  highWaterChunks = 64,
): AsyncIterable<ExecEvent> {
  return {
    [Symbol.asyncIterator]() {
      const queue: ExecEvent[] = [];
      const cancel = new AbortController();
      let wake: (() => void) | undefined;
      let settled: { result?: ExecResult; failure?: unknown } | undefined;
      let flow: FlowControl | undefined;
      let paused = false;
      const push = (e: ExecEvent) => {
        queue.push(e);
        if (!paused && flow && queue.length >= highWaterChunks) {
          paused = true;
          flow.pause();
        }
        wake?.();
      };
      start(
        {
          onStdout: (c) => push({ stream: 'stdout', data: c }),
          onStderr: (c) => push({ stream: 'stderr', data: c }),
          onFlowControl: (f) => (flow = f),
        },
        cancel.signal,
      ).then(
        (result) => {
          settled = { result };
          wake?.();
        },
        (failure: unknown) => {
          settled = { failure };
          wake?.();
        },
      );
      return {
        async next(): Promise<IteratorResult<ExecEvent>> {
          for (;;) {
            const e = queue.shift();
            if (e) {
              if (paused && queue.length <= highWaterChunks / 2) {
                paused = false;
                flow?.resume();
              }
              return { value: e, done: false };
            }
            if (settled) {
              const { result, failure } = settled;
              settled = {};
              if (failure !== undefined) throw failure;
              if (result) {
                return {
                  value: result.signal
                    ? { exitCode: result.exitCode, signal: result.signal }
                    : { exitCode: result.exitCode },
                  done: false,
                };
              }
              return { value: undefined, done: true };
            }
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
          }
        },
        async return(): Promise<IteratorResult<ExecEvent>> {
          if (!settled) cancel.abort(new Error('stream closed by its reader'));
          queue.length = 0;
          return { value: undefined, done: true };
        },
      };
    },
  };
}
