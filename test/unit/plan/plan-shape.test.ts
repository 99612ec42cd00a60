import { describe, expect, test } from 'vitest';
import { generatePlan, planDesign } from '../../../shared/plan/generate';
import { resolveDesign } from '../../../shared/validation/design';
import { PlanError } from '../../../shared/plan/errors';
import { ClusterProject } from '../../../shared/model/cluster';
import { project } from './fixtures';
import { allFiles, allSteps, run } from './helpers';

const gen = (o: Parameters<typeof project>[0], os: 'debian' | 'rhel' = 'debian') =>
  generatePlan(project(o), { keelsonVersion: '9.9.9-test', osFamily: os });
const fileAt = (plan: ReturnType<typeof gen>, host: string, path: string) =>
  allSteps(plan)
    .filter((s) => s.host === host)
    .flatMap((s) => s.files)
    .find((f) => f.path === path)?.content ?? '';

describe('HA sequence (kubeadm-ha.md)', () => {
  test('phases come in the documented order', () => {
    const plan = gen({ pattern: 'keepalived-haproxy', etcd: 'external' });
    expect(plan.phases.map((p) => p.id)).toEqual([
      'preflight',
      'os-prep',
      'container-runtime',
      'kubernetes-packages',
      'external-etcd',
      'load-balancer',
      'control-plane-init',
      'cni',
      'control-plane-join',
      'worker-join',
      'post-install',
      'verify',
    ]);
  });

  test('control planes join one at a time, each right after a fresh upload-certs on the first', () => {
    for (const etcd of ['stacked', 'external'] as const) {
      const plan = gen({ pattern: 'keepalived-haproxy', etcd, controlPlanes: 5 });
      const phase = plan.phases.find((p) => p.id === 'control-plane-join')!;
      expect(phase.parallel).toBe(false);
      const ids = phase.steps.map((s) => `${s.id}@${s.host}`);
      expect(ids).toEqual(
        ['cp2', 'cp3', 'cp4', 'cp5'].flatMap((h) => [
          `control-plane-join/upload-certs/${h}@cp1`,
          `control-plane-join/kubeadm-join/${h}@${h}`,
        ]),
      );
      phase.steps.forEach((s, i) => {
        if (i > 0) expect(s.dependsOn).toContain(phase.steps[i - 1]!.id); // strict chain
        if (s.id.includes('upload-certs')) {
          expect(s.script).toContain('kubeadm init phase upload-certs --upload-certs');
          expect(s.script.includes('--config')).toBe(etcd === 'external');
          const key = s.outputs![0]!;
          expect(key.secret).toBe(true);
          const join = phase.steps[i + 1]!;
          expect(join.secrets).toContain(key.name);
          expect(join.files[0]!.content).toContain(`{{secret:${key.name}}}`);
        }
      });
      expect(new Set(phase.steps.filter((s) => s.outputs).map((s) => s.outputs![0]!.name)).size).toBe(4);
    }
  });

  test('CNI comes before other joins; workers join in parallel after the control planes', () => {
    const plan = gen({ pattern: 'keepalived-haproxy', workers: 3 });
    const cni = plan.phases.find((p) => p.id === 'cni')!.steps[0]!;
    const firstJoinPrep = plan.phases.find((p) => p.id === 'control-plane-join')!.steps[0]!;
    expect(firstJoinPrep.dependsOn).toContain(cni.id);
    const workers = plan.phases.find((p) => p.id === 'worker-join')!;
    expect(workers.parallel).toBe(true);
    for (const w of workers.steps) {
      expect(w.dependsOn).toContain('control-plane-join/kubeadm-join/cp3');
      expect(w.dependsOn.some((d) => d.startsWith('worker-join/'))).toBe(false);
    }
  });

  test('the bootstrap token is generated at run time on the first control plane, never printed', () => {
    const plan = gen({ pattern: 'kube-vip' });
    const producer = allSteps(plan).find((s) => s.outputs?.some((o) => o.name === 'bootstrap-token'))!;
    expect(producer.host).toBe('cp1');
    expect(producer.script).toContain('kubeadm token generate');
    const init = allSteps(plan).find((s) => s.id.includes('kubeadm-init'))!;
    expect(init.dependsOn).toContain(producer.id);
    expect(init.script).toContain('--skip-token-print');
  });

  test('admin.conf is exported, pointing at the endpoint; super-admin.conf never is', () => {
    const plan = gen({ pattern: 'keepalived-haproxy' });
    const exp = allSteps(plan).find((s) => s.outputs?.some((o) => o.name === 'admin-kubeconfig'))!;
    expect(exp.script).toContain('/etc/kubernetes/admin.conf');
    expect(exp.script).not.toContain('super-admin');
    expect(exp.script).toContain(`server='"https://10.77.0.100:8443"'`);
  });

  test('post-install records topology and the Keelson version in a ConfigMap', () => {
    const cm = allFiles(gen({ pattern: 'node-local' })).find((f) =>
      f.path.endsWith('topology-configmap.yaml'),
    )!.content;
    expect(cm).toContain('kind: ConfigMap');
    expect(cm).toContain('keelson-version: 9.9.9-test');
    expect(cm).toContain('node-local');
  });
});

