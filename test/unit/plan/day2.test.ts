// Day-2 plans: the quorum guard, what a removal runs where, and the delta a deploy of a grown
// design runs on a deployed cluster. Pure generators; the lab's real cluster runs them for real.
import { describe, expect, test } from 'vitest';
import { deltaPlan, stepContent } from '../../../shared/deploy/delta';
import type { ClusterProject } from '../../../shared/model/cluster';
import { generatePlan } from '../../../shared/plan/generate';
import { nodeOperationPlan, OperationRefused } from '../../../shared/plan/day2/operations';
import { etcdRemovalVerdict } from '../../../shared/plan/day2/quorum';
import type { Plan, PlanStep } from '../../../shared/plan/types';
import { project } from './fixtures';

const opts = { keelsonVersion: 't' };
const stepsOf = (plan: Plan): PlanStep[] => plan.phases.flatMap((p) => p.steps);
const fileOn = (plan: Plan, host: string, path: string) =>
  stepsOf(plan)
    .filter((s) => s.host === host)
    .flatMap((s) => s.files)
    .find((f) => f.path === path)?.content;

describe('the etcd quorum guard', () => {
  test('3 → 2 runs with a warning that 2 members tolerate no failure; 2 → 1 and 1 → 0 are refused', () => {
    expect(etcdRemovalVerdict(4)).toEqual({});
    expect(etcdRemovalVerdict(5).warning).toMatch(/4 members, which tolerate 1 failure/);
    expect(etcdRemovalVerdict(3).refused).toBeUndefined();
    expect(etcdRemovalVerdict(3).warning).toMatch(/2 members, which tolerate 0 failures/);
    expect(etcdRemovalVerdict(2).refused).toMatch(/quorum of 2 is 2/);
    expect(etcdRemovalVerdict(1).refused).toMatch(/only etcd member/);
  });

  test('unhealthy members count: removing a healthy one of 3 with one down is refused, the dead one may go', () => {
    expect(etcdRemovalVerdict(3, 2, true).refused).toMatch(/1 of 2 members would be healthy/);
    expect(etcdRemovalVerdict(3, 2, false).refused).toBeUndefined();
    expect(etcdRemovalVerdict(5, 2).refused).toMatch(/only 2 of 5 .* needs 3/);
  });
});

