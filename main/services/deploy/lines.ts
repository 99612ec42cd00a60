import { StringDecoder } from 'node:string_decoder';

/** Longest line kept whole; longer ones are cut into pieces of this size. */
const MAX_LINE = 16_384;

/**
 * Turns output chunks into whole lines (a secret split across two chunks is whole again before
 * it is masked). `\r` counts as a line end, so progress bars do not become one endless line.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  push(chunk: Buffer): string[] {
    const text = this.partial + this.decoder.write(chunk);
    const parts = text.split(/\r\n|\n|\r/);
    this.partial = parts.pop()!;
    const out: string[] = [];
    for (const p of parts) out.push(...cut(p));
    if (this.partial.length > MAX_LINE) {
      const pieces = cut(this.partial);
      this.partial = pieces.pop()!;
      out.push(...pieces);
    }
    return out;
  }

  end(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : cut(rest);
  }
}

function cut(line: string): string[] {
  if (line.length <= MAX_LINE) return [line];
  const out: string[] = [];
  for (let i = 0; i < line.length; i += MAX_LINE) out.push(line.slice(i, i + MAX_LINE));
  return out;
}
