import { TERMINAL_FLOW } from '../../../shared/contract/terminal';

type Send = (data: string, binary: boolean) => Promise<unknown>;

/**
 * Keystrokes and pastes on their way to the shell: one write call in flight at a time, so
 * they arrive in the order typed; what is typed meanwhile goes in the next call together, so
 * a slow link (browser mode through an SSH tunnel) batches instead of lagging; a paste larger
 * than one call is cut into pieces. Nothing here is kept once sent, or logged.
 */
export class KeystrokeQueue {
  private readonly pending: { data: string; binary: boolean }[] = [];
  private sending = false;

  constructor(private readonly send: Send) {}

  push(data: string, binary: boolean): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last.binary === binary && last.data.length + data.length <= TERMINAL_FLOW.maxWriteChars)
      last.data += data;
    else for (const piece of pieces(data)) this.pending.push({ data: piece, binary });
    void this.pump();
  }

  clear(): void {
    this.pending.length = 0;
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        // A failed write (the shell just ended) drops that input; the tab shows why.
        await this.send(next.data, next.binary).catch(() => undefined);
      }
    } finally {
      this.sending = false;
    }
  }
}

/** Cuts text into pieces of at most one call, never between the two halves of a surrogate pair. */
export function pieces(data: string, size: number = TERMINAL_FLOW.maxWriteChars): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(start + size, data.length);
    const code = data.charCodeAt(end - 1);
    if (end < data.length && code >= 0xd800 && code <= 0xdbff && end - 1 > start) end--;
    out.push(data.slice(start, end));
    start = end;
  }
  return out;
}
