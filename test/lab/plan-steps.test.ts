// Generated plan steps run for real on four Debian lab hosts (h1–h3 control planes, h4 a worker):
// the preflight phase as written, keepalived + nginx on the control planes, and the node-local
// nginx of the worker. Each step installs its own packages, from the lab's offline apt repository
// as an air-gapped install would, and must leave the host in the state its check expects. Behind the load balancers runs
// `apiserver-standin` (test/support/apiserver-standin.mjs) — NOT a Kubernetes API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, ClusterProject } from '../../shared/model/cluster';
import { generatePlan } from '../../shared/plan';
import type { Plan } from '../../shared/plan/types';
import { startLab, type Lab } from './lab';
import { must } from './run';
import { labHostsOnCgroupV1 } from './project';
import {
  httpsGet,
  phaseSteps,
  runPlanCheck,
  runPlanStep,
  sleep,
  standinCertificate,
  startApiserverStandin,
} from './plan-runner';

const LB_PORT = 8443;
const KNOWN = { secrets: { 'vrrp-auth-pass': 'lab-vrrp' } };
const CONTROL_PLANES = ['h1', 'h2', 'h3'];

function planFor(lab: Lab, apiEndpoint: Record<string, unknown>): Plan {
  const project = ClusterProject.parse({
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: 'lab-steps' },
    spec: {
      kubernetesVersion: '1.35',
      hosts: lab.hosts.map((h) => ({
        name: h.name,
        address: h.address,
        roles: CONTROL_PLANES.includes(h.name) ? ['control-plane'] : ['worker'],
      })),
      apiEndpoint,
      kubelet: { allowCgroupV1: labHostsOnCgroupV1() },
    },
  });
  return generatePlan(project, { keelsonVersion: 'lab-test' });
}

