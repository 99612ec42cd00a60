// The generated HA front of a cluster, run for real: keepalived + haproxy exactly as Keelson's plan
// writes them, on three Debian lab hosts, installed from the lab's offline apt repository and
// started by the plan's own step scripts. Behind haproxy runs `apiserver-standin`
// (test/support/apiserver-standin.mjs) — NOT a Kubernetes API server (none can be had here): a tiny
// HTTPS server on :6443 that answers /healthz and /readyz with 200 "ok" and / with its host's name,
// which is all the load-balancer stack ever asks of an apiserver. Talks only to lab addresses.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, ClusterProject } from '../../shared/model/cluster';
import { generatePlan } from '../../shared/plan';
import type { Plan } from '../../shared/plan/types';
import { startLab, type Lab } from './lab';
import {
  httpsGet as get,
  phaseSteps,
  resolvePlaceholders,
  runPlanStep,
  sleep,
  standinCertificate,
  startApiserverStandin,
  stepById,
} from './plan-runner';

const LB_PORT = 8443;
/** Test value for the plan's `{{secret:vrrp-auth-pass}}`; keepalived reads at most 8 characters. */
const KNOWN = { secrets: { 'vrrp-auth-pass': 'lab-vrrp' } };
const FAILOVER_WINDOW_MS = 3_000;
const POLL_EVERY_MS = 100;

/** The MAC the root namespace's ARP entry for `ip` points at, if any. */
function neighbourMac(ip: string): string | undefined {
  return /lladdr (\S+)/.exec(execFileSync('ip', ['neigh', 'show', ip], { encoding: 'utf8' }))?.[1];
}

interface Probe {
  /** Milliseconds after the stop was issued. */
  startMs: number;
  endMs?: number;
  ok?: boolean;
  /** The workstation's ARP entry for the VIP when the probe was sent (which MAC it goes to). */
  mac?: string;
}

/**
 * When the VIP was serving again for good: the end of the first successful probe sent after the
 * last failed one (the old holder had let go by then, so the new one answered). With no failed
 * probe at all, the first success sent after keepalived had stopped on the old holder (before
 * that, the old holder may still be the one answering). Undefined while neither has happened.
 */
function recoveryMs(probes: Probe[], stopReturnedMs: number | undefined): number | undefined {
  const lastFailure = probes.reduce((last, p) => (p.ok === false ? Math.max(last, p.startMs) : last), -1);
  const after = lastFailure >= 0 ? lastFailure : stopReturnedMs;
  if (after === undefined) return undefined;
  const good = probes.filter((p) => p.ok && p.startMs > after && p.endMs !== undefined);
  return good.length ? Math.min(...good.map((p) => p.endMs!)) : undefined;
}

