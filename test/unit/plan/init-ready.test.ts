/**
 * The kubeadm-init step's last check goes through the endpoint, as every later step does. Right
 * after `kubeadm init` the load balancer may not count the new apiserver healthy yet: a real lab
 * run failed the step on one "Unable to connect to the server: EOF". The step's script runs here
 * with a kubeadm and kubectl that are recording stand-ins (named so; no cluster exists here).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePlan } from '../../../shared/plan';
import { project } from './fixtures';

function initScript(): string {
  const plan = generatePlan(project({ pattern: 'keepalived-haproxy' }), { keelsonVersion: 't' });
  const step = plan.phases
    .flatMap((p) => p.steps)
    .find((s) => s.id.startsWith('control-plane-init/kubeadm-init/'))!;
  return step.script;
}

/** Runs the init script with stand-ins: kubectl fails `failures` times with EOF, then answers ok. */
function runWithStandins(failures: number): { code: number; stderr: string; calls: number } {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-init-ready-'));
  const count = join(dir, 'calls');
  writeFileSync(count, '0');
  writeFileSync(join(dir, 'kubeadm'), '#!/bin/sh\nexit 0\n');
  writeFileSync(
    join(dir, 'kubectl'),
    `#!/bin/sh\nn=$(($(cat '${count}') + 1)); echo $n > '${count}'\n` +
      `if [ $n -le ${failures} ]; then echo 'Unable to connect to the server: EOF' >&2; exit 1; fi\necho ok\n`,
  );
  writeFileSync(join(dir, 'sleep'), '#!/bin/sh\nexit 0\n');
  for (const f of ['kubeadm', 'kubectl', 'sleep']) chmodSync(join(dir, f), 0o755);
  // The script removes its config file and checks root: run it as it is, in a scratch cwd.
  const script = initScript().replace(/^\[ "\$\(id -u\)" -eq 0 \].*$/m, '');
  try {
    execFileSync('bash', ['-c', script], { env: { PATH: `${dir}:/usr/bin:/bin` }, cwd: dir, stdio: 'pipe' });
    return { code: 0, stderr: '', calls: Number(readFileSync(count, 'utf8')) };
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    return { code: e.status, stderr: e.stderr.toString(), calls: Number(readFileSync(count, 'utf8')) };
  }
}

describe('kubeadm init: the apiserver through the endpoint', () => {
  it('waits out a load balancer that answers EOF for a while after init', () => {
    const r = runWithStandins(5);
    expect(r).toMatchObject({ code: 0 });
    expect(r.calls).toBe(6);
  });
  it('fails after two minutes of no answer, quoting what kubectl said', () => {
    const r = runWithStandins(1000);
    expect(r.code).toBe(1);
    expect(r.calls).toBe(60);
    expect(r.stderr).toContain(
      'not ready through the endpoint 2 minutes after init: Unable to connect to the server: EOF',
    );
  });
});