describe('generated plan steps on Debian lab hosts', () => {
  let lab: Lab;
  let cert: ReturnType<typeof standinCertificate> | undefined;
  let haPlan: Plan;
  let vip: string;

  beforeAll(async () => {
    lab = await startLab({ hosts: 4, log: (line) => console.log(`lab: ${line}`) });
    vip = `10.77.${lab.slot}.100`;
    haPlan = planFor(lab, {
      pattern: 'keepalived-nginx',
      vip,
      port: LB_PORT,
      vrrp: { routerId: 52, interface: 'eth0' },
    });
    cert = standinCertificate();
    // Only the offline repository is configured: the steps install their packages themselves.
    await Promise.all(lab.hosts.map((h) => lab.useOfflineRepository(h.name)));
  }, 300_000);

  afterAll(async () => {
    try {
      await lab?.stop();
    } finally {
      cert?.dispose();
    }
  });

  it('preflight passes on every host and collects distinct hostnames and machine-ids', async () => {
    const steps = phaseSteps(haPlan, 'preflight');
    expect(steps.map((s) => s.host).sort()).toEqual(['h1', 'h2', 'h3', 'h4']);
    const outputs = await Promise.all(
      steps.map(async (s) => {
        const run = await runPlanStep(lab, s);
        expect(run.stdout).toContain(`keelson: preflight passed on ${s.host}`);
        // The cgroup check saw what the host really runs (v1 here is allowed, with its warning).
        expect(`${run.stdout}${run.stderr}`).toMatch(
          labHostsOnCgroupV1() ? /cgroup v1 \(.*allowed by spec\.kubelet\.allowCgroupV1/ : /cgroup v2/,
        );
        const read = (name: string) => lab.sh(s.host, `cat /run/keelson/outputs/${name}.${s.host}`);
        return {
          hostname: await read('hostname'),
          machineId: await read('machine-id'),
          mac: await read('mac'),
          mode: (await lab.sh(s.host, 'stat -c %a /run/keelson/outputs')).trim(),
        };
      }),
    );
    expect(outputs.map((o) => o.hostname)).toEqual(['h1', 'h2', 'h3', 'h4']);
    expect(new Set(outputs.map((o) => o.machineId)).size).toBe(4);
    for (const o of outputs) {
      expect(o.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(o.mode).toBe('700');
    }
  }, 120_000);

  it('preflight refuses a host whose address is not the one in the design, and says which', async () => {
    const wrong = planFor(
      {
        ...lab,
        hosts: lab.hosts.map((h) => (h.name === 'h4' ? { ...h, address: `10.77.${lab.slot}.99` } : h)),
      },
      { pattern: 'keepalived-nginx', vip, port: LB_PORT, vrrp: { routerId: 52, interface: 'eth0' } },
    );
    const step = phaseSteps(wrong, 'preflight').find((s) => s.host === 'h4')!;
    await expect(runPlanStep(lab, step)).rejects.toThrow(
      `address 10.77.${lab.slot}.99 is not configured on this host`,
    );
  }, 60_000);

  it('preflight refuses a node with no route to the Service network, and says how to fix it', async () => {
    const step = phaseSteps(haPlan, 'preflight').find((s) => s.host === 'h4')!;
    const netns = lab.host('h4').netns;
    const gateway = (await must('ip', ['-n', netns, 'route', 'show', 'default'])).trim();
    await must('ip', ['-n', netns, 'route', 'delete', 'default']);
    try {
      await expect(runPlanStep(lab, step)).rejects.toThrow(
        /no route to the Service network \(10\.96\.0\.1\).*default route/,
      );
    } finally {
      await must('ip', ['-n', netns, 'route', 'add', ...gateway.split(/\s+/)]);
    }
    expect((await runPlanStep(lab, step)).stdout).toContain('keelson: preflight passed on h4');
  }, 60_000);

  it('os-prep: swap off, overlay and br_netfilter present, forwarding sysctls verified; re-runs safely', async () => {
    // Lab hosts share the workstation's kernel: modules cannot be loaded from inside, so this
    // proves the "already loaded or built in" path, and non-network sysctls are read-only there
    // (the step warns about keys outside its own file and verifies its own values).
    const steps = phaseSteps(haPlan, 'os-prep');
    expect(steps.map((s) => s.host).sort()).toEqual(['h1', 'h2', 'h3', 'h4']);
    await Promise.all(
      steps.map(async (s) => {
        const first = await runPlanStep(lab, s);
        expect(first.stdout).toContain('keelson: OS prepared');
        expect((await runPlanCheck(lab, s)).code, `${s.host} done`).toBe(0);
        await runPlanStep(lab, s);
        expect(await lab.sh(s.host, 'sysctl -n net.ipv4.ip_forward')).toBe('1\n');
      }),
    );
  }, 120_000);

  it('keepalived + nginx: installs, reports done, re-runs safely, and the VIP balances over every control plane', async () => {
    await Promise.all(CONTROL_PLANES.map((h) => startApiserverStandin(lab, h, cert!.dir)));
    const steps = phaseSteps(haPlan, 'load-balancer');
    expect(steps.map((s) => s.id)).toEqual([
      ...CONTROL_PLANES.map((h) => `load-balancer/nginx/${h}`),
      ...CONTROL_PLANES.map((h) => `load-balancer/keepalived/${h}`),
    ]);
    for (const s of steps) {
      expect((await runPlanCheck(lab, s, KNOWN)).code, `${s.id} is not done before it ran`).not.toBe(0);
      await runPlanStep(lab, s, KNOWN);
      expect((await runPlanCheck(lab, s, KNOWN)).code, `${s.id} is done after it ran`).toBe(0);
    }
    // Resume after a failure re-runs steps that already ran: they must succeed and change nothing.
    const nginxConf = await lab.sh('h1', 'cat /etc/nginx/nginx.conf');
    await runPlanStep(lab, steps[0]!, KNOWN);
    expect(await lab.sh('h1', 'cat /etc/nginx/nginx.conf')).toBe(nginxConf);
    expect(nginxConf).toBe(steps[0]!.files[0]!.content);

    const holders = async () =>
      (
        await Promise.all(
          CONTROL_PLANES.map(async (h) =>
            (await lab.sh(h, 'ip -4 -o addr show dev eth0')).includes(` ${vip}/`) ? h : undefined,
          ),
        )
      ).filter(Boolean);
    expect(await holders()).toEqual(['h1']);
    expect(await httpsGet(`https://${vip}:${LB_PORT}/healthz`, 3_000)).toEqual({ status: 200, body: 'ok' });
    const backends = new Set<string>();
    for (let i = 0; i < 9; i++)
      backends.add((await httpsGet(`https://${vip}:${LB_PORT}/`, 3_000)).body.trim());
    expect([...backends].sort()).toEqual(CONTROL_PLANES.map((h) => `apiserver-standin on ${h}`));

    // The VIP moves when its holder's keepalived stops (timing is measured in lb-failover.test.ts).
    await lab.sh('h1', 'systemctl stop keepalived');
    let after: unknown[] = [];
    for (let i = 0; i < 50 && (after.length !== 1 || after[0] === 'h1'); i++) {
      await sleep(200);
      after = await holders();
    }
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe('h1');
    expect((await httpsGet(`https://${vip}:${LB_PORT}/healthz`, 3_000)).body).toBe('ok');
    // Six steps, two installs each and a re-run: 166–211 s measured at load 15–20 on 2 cores.
  }, 420_000);

  it('node-local nginx: the worker reaches every apiserver through 127.0.0.1:6443, and still does when one dies', async () => {
    const plan = planFor(lab, { pattern: 'node-local', port: 6443 });
    const steps = phaseSteps(plan, 'load-balancer');
    expect(steps.map((s) => s.id)).toEqual(['load-balancer/nginx/h4']);
    await runPlanStep(lab, steps[0]!);
    expect((await runPlanCheck(lab, steps[0]!)).code).toBe(0);
    // Listens on loopback only: the worker's proxy is not a load balancer for anyone else.
    expect(await lab.sh('h4', 'ss -Htln "( sport = :6443 )"')).toMatch(/127\.0\.0\.1:6443/);
    expect(await lab.sh('h4', 'ss -Htln "( sport = :6443 )"')).not.toMatch(/0\.0\.0\.0:6443|\*:6443/);

    const fromWorker = async (path: string) =>
      (await lab.exec('h4', `curl -sk --max-time 3 https://127.0.0.1:6443${path}`)).stdout.trim();
    expect(await fromWorker('/healthz')).toBe('ok');
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(await fromWorker('/'));
    expect([...seen].sort()).toEqual(CONTROL_PLANES.map((h) => `apiserver-standin on ${h}`));

    await lab.sh('h2', 'systemctl stop apiserver-standin');
    const answers: string[] = [];
    for (let i = 0; i < 9; i++) answers.push(await fromWorker('/'));
    // Every request is answered: nginx passes a refused connection on to the next control plane.
    expect(answers.every((a) => a === 'apiserver-standin on h1' || a === 'apiserver-standin on h3')).toBe(
      true,
    );
  }, 240_000);
});
