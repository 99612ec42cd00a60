import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';

/** A step's log file name inside the run folder: readable, and safe whatever the step id holds. */
export function logFileName(stepId: string): string {
  return `logs/${stepId.replace(/\//g, '__').replace(/[^A-Za-z0-9._-]/g, '_')}.log`;
}

/**
 * Appends (already masked) lines to one step's log, across attempts and sessions, and counts
 * them, so every line has a stable index the Deploy panel's log view can ask for.
 */
export class StepLog {
  private pending: string[] = [];
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly handle: FileHandle,
    public lineCount: number,
  ) {}

  static async open(path: string): Promise<StepLog> {
    const lines = await countLines(path);
    return new StepLog(await open(path, 'a', 0o644), lines);
  }

  /** Returns the index of the first line written. */
  write(lines: readonly string[]): number {
    const first = this.lineCount;
    this.lineCount += lines.length;
    for (const l of lines) this.pending.push(`${l}\n`);
    if (this.pending.length > 0) this.flushSoon();
    return first;
  }

  private flushSoon(): void {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const text = this.pending.join('');
      this.pending = [];
      await this.handle.write(text);
    });
  }

  async close(): Promise<void> {
    this.flushSoon();
    await this.flushing;
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}

async function countLines(path: string): Promise<number> {
  try {
    await stat(path);
  } catch {
    return 0;
  }
  let n = 0;
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  }
  return n;
}

const INDEX_EVERY = 1024;

/**
 * Reads line ranges out of large logs without holding them: a sparse index (the byte offset of
 * every 1024th line) per file, extended as the file grows. A 1 M-line log costs ~1000 numbers.
 */
export class LogReader {
  private readonly index = new Map<string, { offsets: number[]; lines: number; bytes: number }>();

  async read(path: string, from: number, count: number): Promise<{ lines: string[]; total: number }> {
    const idx = await this.extend(path);
    const start = Math.max(0, Math.min(from, idx.lines));
    const end = Math.min(idx.lines, start + Math.max(0, count));
    if (end <= start) return { lines: [], total: idx.lines };
    const block = Math.floor(start / INDEX_EVERY);
    let line = block * INDEX_EVERY;
    const out: string[] = [];
    let carry = '';
    for await (const chunk of createReadStream(path, {
      start: idx.offsets[block]!,
      end: idx.bytes - 1,
      encoding: 'utf8',
    })) {
      const parts = (carry + (chunk as string)).split('\n');
      carry = parts.pop()!;
      for (const p of parts) {
        if (line >= start && line < end) out.push(p);
        line++;
        if (line >= end) return { lines: out, total: idx.lines };
      }
    }
    return { lines: out, total: idx.lines };
  }

  private async extend(path: string) {
    let idx = this.index.get(path);
    if (!idx) {
      idx = { offsets: [0], lines: 0, bytes: 0 };
      this.index.set(path, idx);
    }
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return idx;
    }
    if (size < idx.bytes) {
      idx.offsets = [0];
      idx.lines = 0;
      idx.bytes = 0;
    }
    if (size === idx.bytes) return idx;
    let offset = idx.bytes;
    let complete = idx.bytes;
    for await (const chunk of createReadStream(path, { start: idx.bytes, end: size - 1 })) {
      const b = chunk as Buffer;
      for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) {
        idx.lines++;
        complete = offset + i + 1;
        if (idx.lines % INDEX_EVERY === 0) idx.offsets.push(complete);
      }
      offset += b.length;
    }
    // Only whole lines count: a line still being written is read next time.
    idx.bytes = complete;
    return idx;
  }
}
