/**
 * Real Kubernetes, deployed by Keelson: the keepalived-haproxy template (3 control planes, 2
 * workers, keepalived VIP + haproxy on every control plane, stacked etcd) on kubelet-capable lab
 * hosts, with the plan Keelson generates and the deploy engine it ships, installing from the
 * offline bundle it serves. Every binary is the real upstream one, built from its Go module
 * (`npm run lab -- kube-build`); nothing here is a stand-in.
 *
 * Needs the offline bundle for the version (`npm run lab -- bundle` makes it — about an hour of
 * builds on a cold 2-core machine) and KEELSON_REAL_CLUSTER=1; otherwise it says why it skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePaths } from '../../main/services/bundle/layout';
import { KEELSON_CACHE } from './kube/go-build';
import { DEFAULT_KUBE_VERSION } from './kube/components';
import { startLabCluster, type LabCluster } from './kube/cluster';

const run = promisify(execFile);
const VERSION = DEFAULT_KUBE_VERSION;
const BUNDLE = join(KEELSON_CACHE, 'bundles', `v${VERSION}`);
const KUBECTL = join(KEELSON_CACHE, 'kube', `v${VERSION}`, 'bin', 'kubectl');
const cached = existsSync(bundlePaths(BUNDLE).manifest) && existsSync(KUBECTL);
/**
 * Opt-in for now: this bring-up has reached `kubeadm init` on lab hosts but has not yet been seen
 * to finish end to end on these shared 2-core machines, so CI does not bet its verdict on it
 * (README, Honest limits). KEELSON_REAL_CLUSTER=1 runs it wherever the bundle is cached.
 */
const wanted = process.env.KEELSON_REAL_CLUSTER === '1';
const reason = !cached
  ? `no offline bundle for v${VERSION} in ${KEELSON_CACHE} (make it with \`npm run lab -- bundle\`; it builds Kubernetes from source first)`
  : !wanted
    ? 'opt-in: set KEELSON_REAL_CLUSTER=1 to bring up a real cluster (20+ minutes)'
    : '';
if (reason) console.log(`real-cluster tests skipped: ${reason}`);

const log = (line: string) => console.log(`[real-cluster] ${line}`);
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