describe('load balancer patterns', () => {
  test('keepalived: one MASTER, same router id, |weight| above the priority spread, check through the LB port', () => {
    const plan = gen({ pattern: 'keepalived-haproxy' });
    const confs = ['cp1', 'cp2', 'cp3'].map((h) => fileAt(plan, h, '/etc/keepalived/keepalived.conf'));
    expect(confs.filter((c) => /state MASTER/.test(c))).toHaveLength(1);
    expect(confs.filter((c) => /state BACKUP/.test(c))).toHaveLength(2);
    const prio = confs.map((c) => Number(/priority (\d+)/.exec(c)![1]));
    const weight = Number(/weight (-?\d+)/.exec(confs[0]!)![1]);
    expect(Math.abs(weight)).toBeGreaterThan(Math.max(...prio) - Math.min(...prio));
    for (const c of confs) {
      expect(c).toContain('virtual_router_id 51');
      expect(c).toMatch(/vrrp_script check_apiserver \{[^}]*curl -sfk[^"]*https:\/\/localhost:8443\/healthz/);
      expect(c).toMatch(/interval 3\n\s+weight -2\n\s+fall 10\n\s+rise 2/);
      expect(c).toMatch(/track_script \{\s+check_apiserver\s+\}/);
      expect(c).toContain('auth_pass {{secret:lab-vrrp}}');
      expect(c).toContain('10.77.0.100/24');
      expect(c).not.toContain('unicast_peer');
    }
  });

  test('keepalived unicast: own address as source, the others as peers', () => {
    const c = fileAt(
      gen({ pattern: 'keepalived-nginx', unicast: true }),
      'cp2',
      '/etc/keepalived/keepalived.conf',
    );
    expect(c).toContain('unicast_src_ip 10.77.0.12');
    expect(c).toMatch(/unicast_peer \{\s+10\.77\.0\.11\s+10\.77\.0\.13\s+\}/);
  });

  test('haproxy: TLS /healthz checks on every control plane :6443 (no ssl-hello-chk)', () => {
    const c = fileAt(gen({ pattern: 'keepalived-haproxy' }), 'cp1', '/etc/haproxy/haproxy.cfg');
    for (const line of [
      'mode tcp',
      'option httpchk',
      'http-check connect ssl',
      'http-check send meth GET uri /healthz',
      'http-check expect status 200',
      'bind *:8443',
    ])
      expect(c).toContain(line);
    for (const [i, ip] of ['10.77.0.11', '10.77.0.12', '10.77.0.13'].entries())
      expect(c).toContain(`server cp${i + 1} ${ip}:6443 check verify none`);
  });

  test('node-local: nginx on 127.0.0.1:6443 on workers only; the endpoint name resolves locally', () => {
    const plan = gen({ pattern: 'node-local' });
    const lb = plan.phases.find((p) => p.id === 'load-balancer')!.steps;
    expect(lb.map((s) => s.host).sort()).toEqual(['w1', 'w2']);
    const c = fileAt(plan, 'w1', '/etc/nginx/nginx.conf');
    expect(c).toContain('listen 127.0.0.1:6443;');
    expect(c).toContain('least_conn;');
    expect(c).toContain('pid /run/nginx.pid;');
    expect(c).toContain('load_module /usr/lib/nginx/modules/ngx_stream_module.so;');
    for (const ip of ['10.77.0.11', '10.77.0.12', '10.77.0.13']) expect(c).toContain(`server ${ip}:6443`);
    const w1Prep = allSteps(plan).find((s) => s.id === 'os-prep/w1')!.script;
    expect(w1Prep).toMatch(/printf '%s\\n' '127\.0\.0\.1 [a-z.-]+ # keelson-endpoint'/);
  });

  test('kube-vip: static pods before init, super-admin.conf on the init node, then admin.conf', () => {
    const plan = gen({ pattern: 'kube-vip', version: '1.35' });
    expect(fileAt(plan, 'cp1', '/etc/kubernetes/manifests/kube-vip.yaml')).toContain(
      'path: /etc/kubernetes/super-admin.conf',
    );
    expect(fileAt(plan, 'cp2', '/etc/kubernetes/manifests/kube-vip.yaml')).toContain(
      'path: /etc/kubernetes/admin.conf',
    );
    const init = allSteps(plan).find((s) => s.id.includes('kubeadm-init'))!;
    expect(init.script).toContain('path: /etc/kubernetes/admin.conf');
  });
});

describe('OS preparation, runtime and packages', () => {
  test('Debian: pkgs.k8s.io per minor, keyring in /etc/apt/keyrings, held packages', () => {
    const plan = gen({ pattern: 'kube-vip', version: '1.36' });
    const step = allSteps(plan).find((s) => s.id === 'kubernetes-packages/cp1')!;
    expect(step.files[0]!.content).toBe(
      'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.36/deb/ /\n',
    );
    expect(step.script).toContain('apt-mark hold kubelet kubeadm kubectl');
  });

  test('an apt source goes into sources.list.d only after its signed-by keyring exists', () => {
    // Files are written before the script runs: a source whose keyring the script creates would
    // make every apt-get update on the host fail meanwhile ("the repository is not signed").
    for (const pattern of ['keepalived-haproxy', 'node-local'] as const) {
      for (const step of allSteps(gen({ pattern, version: '1.37' }))) {
        for (const f of step.files.filter((x) => x.path.startsWith('/etc/apt/sources.list.d/'))) {
          const keyring = /signed-by=(\S+?)[\]\s]/.exec(f.content)?.[1];
          if (keyring) expect(step.script, `${step.id} ${f.path}`).not.toContain(keyring);
        }
        const lines = step.script.split('\n');
        const placed = lines.findIndex((l) => l.includes("'/etc/apt/sources.list.d/kubernetes.list'"));
        if (placed >= 0) {
          expect(lines.findIndex((l) => l.includes('gpg --dearmor'))).toBeLessThan(placed);
        }
      }
    }
  });

  test('RHEL: rpm repo with exclude=, --disableexcludes=kubernetes, SELinux permissive', () => {
    const plan = gen({ pattern: 'kube-vip', version: '1.36' }, 'rhel');
    const step = allSteps(plan).find((s) => s.id === 'kubernetes-packages/cp1')!;
    expect(step.files[0]!.content).toContain('baseurl=https://pkgs.k8s.io/core:/stable:/v1.36/rpm/');
    expect(step.files[0]!.content).toMatch(/^exclude=.*kubelet.*kubeadm.*kubectl/m);
    expect(step.script).toContain('--disableexcludes=kubernetes');
    expect(allSteps(plan).find((s) => s.id === 'os-prep/cp1')!.script).toContain('SELINUX=permissive');
  });

  test('mirror source: every package, manifest and binary comes from mirrorUrl', () => {
    const plan = gen({ pattern: 'node-local', etcd: 'external', mirror: true, cni: 'flannel' });
    const text = JSON.stringify(plan);
    expect(text).toContain('http://10.77.0.1:8080/mirror/kubernetes/core:/stable:/v1.35/deb/');
    expect(text).not.toMatch(/pkgs\.k8s\.io|download\.docker\.com|github\.com|githubusercontent/);
  });

  test("containerd 2.x: version 3 or 4 layout, SystemdCgroup verified, mirrors read from certs.d, pause image = kubeadm's for the release", () => {
    for (const [version, pause] of [
      ['1.35', '3.10.1'],
      ['1.36', '3.10.2'],
      ['1.37.2', '3.10.2'],
    ] as const) {
      const s = allSteps(gen({ pattern: 'kube-vip', version })).find(
        (x) => x.id === 'container-runtime/cp1',
      )!.script;
      expect(s).toContain('containerd config default');
      expect(s).toContain('^version = (3|4)$');
      expect(s).toContain("config_path = '/etc/containerd/certs.d'");
      expect(s).toMatch(/grep -Eq '\^\[\[:space:\]\]\*SystemdCgroup = true' "\$new" \|\| fail/);
      expect(s).toContain(`pause='registry.k8s.io/pause:${pause}'`);
    }
  });

  test('the container-runtime step never calls crictl: cri-tools only arrives with the Kubernetes packages', () => {
    const plan = gen({ pattern: 'kube-vip' });
    const runtime = allSteps(plan).find((x) => x.id === 'container-runtime/cp1')!;
    // /etc/crictl.yaml may be written early (it is a file), but the command must not run yet.
    expect(runtime.script).not.toMatch(/^\s*[^#\n]*\bcrictl\b(?!\.yaml)/m);
    expect(runtime.check ?? '').not.toMatch(/\bcrictl\b(?!\.yaml)/);
    expect(runtime.script).toContain('ctr --address "$sock" version');
    expect(runtime.script).toContain('ctr --address "$sock" plugins ls');
    for (const family of ['debian', 'rhel'] as const) {
      const pkgs = allSteps(gen({ pattern: 'kube-vip' }, family)).find(
        (x) => x.id === 'kubernetes-packages/cp1',
      )!;
      expect(pkgs.script, family).toMatch(/install -y -q .*'kubeadm.*' 'cri-tools'/);
      expect(pkgs.check, family).toContain('command -v crictl');
    }
  });

  test('os-prep: swap off in fstab too, modules checked by effect, no nf_conntrack_ipv4', () => {
    const s = allSteps(gen({ pattern: 'kube-vip', kubeProxyMode: 'ipvs' })).find(
      (x) => x.id === 'os-prep/w1',
    )!;
    expect(s.script).toContain('swapoff -a');
    expect(s.script).toContain('/etc/fstab');
    expect(s.script).not.toContain('nf_conntrack_ipv4');
    expect(s.files.find((f) => f.path.startsWith('/etc/sysctl.d/'))!.content).toContain(
      'net.ipv4.ip_forward = 1',
    );
    // With no modprobe at all (built-in modules) the load helper must not fail the step.
    const r = run('bash', [
      '-c',
      `set -euo pipefail\nPATH=/nonexistent\n${s.script.split('\n').find((l) => l.startsWith('load()'))}\nload br_netfilter\necho ok`,
    ]);
    expect(r.output.trim()).toBe('ok');
  });

  test('CNI: pod CIDR in the Calico IP pool (VXLAN) and in Flannel net-conf.json', () => {
    const calico = allFiles(gen({ pattern: 'kube-vip' })).find((f) =>
      f.path.endsWith('calico-installation.yaml'),
    )!.content;
    expect(calico).toMatch(/cidr: 10\.244\.0\.0\/16[\s\S]*encapsulation: VXLAN/);
    const flannel = allFiles(gen({ pattern: 'kube-vip', cni: 'flannel' })).find((f) =>
      f.path.endsWith('net-conf.json'),
    )!.content;
    expect(JSON.parse(flannel).Network).toBe('10.244.0.0/16');
  });

  test('preflight: CP resources, ports per role, duplicate-detection outputs for the executor', () => {
    const plan = gen({ pattern: 'keepalived-haproxy' });
    const cp = allSteps(plan).find((s) => s.id === 'preflight/cp1')!;
    const w = allSteps(plan).find((s) => s.id === 'preflight/w1')!;
    // kubeadm's minimums: 2 CPUs and 1700 MB are red on a control plane; a worker's 1 CPU and
    // 1024 MB only amber.
    expect(cp.script).toContain('if [ "$cpus" -lt 2 ]; then report cpu-memory red');
    expect(cp.script).toMatch(/-lt 1700 \]; then report cpu-memory red/);
    expect(w.script).not.toContain('1700');
    expect(w.script).toMatch(/-lt 1024 \]; then report cpu-memory amber/);
    expect(cp.script).toMatch(/ports=\('2379' '2380' '6443' '8443' '10250' '10257' '10259'\)/);
    expect(w.script).toMatch(/ports=\('10250' '10256'\)/);
    expect(cp.outputs!.map((o) => o.uniqueAcrossHosts)).toEqual([
      'hostname',
      'machine-id',
      'product-uuid',
      'mac',
    ]);
  });
});

describe('bad input', () => {
  test('a label cannot inject a command: validation refuses it, and the generators still quote it as one argument', () => {
    const p = project({ pattern: 'kube-vip' });
    const evil = "$(touch /tmp/keelson-pwned)'; echo x";
    const hosts = p.spec.hosts.map((h) => (h.name === 'w1' ? { ...h, labels: { team: evil } } : h));
    const withEvil = ClusterProject.parse({ ...p, spec: { ...p.spec, hosts } });
    expect(() => generatePlan(withEvil, { keelsonVersion: 't' })).toThrow(PlanError);
    // Defence in depth: even handed a design that skipped validation, the value stays one argument.
    const plan = planDesign(resolveDesign(withEvil), { keelsonVersion: 't' });
    const line = allSteps(plan)
      .flatMap((s) => s.script.split('\n'))
      .find((l) => l.includes('label node'))!;
    const r = run('bash', [
      '-c',
      `kubectl() { printf '%s\\n' "$@"; }\n${line.replace(/^kubectl --kubeconfig=\S+/, 'kubectl')}`,
    ]);
    expect(r.output.split('\n')).toContain(`team=${evil}`);
  });

  test('what cannot be planned fails with the field to fix', () => {
    expect(() => gen({ pattern: 'keepalived-haproxy', version: '1.20' })).toThrow(PlanError);
    const p = project({ pattern: 'keepalived-haproxy' });
    const bad = ClusterProject.parse({
      ...p,
      spec: { ...p.spec, apiEndpoint: { ...p.spec.apiEndpoint, port: 6443 } },
    });
    expect(() => generatePlan(bad, { keelsonVersion: 't' })).toThrow(/spec\.apiEndpoint\.port/);
  });
});
