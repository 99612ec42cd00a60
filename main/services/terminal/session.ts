import { randomUUID } from 'node:crypto';
import { TERMINAL_FLOW } from '../../../shared/contract/terminal';

/** How a shell ended: by itself, or because its connection went away. */
export type TerminalEnd =
  { type: 'exit'; exitCode: number | null; signal?: string } | { type: 'disconnected'; reason: string };

/** What a terminal streams from: an SSH shell channel or a local pty. */
export interface TerminalSource {
  /** Where the shell runs, for the tab and for log lines (never output). */
  readonly target: string;
  /** Called once, right away: output chunks, then one end (after the last chunk). */
  start(handlers: { data(chunk: Buffer): void; end(end: TerminalEnd): void }): void;
  /** Resolves once the shell has taken the bytes (its input side applies backpressure too). */
  write(data: Buffer): Promise<void>;
  resize(cols: number, rows: number): void;
  /** Stop reading output: the pty (or SSH window) fills and the program blocks. */
  pause(): void;
  resume(): void;
  /** Hangs the shell up and frees everything; idempotent. */
  close(): void;
}

export type TerminalOutput = { type: 'data'; data: Buffer } | TerminalEnd;

/** How long output may wait to be sent with what follows it. */
const BATCH_MS = 5;

type Flow = Pick<typeof TERMINAL_FLOW, 'highWaterBytes' | 'lowWaterBytes' | 'maxEventBytes'>;

/**
 * One open terminal: its output queue and its flow-control window. Bytes count against the
 * window from the moment the source produces them until the page acknowledges them, so the
 * queue here, the messages in flight and the page's unwritten backlog together never exceed
 * `highWaterBytes` (plus the one chunk that crossed it). Output is passed through, never kept.
 */
export class TerminalSession {
  readonly id = randomUUID();
  /** Output bytes produced so far (a figure for logs and tests, never the bytes). */
  bytesOut = 0;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  /** Taken from the queue for the page but not acknowledged yet. */
  private inFlight = 0;
  private paused = false;
  private ended: TerminalEnd | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private gathering = false;

  constructor(
    readonly source: TerminalSource,
    private readonly flow: Flow = TERMINAL_FLOW,
  ) {
    source.start({
      data: (chunk) => this.onData(chunk),
      end: (end) => {
        this.ended ??= end;
        this.notify();
      },
    });
  }

  /** Bytes the page has not acknowledged yet: queued here plus in flight. */
  get unacknowledged(): number {
    return this.queuedBytes + this.inFlight;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  private onData(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.bytesOut += chunk.length;
    if (!this.paused && this.unacknowledged >= this.flow.highWaterBytes) {
      this.paused = true;
      this.source.pause();
    }
    // While gathering a batch, only a full one is worth waking for.
    if (!this.gathering || this.queuedBytes >= this.batchBytes) this.notify();
  }

  private get batchBytes(): number {
    return this.flow.maxEventBytes / 4;
  }

  /**
   * Waits up to BATCH_MS for more output (or for a batch's worth): a pty hands out 4 KiB
   * reads, and one event per read would cost more in framing than the bytes themselves.
   * VS Code batches its terminal data the same way; 5 ms is below what a typist notices.
   */
  private async gather(): Promise<void> {
    this.gathering = true;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(() => this.notify(), BATCH_MS);
    });
    clearTimeout(timer);
    this.gathering = false;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The page wrote `bytes` more into its terminal. More than was sent counts as all of it. */
  ack(bytes: number): void {
    this.inFlight = Math.max(0, this.inFlight - bytes);
    if (this.paused && !this.closed && this.unacknowledged <= this.flow.lowWaterBytes) {
      this.paused = false;
      this.source.resume();
    }
  }

  /** The queued chunks, merged up to maxEventBytes, now counted as in flight. */
  private take(): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (size > 0 && size + next.length > this.flow.maxEventBytes) break;
      if (next.length > this.flow.maxEventBytes) {
        // One oversized chunk: send its head now, keep the rest first in line.
        parts.push(next.subarray(0, this.flow.maxEventBytes));
        this.queue[0] = next.subarray(this.flow.maxEventBytes);
        size += this.flow.maxEventBytes;
        break;
      }
      parts.push(this.queue.shift()!);
      size += next.length;
    }
    this.queuedBytes -= size;
    this.inFlight += size;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
  }

  /**
   * The output, then how the shell ended. Stops (and hangs the shell up) when `signal`
   * aborts — the page went away — or when the consumer leaves the loop.
   */
  async *output(signal: AbortSignal): AsyncGenerator<TerminalOutput> {
    const onAbort = () => this.notify();
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal.aborted || this.closed) return;
        if (this.queue.length > 0) {
          if (this.queuedBytes < this.batchBytes && !this.ended && !this.paused) await this.gather();
          if (signal.aborted || this.closed) return;
          yield { type: 'data', data: this.take() };
          continue;
        }
        if (this.ended) {
          yield this.ended;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.close();
    }
  }

  write(data: Buffer): Promise<void> {
    if (this.closed || this.ended) return Promise.resolve();
    return this.source.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.closed && !this.ended) this.source.resize(cols, rows);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.source.close();
    this.notify();
  }
}
