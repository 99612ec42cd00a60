import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { ClusterProject } from '../../../shared/model/cluster';
import { generatePlan } from '../../../shared/plan/generate';
import type { Plan } from '../../../shared/plan/types';
import { validateCluster } from '../../../shared/validation';
import { project } from './fixtures';
import { allFiles, allSteps } from './helpers';

/** The dedicated-lb + external etcd fixture: nodes, lb hosts and etcd hosts, with the option on or off. */
function plan(allowCgroupV1: boolean): Plan {
  const p = project({ pattern: 'dedicated-lb', etcd: 'external' });
  return generatePlan(ClusterProject.parse({ ...p, spec: { ...p.spec, kubelet: { allowCgroupV1 } } }), {
    keelsonVersion: 't',
  });
}

const docs = (plan: Plan, file: string) =>
  allFiles(plan)
    .filter((f) => f.path.endsWith(file))
    .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as Record<string, any>)); // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

/** The preflight's cgroup check exactly as generated, runnable on its own. */
function cgroupCheck(plan: Plan, host: string): string {
  const lines = allSteps(plan)
    .find((s) => s.id === `preflight/${host}`)!
    .script.split('\n');
  const start = lines.findIndex((l) => l.startsWith('cgroupfs='));
  const end = lines.indexOf('fi', start);
  // fail, warn and report() with its counters: everything before the first check.
  const header = lines.slice(1, lines.indexOf('}', lines.indexOf('report() {')) + 1);
  return [
    'set -euo pipefail',
    ...header,
    ...lines.slice(start, end + 1),
    '[ "$red" -eq 0 ] || fail "$first_red"',
  ].join('\n');
}

const canMount =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['-m', 'true']).status === 0;

/** Runs `script` in a private mount namespace whose /sys/fs/cgroup looks like cgroup v1 or v2. */
function onHostWith(cgroup: 'v1' | 'v2', script: string) {
  // cgroup v1 hosts mount a tmpfs at /sys/fs/cgroup (with one hierarchy per controller below it).
  const mount =
    cgroup === 'v2' ? 'mount -t cgroup2 none /sys/fs/cgroup' : 'mount -t tmpfs none /sys/fs/cgroup';
  const r = spawnSync('unshare', ['-m', 'bash', '-c', `${mount}\n${script}`], { encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('cgroup v1: refused by default, allowed (deprecated) with spec.kubelet.allowCgroupV1', () => {
  test('the option is off by default and, when on, warns why it is deprecated', () => {
    const p = project({ pattern: 'kube-vip' });
    expect(p.spec.kubelet.allowCgroupV1).toBe(false);
    expect(validateCluster(p).map((f) => f.code)).not.toContain('CGROUP_V1_ALLOWED');
    p.spec.kubelet.allowCgroupV1 = true;
    const warning = validateCluster(p).find((f) => f.code === 'CGROUP_V1_ALLOWED')!;
    expect(warning.severity).toBe('warning');
    expect(warning.message).toMatch(/deprecated.*1\.35.*failCgroupV1: false.*SystemVerification/s);
    expect(warning.fix).toContain('cgroup v2');
  });

  test('on: the kubelet gets failCgroupV1: false and every kubeadm init/join skips SystemVerification only', () => {
    const on = plan(true);
    expect(docs(on, 'kubeadm-init.yaml').find((d) => d.kind === 'KubeletConfiguration')!.failCgroupV1).toBe(
      false,
    );
    const registrations = [...docs(on, 'kubeadm-init.yaml'), ...docs(on, 'kubeadm-join.yaml')]
      .filter((d) => d.kind === 'InitConfiguration' || d.kind === 'JoinConfiguration')
      .map((d) => d.nodeRegistration);
    expect(registrations).toHaveLength(5); // 3 control planes + 2 workers
    for (const r of registrations) expect(r.ignorePreflightErrors).toEqual(['SystemVerification']);

    const off = plan(false);
    expect(docs(off, 'kubeadm-init.yaml').find((d) => d.kind === 'KubeletConfiguration')).not.toHaveProperty(
      'failCgroupV1',
    );
    expect(JSON.stringify(off)).not.toContain('ignorePreflightErrors');
  });

  test('preflight checks the cgroup version on every node, and only on nodes', () => {
    const p = plan(false);
    for (const host of ['cp1', 'cp3', 'w1', 'w2'])
      expect(allSteps(p).find((s) => s.id === `preflight/${host}`)!.script, host).toContain(
        'stat -fc %T /sys/fs/cgroup',
      );
    for (const host of ['lb1', 'etcd1'])
      expect(allSteps(p).find((s) => s.id === `preflight/${host}`)!.script, host).not.toContain(
        '/sys/fs/cgroup',
      );
  });

  describe.skipIf(!canMount)('the generated check on a host (private mount namespace)', () => {
    test('cgroup v1 with the option off: preflight fails and says how to fix it', () => {
      const r = onHostWith('v1', cgroupCheck(plan(false), 'w1'));
      expect(r.code).toBe(1);
      expect(r.output).toContain('cgroup v1 (/sys/fs/cgroup is tmpfs)');
      expect(r.output).toContain('refuses to start on it');
      expect(r.output).toContain('systemd.unified_cgroup_hierarchy=1');
      expect(r.output).toContain('spec.kubelet.allowCgroupV1: true (deprecated)');
    });

    test('cgroup v1 with the option on: preflight passes with a warning', () => {
      const r = onHostWith('v1', cgroupCheck(plan(true), 'w1'));
      expect(r.code).toBe(0);
      expect(r.output).toMatch(
        /warning: cgroup v1 .* allowed by spec\.kubelet\.allowCgroupV1, which is deprecated/,
      );
    });

    test('cgroup v2: preflight passes either way', () => {
      for (const allow of [false, true]) {
        const r = onHostWith('v2', cgroupCheck(plan(allow), 'cp1'));
        expect(r.code, r.output).toBe(0);
        expect(r.output).toContain('cgroup v2');
      }
    });
  });
});
