import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Every file git tracks (a fresh clone has exactly these). */
const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
const text = (file: string) => readFileSync(file, 'utf8');

describe('no documentation points at one machine', () => {
  it('no Markdown file names a path of this machine (/work/…, /root/…, /home/USER/…)', () => {
    const docs = tracked.filter((f) => f.endsWith('.md'));
    expect(docs.length).toBeGreaterThan(3);
    const hits = docs.flatMap((f) =>
      text(f)
        .split('\n')
        .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
        .filter(({ line }) => /(^|[\s`(])\/(work|root|home\/[a-z][a-z0-9_-]*)\//.test(line)),
    );
    expect(hits).toEqual([]);
  });

  it('no source comment sends a reader to files outside the repository (/work/…)', () => {
    const sources = tracked.filter(
      // This file names the pattern it looks for, so it is the one exception.
      (f) =>
        /\.(ts|tsx|mjs|js|sh|yml|yaml)$/.test(f) &&
        !f.includes('/golden/') &&
        !f.endsWith('docs-paths.test.ts'),
    );
    const hits = sources.filter((f) => /(^|[\s`(])\/work\//m.test(text(f)));
    expect(hits).toEqual([]);
  });
});
