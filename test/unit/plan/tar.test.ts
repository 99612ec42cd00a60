import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanLayoutError, underFiles } from '../../../shared/plan/export-files';
import { tarArchive } from '../../../shared/plan/tar';

const dir = mkdtempSync(join(tmpdir(), 'keelson-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tarArchive', () => {
  it('is read back by tar with the same paths, contents and modes, long and non-ASCII paths included', () => {
    const long = `${'deep/'.repeat(40)}file.conf`; // 209 bytes: needs a pax path record
    const files = [
      { path: '01-os/01-cp1/script.sh', content: '#!/usr/bin/env bash\necho ok\n', mode: 0o755 },
      { path: 'files/etc/ünïcode-ключ.txt', content: 'naïve ✓\n', mode: 0o600 },
      { path: `a/${'x'.repeat(90)}/${'y'.repeat(90)}/z.txt`, content: '', mode: 0o644 },
      { path: long, content: 'x'.repeat(1000), mode: 0o640 },
    ];
    const archive = join(dir, 'plan.tar');
    writeFileSync(archive, tarArchive(files, 'keelson-plan-lab', 1_700_000_000));
    const out = join(dir, 'out');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    for (const f of files) {
      const path = join(out, 'keelson-plan-lab', f.path);
      expect(readFileSync(path, 'utf8')).toBe(f.content);
      expect(statSync(path).mode & 0o777).toBe(f.mode);
    }
  });
});

describe('underFiles', () => {
  it('keeps host paths under files/ and refuses climbing out', () => {
    expect(underFiles('/etc/haproxy/haproxy.cfg')).toBe('files/etc/haproxy/haproxy.cfg');
    expect(underFiles('/etc/../etc/./x')).toBe('files/etc/x');
    expect(() => underFiles('/../../root/.ssh/authorized_keys')).toThrow(PlanLayoutError);
  });
});
