import type { ExportFile } from './export-files';

/**
 * A POSIX (ustar + pax) tar archive of text files, so the renderer can offer a plan as one download
 * without a compression library: every `tar -xf` reads it. Paths too long for ustar's name and
 * prefix fields get a pax `path` record, as GNU and BSD tar write them.
 */

const BLOCK = 512;
const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function put(block: Uint8Array, offset: number, text: string, width: number): void {
  const bytes = encoder.encode(text);
  if (bytes.length > width) throw new Error(`tar field too long: ${text}`);
  block.set(bytes, offset);
}

/** ustar's split of a path into prefix (≤155 bytes) and name (≤100), or undefined when it has none. */
function splitPath(path: string): { prefix: string; name: string } | undefined {
  if (encoder.encode(path).length <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100 && name !== '')
      return { prefix, name };
  }
  return undefined;
}

function header(path: string, size: number, mode: number, mtime: number, type: '0' | 'x'): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const split = splitPath(path) ?? { prefix: '', name: path.slice(-100) };
  put(block, 0, split.name, 100);
  put(block, 100, octal(mode & 0o7777, 8), 8);
  put(block, 108, octal(0, 8), 8);
  put(block, 116, octal(0, 8), 8);
  put(block, 124, octal(size, 12), 12);
  put(block, 136, octal(Math.floor(mtime), 12), 12);
  put(block, 148, '        ', 8);
  put(block, 156, type, 1);
  put(block, 257, 'ustar\0', 6);
  put(block, 263, '00', 2);
  put(block, 345, split.prefix, 155);
  const sum = block.reduce((n, b) => n + b, 0);
  put(block, 148, `${sum.toString(8).padStart(6, '0')}\0 `, 8);
  return block;
}

/** One pax record, `LEN key=value\n`, whose length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length !== String(length - bodyLength).length) length++;
  return `${length}${body}`;
}

const padding = (size: number) => new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);

/** The archive of `files`, each under `root/`; `mtime` in seconds since the epoch. */
export function tarArchive(files: readonly ExportFile[], root: string, mtime: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const file of files) {
    const path = `${root}/${file.path}`;
    const content = encoder.encode(file.content);
    if (!splitPath(path)) {
      const pax = encoder.encode(paxRecord('path', path));
      parts.push(header('PaxHeader', pax.length, 0o644, mtime, 'x'), pax, padding(pax.length));
    }
    parts.push(header(path, content.length, file.mode, mtime, '0'), content, padding(content.length));
  }
  parts.push(new Uint8Array(BLOCK * 2)); // the end-of-archive marker: two zero blocks
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
