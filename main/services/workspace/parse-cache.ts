import { createHash } from 'node:crypto';
import { parseProject, type ParseResult } from '../../../shared/model/parse';

/**
 * Project files parsed by content. On start the app lists the workspace and opens the last
 * cluster at once, and both parse the same file (hundreds of milliseconds for 500 hosts on a
 * loaded 2-core machine). Keyed by the text's hash, so an edited file is always parsed
 * afresh, and by file name, which a message may carry. Each caller gets its own copy: nobody
 * can change what the next caller reads.
 */
export class ParseCache {
  private readonly entries = new Map<string, ParseResult>();

  constructor(private readonly capacity = 16) {}

  parse(text: string, fileName: string): ParseResult {
    const key = `${fileName}\0${createHash('sha256').update(text).digest('hex')}`;
    let parsed = this.entries.get(key);
    if (parsed)
      this.entries.delete(key); // re-inserted below: the newest use is last
    else parsed = parseProject(text, fileName);
    this.entries.set(key, parsed);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return structuredClone(parsed);
  }
}