describe.skipIf(reason !== '')(
  'a real kubeadm cluster deployed by Keelson (keepalived-haproxy, 3 CP + 2 workers)',
  () => {
    let cluster: LabCluster;
    let bringUpSeconds = 0;

    /**
     * kubectl as a user at a workstation on the servers' network runs it: the locally built kubectl
     * with the kubeconfig Keelson exported, in worker2's network namespace (the lab's subnet is
     * blackholed in the machine's own namespace), so every request goes through the VIP.
     */
    async function kubectl(args: string[], timeoutMs = 30_000): Promise<string> {
      const { stdout } = await run(
        'ip',
        [
          'netns',
          'exec',
          cluster.lab.host('worker2').netns,
          KUBECTL,
          '--kubeconfig',
          cluster.kubeconfig,
          ...args,
        ],
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

    beforeAll(async () => {
      const started = Date.now();
      cluster = await startLabCluster({ template: 'keepalived-haproxy', version: VERSION, log });
      bringUpSeconds = (Date.now() - started) / 1000;
      log(`cluster deployed and kubeconfig exported ${bringUpSeconds.toFixed(0)} s after start`);
    }, 60 * 60_000);

    afterAll(async () => {
      await cluster?.stop();
    }, 180_000);

    it(
      'every node joins and is Ready at the built version, with the kubeconfig answering through the VIP',
      async () => {
        const server = /server:\s*(\S+)/.exec(await kubectl(['config', 'view', '--minify']))?.[1];
        expect(server).toBe(
          `https://${cluster.project.spec.apiEndpoint.vip}:${cluster.project.spec.apiEndpoint.port ?? 6443}`,
        );
        const started = Date.now();
        type Node = {
          metadata: { name: string };
          status: { nodeInfo: { kubeletVersion: string }; conditions: { type: string; status: string }[] };
        };
        let nodes: Node[] = [];
        await waitFor(
          'five Ready nodes',
          async () => {
            nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])).items as Node[];
            const ready = nodes.filter((n) =>
              n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
            );
            return ready.length === 5;
          },
          10 * 60_000,
        );
        log(
          `5 nodes Ready ${seconds(started)} s after the deploy ended (${bringUpSeconds.toFixed(0)} s for the deploy)`,
        );
        expect(nodes.map((n) => n.metadata.name).sort()).toEqual(['cp1', 'cp2', 'cp3', 'worker1', 'worker2']);
        for (const n of nodes) expect(n.status.nodeInfo.kubeletVersion).toBe(`v${VERSION}`);
        const version = JSON.parse(await kubectl(['version', '-o', 'json']));
        expect(version.serverVersion.gitVersion).toBe(`v${VERSION}`);
      },
      12 * 60_000,
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
        for (const p of pods) expect(['worker1', 'worker2']).toContain(p.spec.nodeName);

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
          JSON.stringify({ spec: { nodeName: 'worker1' } }),
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

    it('stacked etcd has three members, all healthy', async () => {
      const etcdctl = [
        'exec',
        '-n',
        'kube-system',
        'etcd-cp1',
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
      const members = JSON.parse(await kubectl([...etcdctl, 'member', 'list', '-w', 'json'])).members as {
        name: string;
        isLearner?: boolean;
      }[];
      expect(members.map((m) => m.name).sort()).toEqual(['cp1', 'cp2', 'cp3']);
      expect(members.some((m) => m.isLearner)).toBe(false);
      const health = await kubectl([...etcdctl, 'endpoint', 'health', '--cluster', '-w', 'json']);
      expect((JSON.parse(health) as { health: boolean }[]).map((h) => h.health)).toEqual([true, true, true]);
    }, 120_000);

    it(
      'the API stays reachable through the VIP when its holder loses keepalived, then its whole host',
      async () => {
        const vip = cluster.project.spec.apiEndpoint.vip!;
        /** The control plane holding the VIP (an unplugged one keeps it on its side of the cable). */
        const holder = async (unplugged?: string): Promise<string | undefined> => {
          for (const cp of ['cp1', 'cp2', 'cp3'].filter((c) => c !== unplugged)) {
            const r = await cluster.lab.exec(cp, `ip -4 -o addr show | grep -qw ${vip}`);
            if (r.code === 0) return cp;
          }
          return undefined;
        };
        /** Polls /readyz through the VIP until it answers again; returns the seconds it did not. */
        const outage = async (): Promise<number> => {
          const started = Date.now();
          let failedSince: number | undefined;
          for (;;) {
            const ok = await kubectl(['get', '--raw', '/readyz', '--request-timeout', '2s'], 5000).then(
              (out) => out.trim() === 'ok',
              () => false,
            );
            if (!ok) failedSince ??= Date.now();
            if (ok && (failedSince !== undefined || Date.now() - started > 5000)) break;
            if (Date.now() - started > 120_000)
              throw new Error('the API did not answer through the VIP for 2 minutes');
            await new Promise((r) => setTimeout(r, 250));
          }
          return failedSince === undefined ? 0 : (Date.now() - failedSince) / 1000;
        };

        const first = await holder();
        expect(first).toBeDefined();
        await cluster.lab.sh(first!, 'systemctl stop keepalived');
        const gap1 = await outage();
        const second = await holder();
        log(
          `keepalived stopped on ${first}: VIP moved to ${second}, API unanswered for ${gap1.toFixed(1)} s`,
        );
        expect(second).toBeDefined();
        expect(second).not.toBe(first);
        await cluster.lab.sh(first!, 'systemctl start keepalived');

        await cluster.lab.cablePull(second!);
        try {
          const gap2 = await outage();
          const third = await holder(second);
          log(`${second} unplugged: VIP on ${third}, API unanswered for ${gap2.toFixed(1)} s`);
          expect(third).toBeDefined();
          expect(third).not.toBe(second);
          // Two of three etcd members keep quorum: writes still succeed.
          await kubectl([
            'create',
            'configmap',
            'keelson-after-failover',
            '--from-literal',
            `at=${Date.now()}`,
          ]);
        } finally {
          await cluster.lab.cablePlug(second!);
        }
      },
      8 * 60_000,
    );
  },
);