describe('keepalived + haproxy from the generated plan, on 3 lab hosts, in front of apiserver-standin', () => {
  let lab: Lab;
  let plan: Plan;
  let vip: string;
  let cert: ReturnType<typeof standinCertificate> | undefined;

  const vipHolders = async (): Promise<string[]> => {
    const held = await Promise.all(
      lab.hosts.map(async (h) => {
        const out = await lab.sh(h.name, 'ip -4 -o addr show dev eth0');
        return out.includes(` ${vip}/`) ? h.name : undefined;
      }),
    );
    return held.filter((name): name is string => name !== undefined);
  };

  beforeAll(async () => {
    lab = await startLab({ hosts: 3, log: (line) => console.log(`lab: ${line}`) });
    try {
      vip = `10.77.${lab.slot}.100`;
      const project = ClusterProject.parse({
        apiVersion: API_VERSION,
        kind: 'Cluster',
        metadata: { name: 'lab-ha' },
        spec: {
          kubernetesVersion: '1.37',
          hosts: lab.hosts.map((h) => ({ name: h.name, address: h.address, roles: ['control-plane'] })),
          apiEndpoint: {
            pattern: 'keepalived-haproxy',
            vip,
            port: LB_PORT,
            vrrp: { routerId: 51, interface: 'eth0' },
          },
        },
      });
      plan = generatePlan(project, { keelsonVersion: 'lab-test' });

      cert = standinCertificate();

      await Promise.all(
        lab.hosts.map(async (h) => {
          await lab.installPackages(h.name, ['haproxy', 'keepalived', 'curl']);
          await startApiserverStandin(lab, h.name, cert!.dir);
        }),
      );
      // The load-balancer phase in plan order: every haproxy, then the keepalived MASTER (its
      // script waits for the VIP), then the BACKUPs. Earlier phases (os-prep, containerd, …)
      // prepare Kubernetes nodes and are not what this test is about.
      const steps = phaseSteps(plan, 'load-balancer');
      if (steps.length === 0) throw new Error('the plan has no load-balancer phase');
      for (const step of steps) await runPlanStep(lab, step, KNOWN);
    } catch (error) {
      await lab.stop();
      throw error;
    }
  }, 300_000);

  afterAll(async () => {
    try {
      await lab?.stop();
    } finally {
      cert?.dispose();
    }
  });

  it('runs exactly the haproxy and keepalived configs the plan generated', async () => {
    for (const h of lab.hosts) {
      const haproxy = stepById(plan, `load-balancer/haproxy/${h.name}`);
      const keepalived = stepById(plan, `load-balancer/keepalived/${h.name}`);
      expect(await lab.sh(h.name, 'cat /etc/haproxy/haproxy.cfg')).toBe(haproxy.files[0]!.content);
      expect(await lab.sh(h.name, 'cat /etc/keepalived/keepalived.conf')).toBe(
        resolvePlaceholders(keepalived.files[0]!.content, KNOWN),
      );
      expect(
        (await lab.sh(h.name, 'systemctl is-active haproxy keepalived apiserver-standin')).trim().split('\n'),
      ).toEqual(['active', 'active', 'active']);
    }
  });

  it('the VIP is held by exactly one host and answers through haproxy, balanced over every control plane', async () => {
    expect(await vipHolders()).toHaveLength(1);
    const health = await get(`https://${vip}:${LB_PORT}/healthz`, 3_000);
    expect(health).toEqual({ status: 200, body: 'ok' });
    const backends = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const answer = await get(`https://${vip}:${LB_PORT}/`, 3_000);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/^apiserver-standin on h[1-3]\n$/);
      backends.add(answer.body.trim().split(' ').pop()!);
    }
    // roundrobin over three healthy backends: six fresh connections reach all three.
    expect([...backends].sort()).toEqual(['h1', 'h2', 'h3']);
  });

  it('stopping keepalived on the VIP holder moves the VIP; it answers again within 3 s', async () => {
    const [holder] = await vipHolders();
    expect(holder).toBeDefined();
    const url = `https://${vip}:${LB_PORT}/healthz`;
    expect((await get(url, 3_000)).body).toBe('ok');

    // Probes start with the stop and run every 100 ms (each a fresh connection, 1 s timeout), so
    // the timeline covers the old holder letting go, any gap, and the new holder answering.
    const probes: Probe[] = [];
    const stoppedAt = performance.now();
    let stopReturnedMs: number | undefined;
    const stopping = lab.sh(holder!, 'systemctl stop keepalived').then(() => {
      stopReturnedMs = performance.now() - stoppedAt;
    });
    const inFlight: Promise<void>[] = [];
    // Keep probing 1 s past the apparent recovery, so a flap right after it is seen too.
    const settled = () => {
      const at = recoveryMs(probes, stopReturnedMs);
      return at !== undefined && performance.now() - stoppedAt > at + 1_000;
    };
    while (!settled() && performance.now() - stoppedAt < 10_000) {
      const probe: Probe = { startMs: performance.now() - stoppedAt, mac: neighbourMac(vip) };
      probes.push(probe);
      inFlight.push(
        get(url, 1_000).then(
          (a) => {
            probe.ok = a.status === 200 && a.body === 'ok';
            probe.endMs = performance.now() - stoppedAt;
          },
          () => {
            probe.ok = false;
            probe.endMs = performance.now() - stoppedAt;
          },
        ),
      );
      await sleep(POLL_EVERY_MS);
    }
    await Promise.all([stopping, ...inFlight]);
    const answeredAgainMs = recoveryMs(probes, stopReturnedMs);
    const failed = probes.filter((p) => !p.ok);
    const holdersAfter = await vipHolders();
    console.log(
      `failover: keepalived stopped on ${holder} (systemctl returned after ${stopReturnedMs?.toFixed(0)} ms); ` +
        `VIP ${vip}:${LB_PORT} answered /healthz from the new holder ${holdersAfter.join(', ') || 'nobody'} ` +
        `${answeredAgainMs?.toFixed(0) ?? 'never'} ms after the stop; ${failed.length} of ${probes.length} probes failed` +
        (failed.length
          ? ` (gap: first failed probe sent at ${failed[0]!.startMs.toFixed(0)} ms, last at ${failed[failed.length - 1]!.startMs.toFixed(0)} ms)`
          : ''),
    );
    if (
      answeredAgainMs === undefined ||
      answeredAgainMs >= FAILOVER_WINDOW_MS ||
      process.env.KEELSON_LAB_VERBOSE
    ) {
      // Say why: which MAC the workstation sent to, probe by probe, and what each keepalived did.
      const macs = Object.fromEntries(
        await Promise.all(
          lab.hosts.map(async (h) => [
            (await lab.sh(h.name, 'cat /sys/class/net/eth0/address')).trim(),
            h.name,
          ]),
        ),
      ) as Record<string, string>;
      console.log(
        probes
          .map((p) => `${p.startMs.toFixed(0)}ms ${p.ok ? 'ok ' : 'ERR'} → ${macs[p.mac ?? ''] ?? p.mac}`)
          .join('\n'),
      );
      for (const h of lab.hosts)
        console.log(
          `${h.name}:\n${(await lab.exec(h.name, 'journalctl -u keepalived -o short-precise --no-pager | tail -n 25')).stdout}`,
        );
    }
    expect(answeredAgainMs, 'the VIP answered again').toBeDefined();
    expect(answeredAgainMs!).toBeLessThan(FAILOVER_WINDOW_MS);
    expect(holdersAfter).toHaveLength(1);
    expect(holdersAfter[0]).not.toBe(holder);

    // The workstation now reaches the VIP at the new holder's MAC (keepalived's gratuitous ARP).
    const newMac = (await lab.sh(holdersAfter[0]!, 'cat /sys/class/net/eth0/address')).trim();
    expect(neighbourMac(vip)).toBe(newMac);
  }, 60_000);

  it("haproxy's TLS /healthz check takes a dead apiserver-standin out of rotation", async () => {
    // A crash, not a graceful stop: SIGKILL, then the unit stays down.
    await lab.sh('h3', 'systemctl kill --signal=SIGKILL apiserver-standin; systemctl stop apiserver-standin');
    // default-server inter 3s fall 3: DOWN after about 9 s; wait up to 30 s for six answers in a row without h3.
    let cleanRun = 0;
    const deadline = performance.now() + 30_000;
    while (cleanRun < 6 && performance.now() < deadline) {
      const answer = await get(`https://${vip}:${LB_PORT}/`, 2_000).catch(() => undefined);
      cleanRun = answer?.status === 200 && !answer.body.includes(' h3') ? cleanRun + 1 : 0;
      if (cleanRun === 0) await sleep(500);
    }
    expect(cleanRun, 'six answers in a row from live backends only').toBe(6);
    const health = await get(`https://${vip}:${LB_PORT}/healthz`, 2_000);
    expect(health.body).toBe('ok');
  }, 60_000);
});
