/**
 * What a real cluster deployed by Keelson must do, whatever its template: every node Ready at the
 * built version through the kubeconfig Keelson handed over, a Deployment on the workers, a Service
 * name resolved by CoreDNS across nodes, etcd with all its members, and the endpoint surviving the
 * loss of what the pattern makes redundant (the VIP holder; for node-local, a control plane).
 * Every binary is the real upstream one, built from its Go module (`npm run lab -- kube-build`);
 * nothing here is a stand-in.
 *
 * Runs wherever the offline bundle for the version is cached (`npm run lab -- bundle` makes it —
 * about 46 minutes of builds from empty caches on a 2-core machine); KEELSON_REAL_CLUSTER=0 leaves it out. Each
 * skip says why.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePaths } from '../../../main/services/bundle/layout';
import type { ClusterProject } from '../../../shared/model/cluster';
import { DEFAULT_KUBE_VERSION } from './components';
import { dryRun } from '../../../main/services/check/dry-run';
import { LAB_KEELSON_VERSION, LAB_SUDO_SECRET, startLabCluster, type LabCluster } from './cluster';
import { KEELSON_CACHE } from './go-build';
import { day2Tests } from './day2-suite';

const run = promisify(execFile);
const VERSION = DEFAULT_KUBE_VERSION;
const BUNDLE = join(KEELSON_CACHE, 'bundles', `v${VERSION}`);
const KUBECTL = join(KEELSON_CACHE, 'kube', `v${VERSION}`, 'bin', 'kubectl');

function skipReason(): string {
  if (process.env.KEELSON_REAL_CLUSTER === '0') return 'KEELSON_REAL_CLUSTER=0 leaves them out';
  if (!existsSync(bundlePaths(BUNDLE).manifest) || !existsSync(KUBECTL))
    return `no offline bundle for v${VERSION} in ${KEELSON_CACHE} (make it with \`npm run lab -- bundle\`; it builds Kubernetes from source first, about 46 minutes from empty caches on a 2-core machine)`;
  return '';
}

const hostsWith = (project: ClusterProject, role: string): string[] =>
  project.spec.hosts.filter((h) => h.roles.includes(role as never)).map((h) => h.name);

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

export function describeRealCluster(template: string, title: string, options: { day2?: boolean } = {}): void {
  const reason = skipReason();
  if (reason) console.log(`real-cluster tests (${template}) skipped: ${reason}`);
  const log = (line: string) => console.log(`[real-cluster ${template}] ${line}`);

  describe.skipIf(reason !== '')(`a real kubeadm cluster deployed by Keelson: ${title}`, () => {
    let cluster: LabCluster;
    let bringUpSeconds = 0;
    let controlPlanes: string[] = [];
    let workers: string[] = [];

    /**
     * kubectl as a user at a workstation on the servers' network runs it: the locally built kubectl
     * with the kubeconfig Keelson handed over, in the last worker's network namespace (the lab's
     * subnet is blackholed in the machine's own namespace), so every request goes to the endpoint.
     */
    async function kubectl(args: string[], timeoutMs = 30_000): Promise<string> {
      const netns = cluster.lab.host(workers.at(-1)!).netns;
      const { stdout } = await run(
        'ip',
        ['netns', 'exec', netns, KUBECTL, '--kubeconfig', cluster.kubeconfig, ...args],
        { timeout: timeoutMs, maxBuffer: 16 << 20 },
      );
      return stdout;
    }
    async function waitFor(what: string, test: () => Promise<boolean>, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        try {
          if (await test()) return;
        } catch (err) {
          last = String((err as Error).message)
            .split('\n')
            .slice(0, 3)
            .join(' ');
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    }
    /** Polls `probe` until it succeeds after failing (or 5 s of success); returns the seconds it failed. */
    async function outage(probe: () => Promise<boolean>, what: string): Promise<number> {
      const started = Date.now();
      let failedSince: number | undefined;
      for (;;) {
        const ok = await probe().catch(() => false);
        if (!ok) failedSince ??= Date.now();
        if (ok && (failedSince !== undefined || Date.now() - started > 5000)) break;
        if (Date.now() - started > 120_000) throw new Error(`${what} did not answer for 2 minutes`);
        await new Promise((r) => setTimeout(r, 250));
      }
      return failedSince === undefined ? 0 : (Date.now() - failedSince) / 1000;
    }
    const readyz = () =>
      kubectl(['get', '--raw', '/readyz', '--request-timeout', '2s'], 5000).then(
        (out) => out.trim() === 'ok',
      );

    beforeAll(async () => {
      const started = Date.now();
      cluster = await startLabCluster({ template, version: VERSION, log });
      bringUpSeconds = (Date.now() - started) / 1000;
      controlPlanes = hostsWith(cluster.project, 'control-plane');
      workers = hostsWith(cluster.project, 'worker');
      log(`cluster deployed and kubeconfig exported ${bringUpSeconds.toFixed(0)} s after start`);
    }, 60 * 60_000);

    afterAll(async () => {
      await cluster?.stop();
    }, 180_000);

    it(
      'every node joins and is Ready at the built version, through the kubeconfig Keelson handed over',
      async () => {
        const ep = cluster.project.spec.apiEndpoint;
        const server = /server:\s*(\S+)/.exec(await kubectl(['config', 'view', '--minify']))?.[1];
        const firstCp = cluster.project.spec.hosts.find((h) => h.name === controlPlanes[0])!;
        // node-local has no shared endpoint: a workstation talks to a control plane.
        expect(server).toBe(
          ep.pattern === 'node-local'
            ? `https://${firstCp.address}:6443`
            : `https://${ep.vip}:${ep.port ?? 6443}`,
        );
        const started = Date.now();
        type Node = {
          metadata: { name: string };
          status: { nodeInfo: { kubeletVersion: string }; conditions: { type: string; status: string }[] };
        };
        const expected = [...controlPlanes, ...workers].sort();
        let nodes: Node[] = [];
        await waitFor(
          `${expected.length} Ready nodes`,
          async () => {
            nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])).items as Node[];
            const ready = nodes.filter((n) =>
              n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
            );
            return ready.length === expected.length;
          },
          10 * 60_000,
        );
        log(
          `${expected.length} nodes Ready ${seconds(started)} s after the deploy ended (${bringUpSeconds.toFixed(0)} s for the deploy)`,
        );
        expect(nodes.map((n) => n.metadata.name).sort()).toEqual(expected);
        for (const n of nodes) expect(n.status.nodeInfo.kubeletVersion).toBe(`v${VERSION}`);
        const version = JSON.parse(await kubectl(['version', '-o', 'json']));
        expect(version.serverVersion.gitVersion).toBe(`v${VERSION}`);
      },
      12 * 60_000,
    );

    it(
      '`apply --dry-run` on the deployed cluster lists every step as done, changing nothing',
      async () => {
        const started = Date.now();
        const { steps } = await dryRun({
          projectFile: cluster.projectFile,
          project: cluster.project,
          ssh: cluster.ssh,
          keelsonVersion: LAB_KEELSON_VERSION,
          secret: (name) => (name === LAB_SUDO_SECRET ? cluster.lab.hosts[0]!.password : undefined),
          env: cluster.env,
        });
        const byJournal = steps.filter((s) => s.detail.startsWith('finished in run')).length;
        log(
          `dry run: ${steps.length} steps in ${seconds(started)} s, ${steps.length - byJournal} done by their own check, ${byJournal} by the journal`,
        );
        expect(
          steps.filter((s) => s.state !== 'done').map((s) => `${s.id}: ${s.state} (${s.detail})`),
        ).toEqual([]);
        expect(steps.length).toBe(cluster.plan.phases.flatMap((p) => p.steps).length);
      },
      10 * 60_000,
    );

    it(
      'a 2-replica Deployment runs on the workers and CoreDNS answers a pod on another node',
      async () => {
        await kubectl([
          'create',
          'deployment',
          'keelson-pause',
          '--image',
          'registry.k8s.io/pause:3.10.2',
          '--replicas',
          '2',
        ]);
        await kubectl(['rollout', 'status', 'deployment/keelson-pause', '--timeout', '300s'], 320_000);
        const pods = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=keelson-pause', '-o', 'json']))
          .items as {
          spec: { nodeName: string };
        }[];
        expect(pods).toHaveLength(2);
        for (const p of pods) expect(workers).toContain(p.spec.nodeName);

        // The kube-proxy image is Debian underneath (iptables-base.sh), so it has getent. The pod's
        // resolv.conf points at the cluster DNS Service: kube-proxy's rules, Flannel's overlay and
        // CoreDNS all have to work for this name to resolve to the kubernetes Service's address.
        const serviceIp = (
          await kubectl(['get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])
        ).trim();
        await kubectl([
          'run',
          'keelson-dns',
          '--restart=Never',
          '--image',
          `registry.k8s.io/kube-proxy:v${VERSION}`,
          '--overrides',
          JSON.stringify({ spec: { nodeName: workers[0] } }),
          '--command',
          '--',
          'getent',
          'hosts',
          'kubernetes.default.svc.cluster.local',
        ]);
        let phase = '';
        await waitFor(
          'the DNS pod to finish',
          async () => {
            phase = (await kubectl(['get', 'pod', 'keelson-dns', '-o', 'jsonpath={.status.phase}'])).trim();
            return phase === 'Succeeded' || phase === 'Failed';
          },
          180_000,
        );
        const answer = await kubectl(['logs', 'keelson-dns']);
        expect({ phase, answer: answer.trim() }).toMatchObject({ phase: 'Succeeded' });
        expect(answer).toContain(serviceIp);
      },
      10 * 60_000,
    );

    it('etcd has all its members, every one healthy', async () => {
      const external = cluster.project.spec.etcd.mode === 'external';
      const members = external ? hostsWith(cluster.project, 'etcd') : controlPlanes;
      let list: string;
      let health: string;
      if (external) {
        // Keelson's own etcd hosts: etcdctl and the healthcheck client certificate it installed there.
        const endpoints = members
          .map((m) => `https://${cluster.project.spec.hosts.find((h) => h.name === m)!.address}:2379`)
          .join(',');
        const etcdctl =
          `/usr/local/bin/etcdctl --endpoints=${endpoints} --cacert=/etc/etcd/pki/ca.crt ` +
          '--cert=/etc/etcd/pki/healthcheck-client.crt --key=/etc/etcd/pki/healthcheck-client.key';
        list = await cluster.lab.sh(members[0]!, `${etcdctl} member list -w json`);
        health = await cluster.lab.sh(members[0]!, `${etcdctl} endpoint health -w json`);
      } else {
        const etcdctl = [
          'exec',
          '-n',
          'kube-system',
          `etcd-${members[0]}`,
          '--',
          '/usr/local/bin/etcdctl',
          '--endpoints',
          'https://127.0.0.1:2379',
          '--cacert',
          '/etc/kubernetes/pki/etcd/ca.crt',
          '--cert',
          '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
          '--key',
          '/etc/kubernetes/pki/etcd/healthcheck-client.key',
        ];
        list = await kubectl([...etcdctl, 'member', 'list', '-w', 'json']);
        health = await kubectl([...etcdctl, 'endpoint', 'health', '--cluster', '-w', 'json']);
      }
      const listed = JSON.parse(list).members as { name: string; isLearner?: boolean }[];
      expect(listed.map((m) => m.name).sort()).toEqual([...members].sort());
      expect(listed.some((m) => m.isLearner)).toBe(false);
      expect((JSON.parse(health) as { health: boolean }[]).map((h) => h.health)).toEqual(
        members.map(() => true),
      );
    }, 120_000);

    const keepalived = (p: ClusterProject) =>
      p.spec.apiEndpoint.pattern.startsWith('keepalived-') ||
      (p.spec.apiEndpoint.pattern === 'dedicated-lb' && p.spec.apiEndpoint.lbKeepalived === true);

    it(
      'the endpoint survives the loss of what the pattern makes redundant',
      async () => {
        const vip = cluster.project.spec.apiEndpoint.vip;
        if (cluster.project.spec.apiEndpoint.pattern === 'node-local') {
          // Every node reaches the API through its own nginx on 127.0.0.1:6443: with the first
          // control plane unplugged, a worker's local proxy still answers from the others.
          const lost = controlPlanes[0]!;
          const probe = () =>
            cluster.lab
              .exec(workers[0]!, 'curl -sk --max-time 2 https://127.0.0.1:6443/readyz', { timeoutMs: 5000 })
              .then((r) => r.code === 0 && r.stdout.trim() === 'ok');
          expect(await probe()).toBe(true);
          await cluster.lab.cablePull(lost);
          try {
            const gap = await outage(probe, `${workers[0]}'s local proxy`);
            log(`${lost} unplugged: ${workers[0]}'s node-local proxy unanswered for ${gap.toFixed(1)} s`);
            // The worker's kubelet keeps reporting through its local proxy (heartbeats reach etcd).
            const other = controlPlanes[1]!;
            const status = await cluster.lab.sh(
              other,
              `kubectl --kubeconfig /etc/kubernetes/admin.conf get node ${workers[0]} -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'`,
            );
            expect(status.trim()).toBe('True');
          } finally {
            await cluster.lab.cablePlug(lost);
          }
          return;
        }
        expect(keepalived(cluster.project)).toBe(true);
        const holders = hostsWith(cluster.project, 'lb').length
          ? hostsWith(cluster.project, 'lb')
          : controlPlanes;
        /** The host holding the VIP (an unplugged one keeps it on its side of the cable). */
        const holder = async (unplugged?: string): Promise<string | undefined> => {
          for (const h of holders.filter((c) => c !== unplugged)) {
            const r = await cluster.lab.exec(h, `ip -4 -o addr show | grep -qw ${vip}`);
            if (r.code === 0) return h;
          }
          return undefined;
        };
        const first = await holder();
        expect(first).toBeDefined();
        await cluster.lab.sh(first!, 'systemctl stop keepalived');
        const gap1 = await outage(readyz, 'the API through the VIP');
        const second = await holder();
        log(
          `keepalived stopped on ${first}: VIP moved to ${second}, API unanswered for ${gap1.toFixed(1)} s`,
        );
        expect(second).toBeDefined();
        expect(second).not.toBe(first);
        await cluster.lab.sh(first!, 'systemctl start keepalived');

        await cluster.lab.cablePull(second!);
        try {
          const gap2 = await outage(readyz, 'the API through the VIP');
          const third = await holder(second);
          log(`${second} unplugged: VIP on ${third}, API unanswered for ${gap2.toFixed(1)} s`);
          expect(third).toBeDefined();
          expect(third).not.toBe(second);
          // etcd keeps quorum without the unplugged host: writes still succeed. Each try writes
          // its own object: a try that timed out on the client may still have been committed (etcd
          // electing a new leader), and retrying the same name would then fail as AlreadyExists.
          let tries = 0;
          await waitFor(
            'a write through the VIP',
            async () => {
              tries++;
              await kubectl([
                'create',
                'configmap',
                `keelson-after-failover-${tries}`,
                '--from-literal',
                'ok=1',
              ]);
              return true;
            },
            60_000,
          );
          log(`a write through the VIP with ${second} unplugged succeeded at try ${tries}`);
        } finally {
          await cluster.lab.cablePlug(second!);
        }
      },
      8 * 60_000,
    );

    if (options.day2) day2Tests({ cluster: () => cluster, kubectl, waitFor, readyz, log });
  });
}
