/**
 * Day 2 on a real cluster Keelson deployed (keepalived + haproxy, 3 control planes with stacked
 * etcd, 2 workers): drain a worker under a PodDisruptionBudget, delete it, add it back; remove a
 * control plane (and be refused a second), add it back; remove a worker whose host was killed.
 * Every action goes through the CLI (`keelson node …`, in-process); an add is a deploy of the grown
 * design of which only the delta runs, with the offline bundle served by the CLI itself.
 * Every figure printed comes from this run.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LiveCluster } from '../../../main/services/live/live-cluster';
import type { LiveState } from '../../../shared/live/nodes';
import { runCli } from '../../../main/cli/run';
import { readJournal } from '../../../main/services/deploy/journal';
import { stateDirFor } from '../../../main/services/deploy/state-dir';
import { openLabApp } from './app-driver';
import { secretEnvName } from '../../../main/cli/prompt';
import type { ClusterProject } from '../../../shared/model/cluster';
import { parseProject, serializeProject } from '../../../shared/model/parse';
import { LAB_KEELSON_VERSION, LAB_SUDO_SECRET, type LabCluster } from './cluster';
import { DEFAULT_KUBE_VERSION } from './components';
import { KEELSON_CACHE } from './go-build';

const BUNDLE = join(KEELSON_CACHE, 'bundles', `v${DEFAULT_KUBE_VERSION}`);
const KUBE_BIN = join(KEELSON_CACHE, 'kube', `v${DEFAULT_KUBE_VERSION}`, 'bin');

export interface Day2Context {
  cluster: () => LabCluster;
  kubectl: (args: string[], timeoutMs?: number) => Promise<string>;
  waitFor: (what: string, test: () => Promise<boolean>, timeoutMs: number) => Promise<void>;
  readyz: () => Promise<boolean>;
  log: (line: string) => void;
}

const MINUTE = 60_000;

export function day2Tests(t: Day2Context): void {
  const c = () => t.cluster();
  let original: ClusterProject;
  // The canvas's live view, as main runs it: a watch through the endpoint with the kubeconfig
  // Keelson exported, against the design in the project file.
  let live: LiveCluster | undefined;
  let latest: LiveState | undefined;
  afterAll(async () => {
    await live?.stop();
  });
  async function liveUntil(
    what: string,
    test: (s: LiveState) => boolean,
    timeoutMs: number,
  ): Promise<number> {
    const started = Date.now();
    await t.waitFor(
      `the live view to show ${what}`,
      async () => latest !== undefined && test(latest),
      timeoutMs,
    );
    return (Date.now() - started) / 1000;
  }
  const liveNode = (name: string) => latest?.nodes.find((n) => n.name === name);

  /** `keelson node …` in this process, with the lab's key, known hosts, sudo password and secret store. */
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const lab = c().lab;
    const env = {
      KEELSON_HOME: c().env.KEELSON_HOME,
      KEELSON_KNOWN_HOSTS: join(lab.stateDir, 'keelson-known_hosts'),
      [secretEnvName(LAB_SUDO_SECRET)]: lab.hosts[0]!.password,
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    let out = '';
    let err = '';
    try {
      const code = await runCli(['node', ...args, '--yes', '--plain', '--known-hosts', lab.knownHostsPath], {
        out: (s) => (out += s),
        err: (s) => (err += s),
        version: LAB_KEELSON_VERSION,
      });
      t.log(`keelson node ${args.join(' ')} → exit ${code}\n${out}${err}`.split('\n').slice(-12).join('\n'));
      return { code, out, err };
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  const projectNow = (): ClusterProject => {
    const parsed = parseProject(readFileSync(c().projectFile, 'utf8'), 'project');
    if (!parsed.ok) throw new Error('the project file no longer parses');
    return parsed.project;
  };

  /**
   * Puts `name` back into the design (as it was first deployed) and runs `keelson node add`: a
   * deploy of which only the delta runs, with the offline bundle served by the CLI itself.
   */
  async function addBack(name: string): Promise<{ seconds: number; hostsTouched: string[]; steps: number }> {
    const project = projectNow();
    project.spec.hosts.push(structuredClone(original.spec.hosts.find((h) => h.name === name)!));
    writeFileSync(c().projectFile, serializeProject(project));
    const started = Date.now();
    const add = await cli(['add', c().projectFile, name, '--bundle', BUNDLE]);
    const seconds = (Date.now() - started) / 1000;
    expect(add.code, `keelson node add ${name}: ${add.err}`).toBe(0);
    // Plain progress: "HH:MM:SS HOST STEP done in Ns" for each step that ran (not "already done").
    const ran = [...add.out.matchAll(/^\d\d:\d\d:\d\d (\S+)\s+\S+ done in /gm)].map((m) => m[1]!);
    const steps = Number(/: (\d+) steps on \d+ hosts/.exec(add.out)?.[1] ?? NaN);
    return { seconds, hostsTouched: [...new Set(ran)].sort(), steps };
  }

  type Pod = { metadata: { name: string }; spec: { nodeName?: string }; status: { phase: string } };
  const nodeNames = async () =>
    (JSON.parse(await t.kubectl(['get', 'nodes', '-o', 'json'])).items as { metadata: { name: string } }[])
      .map((n) => n.metadata.name)
      .sort();
  const allReady = async (count: number) => {
    const nodes = JSON.parse(await t.kubectl(['get', 'nodes', '-o', 'json'])).items as {
      status: { conditions: { type: string; status: string }[] };
    }[];
    return (
      nodes.length === count &&
      nodes.every((n) => n.status.conditions.some((x) => x.type === 'Ready' && x.status === 'True'))
    );
  };
  const etcdMembers = async (via: string): Promise<string[]> => {
    const out = await t.kubectl([
      '-n',
      'kube-system',
      'exec',
      `etcd-${via}`,
      '--',
      'etcdctl',
      '--endpoints=https://127.0.0.1:2379',
      '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
      '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt',
      '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key',
      'member',
      'list',
      '-w',
      'simple',
    ]);
    return out
      .trim()
      .split('\n')
      .map((l) => l.split(', ')[2]!)
      .sort();
  };

  it(
    'drain a worker under a PodDisruptionBudget: the pods move, the budget holds, the report counts',
    async () => {
      original = structuredClone(c().project);
      await t.waitFor('all 5 nodes Ready after the failover tests', () => allReady(5), 5 * MINUTE);
      live = new LiveCluster({
        kubeconfig: readFileSync(c().kubeconfig, 'utf8'),
        design: () => {
          const hosts = projectNow().spec.hosts.map((h) => h.name);
          return { nodes: hosts, deployed: hosts };
        },
        onState: (s) => (latest = s),
      });
      await live.start();
      await liveUntil(
        '5 Ready nodes at v1.37',
        (s) => s.nodes.length === 5 && s.nodes.every((n) => n.ready === 'True'),
        MINUTE,
      );
      expect(liveNode('cp1')!.roles).toEqual(['control-plane']);
      expect(liveNode('cp1')!.kubeletVersion).toMatch(/^v1\.37\./);
      expect(liveNode('cp1')!.pods).toBeGreaterThan(3);
      expect(latest!.notInDesign).toEqual([]);
      await t.kubectl([
        'create',
        'deployment',
        'day2-web',
        '--image',
        'registry.k8s.io/pause:3.10.2',
        '--replicas',
        '2',
      ]);
      await t.kubectl([
        'create',
        'poddisruptionbudget',
        'day2-web',
        '--selector',
        'app=day2-web',
        '--min-available',
        '1',
      ]);
      await t.kubectl(['rollout', 'status', 'deployment/day2-web', '--timeout', '300s'], 320_000);
      // Spread the two pods over both workers, so draining one has something to move.
      const pods = () =>
        t
          .kubectl(['get', 'pods', '-l', 'app=day2-web', '-o', 'json'])
          .then((o) => JSON.parse(o).items as Pod[]);
      await t.waitFor(
        'one day2-web pod on each worker',
        async () => {
          const on = (await pods()).map((p) => p.spec.nodeName);
          if (on.includes('worker1') && on.includes('worker2')) return true;
          const crowded = (await pods()).find((p) => p.spec.nodeName === on[0]);
          if (on[0] === on[1] && crowded) {
            await t.kubectl(['cordon', on[0]!]);
            await t.kubectl(['delete', 'pod', crowded.metadata.name, '--wait=false']);
            await new Promise((r) => setTimeout(r, 5000));
            await t.kubectl(['uncordon', on[0]!]);
          }
          return false;
        },
        3 * MINUTE,
      );
      // The budget, watched while the drain runs: never fewer than 1 available.
      let minAvailable = 2;
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const n = Number(
            (await t
              .kubectl(['get', 'deployment', 'day2-web', '-o', 'jsonpath={.status.availableReplicas}'])
              .catch(() => '2')) || 0,
          );
          minAvailable = Math.min(minAvailable, n);
          await new Promise((r) => setTimeout(r, 300));
        }
      })();
      const started = Date.now();
      const drain = await cli(['drain', c().projectFile, 'worker2']);
      watching = false;
      await watcher;
      expect(drain.code, drain.err).toBe(0);
      const report =
        /drain report for worker2: (\d+) pods evicted, (\d+) DaemonSet pods left in place, 0 pods still to move/.exec(
          drain.out,
        );
      expect(report, drain.out).not.toBeNull();
      expect(Number(report![1])).toBeGreaterThanOrEqual(1);
      t.log(`drain report: ${report![0]}`);
      t.log(
        `drain of worker2: ${((Date.now() - started) / 1000).toFixed(1)} s; fewest day2-web pods available meanwhile: ${minAvailable}`,
      );
      expect(minAvailable).toBeGreaterThanOrEqual(1);
      expect(
        await liveUntil('worker2 cordoned', () => liveNode('worker2')?.cordoned === true, 30_000),
      ).toBeLessThan(30);
      await t.kubectl(['rollout', 'status', 'deployment/day2-web', '--timeout', '120s'], 130_000);
      const after = await pods();
      expect(after.filter((p) => p.status.phase === 'Running').map((p) => p.spec.nodeName)).toEqual([
        'worker1',
        'worker1',
      ]);
    },
    15 * MINUTE,
  );

  it(
    'delete the drained worker: reset on it, the Node gone, the project without it',
    async () => {
      const del = await cli(['delete', c().projectFile, 'worker2']);
      expect(del.code, del.err).toBe(0);
      expect(await nodeNames()).toEqual(['cp1', 'cp2', 'cp3', 'worker1']);
      expect(projectNow().spec.hosts.map((h) => h.name)).not.toContain('worker2');
      await liveUntil('worker2 gone', (s) => !s.nodes.some((n) => n.name === 'worker2'), 30_000);
      const state = await c().lab.exec(
        'worker2',
        'test -e /etc/kubernetes/kubelet.conf; echo conf=$?; systemctl is-active kubelet; ls /etc/cni/net.d 2>&1 | head -1',
      );
      expect(state.stdout).toMatch(/conf=1/);
      expect(state.stdout).toMatch(/inactive/);
    },
    10 * MINUTE,
  );

  it(
    'add the worker back in the app — dragged onto the deployed cluster, Deploy pressed: only its steps run, it becomes Ready',
    async () => {
      const lab = c().lab;
      const host = lab.host('worker2');
      const home = mkdtempSync(join(tmpdir(), 'keelson-day2-app-'));
      const knownHosts = join(home, 'known_hosts');
      copyFileSync(lab.knownHostsPath, knownHosts);
      const app = await openLabApp({
        KEELSON_HOME: c().env.KEELSON_HOME!,
        KEELSON_BUNDLE: BUNDLE,
        KEELSON_KNOWN_HOSTS: knownHosts,
        HOME: home,
        PATH: `${KUBE_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      });
      const page = app.page;
      const started = Date.now();
      try {
        await page
          .getByTestId('start-screen')
          .getByTestId('cluster-keepalived-haproxy')
          .getByRole('button')
          .first()
          .click();
        await page.getByTestId('node-cp1').waitFor();
        // worker2 left the design with its delete; the palette's next worker takes its place.
        await page.dragAndDrop('[data-testid="palette-worker"]', '[data-testid="canvas"]', {
          targetPosition: { x: 700, y: 620 },
        });
        // The design has worker1 only now, so the dropped worker is named worker2.
        await page.getByTestId('node-worker2').click();
        const props = page.getByTestId('host-properties');
        const field = (label: string) => props.getByLabel(label, { exact: true });
        await field('Address').fill(host.address);
        await field('SSH port').fill(String(host.sshPort));
        await field('SSH user').fill(host.user);
        // A select's accessible name includes its chosen option ("Authentication SSH agent").
        await props.getByLabel('Authentication').selectOption({ label: 'Key file' });
        await field('Key file').fill(lab.keyPath);
        await field('Sudo password secret name').fill(LAB_SUDO_SECRET);
        await t.waitFor(
          'the design with worker2 saved',
          async () => projectNow().spec.hosts.some((h) => h.name === 'worker2' && h.address === host.address),
          30_000,
        );
        const deploy = page.getByTestId('deploy-button');
        await t.waitFor('Deploy enabled', () => deploy.isEnabled(), 60_000);
        await deploy.click();
        await page.getByTestId('deploy-secrets').getByTestId(`secret-${LAB_SUDO_SECRET}`).fill(host.password);
        await page.getByTestId('secrets-submit').click();
        await t.waitFor(
          'the run to succeed in the Deploy panel',
          async () => {
            const state = await page.getByTestId('deploy-state').getAttribute('data-state');
            if (state === 'failed' || state === 'cancelled') throw new Error(`the run ended ${state}`);
            return state === 'succeeded';
          },
          15 * MINUTE,
        );
        // The live view on the canvas says so, from the API.
        await t.waitFor(
          'worker2 Ready on the canvas',
          async () => /^Ready/.test((await page.getByTestId('node-deploy-worker2').textContent()) ?? ''),
          3 * MINUTE,
        );
        t.log(
          `worker2 Ready on the canvas ${((Date.now() - started) / 1000).toFixed(0)} s after the app opened`,
        );
        // The local shell of the same app: KUBECONFIG is the kubeconfig the deploy exported, and
        // kubectl (the one built for the lab, on the server's PATH as a user's would be) lists the
        // cluster, worker2 included.
        await page.getByTestId('tab-terminals').click();
        await page.getByTestId('new-terminal').click();
        await page.getByTestId('new-terminal-local').click();
        const view = page.getByTestId('terminal-view');
        await view.locator('.xterm-screen').click();
        await page.keyboard.type('kubectl get nodes');
        await page.keyboard.press('Enter');
        await t.waitFor(
          'the local shell to list worker2 Ready',
          async () =>
            (await view.locator('.xterm-rows > div').allTextContents()).some((row) =>
              /^worker2\s+Ready\s/.test(row.replace(/\u00a0/g, ' ')),
            ),
          MINUTE,
        );
        t.log('the app’s local shell: `kubectl get nodes` lists worker2 Ready');
      } finally {
        await app.close();
      }
      const seconds = (Date.now() - started) / 1000;
      const runs = join(stateDirFor(c().projectFile), 'runs');
      const latest = readdirSync(runs).sort().at(-1)!;
      const journal = await readJournal(join(runs, latest, 'journal.jsonl'));
      const ran = [...journal.steps.values()].filter((r) => r.status === 'done');
      const touched = [...new Set(ran.map((r) => r.host))].sort();
      t.log(
        `worker2 added back from the app in ${seconds.toFixed(0)} s (drag, properties, Deploy): ${journal.header.steps} steps, hosts that ran a step: ${touched.join(', ')}`,
      );
      expect(touched).toEqual(['cp1', 'worker2']);
      await t.waitFor('5 Ready nodes', () => allReady(5), 5 * MINUTE);
    },
    25 * MINUTE,
  );

  it(
    'remove one of three control planes: 2 etcd members, no load balancer lists it, the VIP keeps answering',
    async () => {
      const cp3 = original.spec.hosts.find((h) => h.name === 'cp3')!.address;
      let failures = 0;
      let probes = 0;
      let probing = true;
      const prober = (async () => {
        while (probing) {
          probes++;
          if (!(await t.readyz().catch(() => false))) failures++;
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      const started = Date.now();
      const del = await cli(['delete', c().projectFile, 'cp3']);
      probing = false;
      await prober;
      expect(del.code, del.err).toBe(0);
      expect(del.out).toMatch(/warning: etcd will have 2 members/);
      t.log(
        `cp3 removed in ${((Date.now() - started) / 1000).toFixed(0)} s; /readyz through the VIP failed ${failures} of ${probes} probes meanwhile`,
      );
      expect(await etcdMembers('cp1')).toEqual(['cp1', 'cp2']);
      expect(await nodeNames()).toEqual(['cp1', 'cp2', 'worker1', 'worker2']);
      for (const h of ['cp1', 'cp2']) {
        const files = await c().lab.sh(h, 'cat /etc/haproxy/haproxy.cfg /etc/keepalived/keepalived.conf');
        expect(files).not.toContain(cp3);
      }
      expect(
        await c()
          .lab.exec('cp3', 'systemctl is-active keepalived haproxy kubelet')
          .then((r) => r.stdout),
      ).not.toMatch(/^active/m);
      expect(await t.readyz()).toBe(true);
    },
    15 * MINUTE,
  );

  it('removing another control plane of the two left is refused with the quorum reason', async () => {
    const del = await cli(['delete', c().projectFile, 'cp2']);
    expect(del.code).toBe(1);
    expect(del.err).toMatch(
      /refused: etcd has 2 members: removing one needs both to agree \(quorum of 2 is 2\)/,
    );
    expect(await etcdMembers('cp1')).toEqual(['cp1', 'cp2']);
  });

  it(
    'add the control plane back: 3 etcd members, every load balancer lists it again',
    async () => {
      const r = await addBack('cp3');
      t.log(
        `cp3 added back in ${r.seconds.toFixed(0)} s: ${r.steps} steps, hosts that ran a step: ${r.hostsTouched.join(', ')}`,
      );
      expect(await etcdMembers('cp1')).toEqual(['cp1', 'cp2', 'cp3']);
      const cp3 = original.spec.hosts.find((h) => h.name === 'cp3')!.address;
      for (const h of ['cp1', 'cp2', 'cp3'])
        expect(await c().lab.sh(h, 'cat /etc/haproxy/haproxy.cfg')).toContain(`${cp3}:6443`);
      await t.waitFor('5 Ready nodes', () => allReady(5), 5 * MINUTE);
    },
    25 * MINUTE,
  );

  it(
    'a dead worker (its host killed) is removed without touching it, and the cluster is healthy',
    async () => {
      const pid = c().lab.host('worker1').pid;
      process.kill(pid, 'SIGKILL');
      t.log(`worker1's host killed (PID 1 ${pid} of its container)`);
      const seen = await liveUntil(
        'worker1 not Ready',
        () => liveNode('worker1')?.ready !== 'True',
        3 * MINUTE,
      );
      t.log(
        `live view: worker1 ${liveNode('worker1')?.ready} (${liveNode('worker1')?.reason ?? 'no reason'}) ${seen.toFixed(0)} s after the kill`,
      );
      await t.waitFor(
        'worker1 NotReady',
        async () =>
          (
            await t.kubectl([
              'get',
              'node',
              'worker1',
              '-o',
              'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
            ])
          ).trim() !== 'True',
        3 * MINUTE,
      );
      const del = await cli(['delete', c().projectFile, 'worker1', '--dead']);
      expect(del.code, del.err).toBe(0);
      expect(del.out).toMatch(/worker1 is gone: nothing runs on it/);
      expect(await nodeNames()).toEqual(['cp1', 'cp2', 'cp3', 'worker2']);
      await t.waitFor('4 Ready nodes', () => allReady(4), 3 * MINUTE);
      await t.kubectl(['rollout', 'status', 'deployment/day2-web', '--timeout', '300s'], 320_000);
      expect(await etcdMembers('cp1')).toEqual(['cp1', 'cp2', 'cp3']);
    },
    15 * MINUTE,
  );
}
