import type { TerminalEnd, TerminalSession } from '../../../main/services/terminal/session';

/**
 * Reads a terminal session the way the page does: every chunk is "written" (kept as text for
 * the test to look at) and acknowledged, unless `ack` is off. The bytes are kept too, for
 * binary comparisons.
 */
export class TerminalReader {
  text = '';
  bytes: Buffer[] = [];
  ended: TerminalEnd | undefined;
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(
    readonly session: TerminalSession,
    private readonly options: { ack?: boolean; keepBytes?: boolean } = {},
  ) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    for await (const out of this.session.output(this.abort.signal)) {
      if (out.type === 'data') {
        this.text += out.data.toString('utf8');
        if (this.options.keepBytes) this.bytes.push(Buffer.from(out.data));
        if (this.options.ack !== false) this.session.ack(out.data.length);
      } else this.ended = out;
    }
  }

  type(text: string): Promise<void> {
    return this.session.write(Buffer.from(text));
  }

  /** Waits until the output (since `from`) matches; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000, from = 0): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text.slice(from));
      if (m) return m;
      if (Date.now() > deadline)
        throw new Error(
          `terminal output did not match ${pattern} within ${timeoutMs} ms:\n${this.text.slice(-2000)}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async waitForEnd(timeoutMs = 20_000): Promise<TerminalEnd> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`terminal did not end within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.ended;
  }

  stop(): void {
    this.abort.abort();
  }
}
