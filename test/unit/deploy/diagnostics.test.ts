// What a failed step gathers from its host (shared/deploy/diagnostics.ts). This machine runs no
// systemd, so the script runs here against stand-in systemctl/journalctl/crictl commands (named
// so, written below) that record how they were called; the lab test (test/lab/deploy-engine)
// runs it against real systemd and journald on Debian hosts.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosticsFor, diagnosticsScript } from '../../../shared/deploy/diagnostics';
import { PHASES } from '../../../shared/plan/phases';

const bin = mkdtempSync(join(tmpdir(), 'keelson-diag-standins-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** Writes a stand-in command that logs its arguments and runs `body`. */
function standIn(name: string, body: string): void {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/bash\necho "${name} $*" >> "${bin}/calls"\n${body}\n`);
  chmodSync(path, 0o755);
}

function gather(script: string): { out: string; calls: string[]; code: number | null } {
  rmSync(join(bin, 'calls'), { force: true });
  const r = spawnSync('bash', ['-c', script], {
    env: { PATH: `${bin}:/usr/bin:/bin` },
    encoding: 'utf8',
    timeout: 60_000,
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n');
  } catch {
    /* nothing called */
  }
  return { out: r.stdout + r.stderr, calls, code: r.status };
}

describe('diagnostics gathered on a failed step', () => {
  it('the Kubernetes phases ask for the kubelet, containerd and the containers; preflight and os-prep for nothing', () => {
    expect(diagnosticsFor('preflight')).toBeUndefined();
    expect(diagnosticsFor('os-prep')).toBeUndefined();
    for (const phase of ['control-plane-init', 'control-plane-join', 'worker-join', 'cni'] as const)
      expect(diagnosticsFor(phase)).toEqual({ units: ['kubelet', 'containerd'], containers: true });
    expect(diagnosticsFor('external-etcd')?.units).toEqual(['etcd']);
    expect(diagnosticsFor('load-balancer')?.units).toEqual(['haproxy', 'nginx', 'keepalived', 'kubelet']);
  });

  it('every script passes bash -n and shellcheck', () => {
    const scripts = PHASES.flatMap((p) => {
      const d = diagnosticsFor(p.id);
      return d ? [diagnosticsScript(d)] : [];
    });
    expect(scripts.length).toBeGreaterThan(5);
    for (const script of scripts) {
      const file = join(bin, 'check.sh');
      writeFileSync(file, `#!/bin/bash\n${script}`);
      expect(spawnSync('bash', ['-n', file]).status).toBe(0);
      const sc = spawnSync('shellcheck', ['-s', 'bash', file], { encoding: 'utf8' });
      expect(sc.stdout, 'shellcheck').toBe('');
    }
  });

  it('reports installed units in order, skips missing ones, and carries on past a failing command', () => {
    // Stand-ins: haproxy and keepalived are installed, nginx is not; journalctl fails for keepalived.
    standIn(
      'systemctl',
      'case "$1 $2" in "cat haproxy.service"|"cat keepalived.service") exit 0;; cat*) exit 1;; esac\necho "● $2 - stand-in"; exit 3',
    );
    standIn(
      'journalctl',
      '[ "$2" = keepalived.service ] && { echo "journal unreadable" >&2; exit 1; }\necho "log of $2"',
    );
    standIn('crictl', 'echo "CONTAINER ID   IMAGE   STATE"');
    const r = gather(diagnosticsScript(diagnosticsFor('load-balancer')!));
    expect(r.code).toBe(0);
    const sections = r.out.split('\n').filter((l) => l.startsWith('── '));
    expect(sections).toEqual([
      '── systemctl status haproxy',
      '── journalctl -u haproxy (last 40 lines)',
      '── systemctl status keepalived',
      '── journalctl -u keepalived (last 40 lines)',
      '── crictl ps -a',
    ]);
    expect(r.out).toContain('● haproxy.service - stand-in'); // status exits 3 (inactive): still shown
    expect(r.out).toContain('log of haproxy.service');
    expect(r.out).toContain('journal unreadable');
    expect(r.out).toContain('CONTAINER ID');
    expect(r.calls).toContain('journalctl -u haproxy.service --no-pager --lines=40 -o short-iso');
  });

  it('a hung command is cut off by its own limit and the rest still runs', () => {
    standIn(
      'systemctl',
      'case "$1" in cat) exit 0;; esac\n[ "$2" = kubelet.service ] && sleep 60\necho "status of $2"',
    );
    standIn('journalctl', 'echo "log of $2"');
    const started = Date.now();
    const r = gather(diagnosticsScript({ units: ['kubelet', 'containerd'], containers: false }));
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(r.out).not.toContain('status of kubelet.service');
    expect(r.out).toContain('log of kubelet.service');
    expect(r.out).toContain('status of containerd.service');
  }, 60_000);
});