describe('removing a control plane (keepalived + haproxy, stacked etcd)', () => {
  const design = project({ pattern: 'keepalived-haproxy', version: '1.37' });
  const { plan, after, warnings } = nodeOperationPlan(design, { action: 'delete', node: 'cp3' }, opts);

  test('runs in order: quorum check, drain, load balancers, removal, record, verify', () => {
    expect(plan.phases.map((p) => p.id)).toEqual([
      'quorum-check',
      'drain',
      'load-balancer-update',
      'remove-node',
      'post-install',
      'verify',
    ]);
    expect(warnings.join(' ')).toMatch(/etcd will have 2 members/);
    const removal = plan.phases.find((p) => p.id === 'remove-node')!.steps.map((s) => `${s.id}@${s.host}`);
    // keepalived goes first so the VIP leaves the node before kubeadm reset takes its apiserver away.
    expect(removal).toEqual([
      'remove-node/stop-endpoint/cp3@cp3',
      'remove-node/reset/cp3@cp3',
      'remove-node/etcd-member/cp3@cp1',
      'remove-node/delete-node/cp3@cp1',
    ]);
  });

  test('the remaining load balancers no longer list it, keepalived peers and priorities are re-spread', () => {
    const cp3 = design.spec.hosts.find((h) => h.name === 'cp3')!.address;
    for (const host of ['cp1', 'cp2']) {
      const haproxy = fileOn(plan, host, '/etc/haproxy/haproxy.cfg')!;
      expect(haproxy).toContain('10.77.0.11:6443');
      expect(haproxy).not.toContain(`${cp3}:6443`);
      expect(fileOn(plan, host, '/etc/keepalived/keepalived.conf')).not.toContain(cp3);
    }
    expect(stepsOf(plan).some((s) => s.phase === 'load-balancer-update' && s.host === 'cp3')).toBe(false);
    // The same config a fresh deploy of the design without cp3 would write, byte for byte.
    const fresh = generatePlan(after, opts);
    expect(fileOn(plan, 'cp2', '/etc/haproxy/haproxy.cfg')).toBe(
      fileOn(fresh, 'cp2', '/etc/haproxy/haproxy.cfg'),
    );
    expect(fileOn(plan, 'cp2', '/etc/keepalived/keepalived.conf')).toBe(
      fileOn(fresh, 'cp2', '/etc/keepalived/keepalived.conf'),
    );
    // Reloaded, not restarted: open connections through the VIP survive.
    const reload = stepsOf(plan).find((s) => s.id === 'load-balancer-update/haproxy/cp1')!;
    expect(reload.script).toContain('systemctl reload haproxy');
    expect(reload.script).not.toMatch(/apt-get|restart haproxy\n(?!fi)/);
  });

  test('the design after it has no cp3, and removing another of the 2 left is refused for quorum', () => {
    expect(after.spec.hosts.map((h) => h.name)).toEqual(['cp1', 'cp2', 'w1', 'w2']);
    let refused: unknown;
    try {
      nodeOperationPlan(after, { action: 'delete', node: 'cp2' }, opts);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(OperationRefused);
    expect((refused as OperationRefused).kind).toBe('quorum');
    expect((refused as Error).message).toMatch(/removing cp2 is refused: etcd has 2 members/);
  });

  test('a dead control plane: nothing runs on it, its member goes through a healthy one', () => {
    const dead = nodeOperationPlan(design, { action: 'delete', node: 'cp1', dead: true }, opts).plan;
    expect(stepsOf(dead).some((s) => s.host === 'cp1')).toBe(false);
    expect(stepsOf(dead).map((s) => s.id)).toContain('remove-node/etcd-member/cp1');
    expect(stepsOf(dead).find((s) => s.id === 'remove-node/etcd-member/cp1')!.host).toBe('cp2');
    expect(stepsOf(dead).some((s) => s.phase === 'drain')).toBe(false);
    // Its pods (and the mirror pods of its static pods) go with the Node, not after the pod GC's grace:
    // the verify phase counts running apiservers and etcd pods right after.
    const del = stepsOf(dead).find((s) => s.id === 'remove-node/delete-node/cp1')!;
    expect(del.script).toContain(
      "delete pods -A --field-selector 'spec.nodeName=cp1' --force --grace-period=0",
    );
    expect(del.check).toContain('NotFound');
  });
});

describe('removing a worker', () => {
  test('node-local: its own proxy stops, no other host changes; the kubectl steps run on a control plane', () => {
    const design = project({ pattern: 'node-local', version: '1.37' });
    const { plan, warnings } = nodeOperationPlan(design, { action: 'delete', node: 'w2' }, opts);
    expect(warnings).toEqual([]);
    expect(plan.phases.map((p) => p.id)).toEqual(['drain', 'remove-node', 'post-install', 'verify']);
    expect(
      stepsOf(plan)
        .filter((s) => s.host === 'w2')
        .map((s) => s.id),
    ).toEqual(['remove-node/stop-endpoint/w2', 'remove-node/reset/w2']);
    expect(stepsOf(plan).find((s) => s.id === 'drain/w2')!.host).toBe('cp1');
  });

  test('the drain honours budgets and asks before deleting emptyDir data', () => {
    const design = project({ pattern: 'keepalived-haproxy', version: '1.37' });
    const plain = stepsOf(nodeOperationPlan(design, { action: 'drain', node: 'w1' }, opts).plan)[0]!;
    expect(plain.script).toContain('drain "$node" --ignore-daemonsets --timeout=300s');
    expect(plain.script).not.toContain('--delete-emptydir-data');
    expect(plain.script).not.toMatch(/--force|--disable-eviction/);
    const confirmed = stepsOf(
      nodeOperationPlan(
        design,
        { action: 'drain', node: 'w1', deleteEmptyDirData: true, timeoutSeconds: 60 },
        opts,
      ).plan,
    )[0]!;
    expect(confirmed.script).toContain('--ignore-daemonsets --delete-emptydir-data --timeout=60s');
  });

  test('load balancer, etcd and bastion hosts are not node operations', () => {
    const design = project({ pattern: 'dedicated-lb', version: '1.37' });
    expect(() => nodeOperationPlan(design, { action: 'delete', node: 'lb1' }, opts)).toThrow(
      /not a Kubernetes node/,
    );
    expect(() => nodeOperationPlan(design, { action: 'drain', node: 'nope' }, opts)).toThrow(
      /no host "nope"/,
    );
  });
});

describe('adding a node to a deployed cluster runs only the delta', () => {
  const grow = (p: ClusterProject, name: string, address: string, role: 'worker' | 'control-plane') => {
    const next = structuredClone(p);
    next.spec.hosts.push({
      ...structuredClone(next.spec.hosts.find((h) => h.roles.includes(role))!),
      name,
      address,
    });
    return next;
  };
  const design = project({ pattern: 'keepalived-haproxy', version: '1.37', unicast: true });
  const deployed = generatePlan(design, opts);
  const applied = new Map(stepsOf(deployed).map((s) => [s.id, stepContent(s)]));
  const isApplied = (s: PlanStep) => applied.get(s.id) === stepContent(s);

  test('a worker: its own steps, a fresh token and CA hash, the record and the cluster check — nothing else', () => {
    const delta = deltaPlan(generatePlan(grow(design, 'w3', '10.77.0.23', 'worker'), opts), isApplied);
    const elsewhere = stepsOf(delta.plan)
      .filter((s) => s.host !== 'w3')
      .map((s) => s.id)
      .sort();
    expect(elsewhere).toEqual([
      'control-plane-init/ca-cert-hash/cp1',
      'control-plane-init/credentials/cp1',
      'post-install/topology/cp1',
      'verify/cluster/cp1',
    ]);
    expect(delta.rerunForOutputs.sort()).toEqual([
      'control-plane-init/ca-cert-hash/cp1',
      'control-plane-init/credentials/cp1',
    ]);
    const join = stepsOf(delta.plan).find((s) => s.id === 'worker-join/kubeadm-join/w3')!;
    // What it waited for in a fresh deploy is applied; only what runs now is waited for.
    for (const d of join.dependsOn) expect(stepsOf(delta.plan).map((s) => s.id)).toContain(d);
  });

  test('a control plane: every load balancer gets the new upstream list, a certificate key is uploaded for it', () => {
    const delta = deltaPlan(
      generatePlan(grow(design, 'cp4', '10.77.0.14', 'control-plane'), opts),
      isApplied,
    );
    const ids = stepsOf(delta.plan).map((s) => s.id);
    for (const cp of ['cp1', 'cp2', 'cp3']) {
      expect(ids).toContain(`load-balancer/haproxy/${cp}`);
      expect(ids).toContain(`load-balancer/keepalived/${cp}`);
    }
    expect(ids).toContain('control-plane-join/upload-certs/cp4');
    expect(ids).toContain('control-plane-join/kubeadm-join/cp4');
    expect(ids).not.toContain('control-plane-join/kubeadm-join/cp2');
    // The join uses the token and CA hash: it waits for both, although the steps that linked them
    // in a fresh deploy (init, CNI, the other joins) are left out. A lab run showed the join start
    // before them when only direct dependencies were kept.
    const join = stepsOf(delta.plan).find((s) => s.id === 'control-plane-join/kubeadm-join/cp4')!;
    expect(join.dependsOn).toEqual(
      expect.arrayContaining(['control-plane-init/credentials/cp1', 'control-plane-init/ca-cert-hash/cp1']),
    );
    const upload = stepsOf(delta.plan).find((s) => s.id === 'control-plane-join/upload-certs/cp4')!;
    expect(upload.dependsOn).toContain('control-plane-init/kubeadm-init/cp1');
    // Its config lists cp4 in certSANs now, so it is "not applied as it is" — but its check (a
    // working admin.conf) finds the cluster there and it does not run again.
    const init = stepsOf(delta.plan).find((s) => s.id === 'control-plane-init/kubeadm-init/cp1');
    if (init) expect(init.check).toContain('/etc/kubernetes/admin.conf');
  });

  test('an unchanged design runs nothing', () => {
    expect(deltaPlan(deployed, isApplied).plan.phases).toEqual([]);
  });
});
