import { designFlows } from '../../../shared/check/flows';
import {
  assembleReport,
  clockResults,
  reachResults,
  uniquenessResults,
  type CheckReport,
  type HostCheckResult,
} from '../../../shared/check/report';
import type { ClusterProject } from '../../../shared/model/cluster';
import type { Plan } from '../../../shared/plan/types';
import { checkProject } from '../../../shared/validation';
import { HostSession } from '../deploy/remote';
import { deployPlan } from '../deploy/service';
import { targetOf } from '../deploy/targets';
import type { SshEngine } from '../ssh/engine';
import { checkHost, type HostFacts } from './hosts';
import { checkVip, testReachability, type ReachHost, type VipResult } from './reach';

export interface CheckRequest {
  project: ClusterProject;
  ssh: SshEngine;
  keelsonVersion: string;
  /** Secret values by name (SSH passwords, passphrases, sudo passwords); a missing one fails that host only. */
  secret: (name: string) => string | undefined;
  /** Test all-pairs reachability and the VIP (default true). */
  reach?: boolean;
  signal?: AbortSignal;
}

/**
 * `keelson check` / Check hosts: every host of the plan at once, read-only — SSH through its
 * route, sudo, the plan's own preflight step (through the deploy engine's wrapper), clocks,
 * identities compared across hosts, then the design's traffic between every pair and the VIP.
 * Changes nothing on the hosts but short-lived files under /run/keelson, removed at the end.
 */
export async function checkHosts(r: CheckRequest): Promise<CheckReport> {
  const startedAt = Date.now();
  const plan: Plan = deployPlan(r.project, { keelsonVersion: r.keelsonVersion });
  const { design } = checkProject(r.project);
  const signal = r.signal ?? new AbortController().signal;
  const preflight = plan.phases.find((p) => p.id === 'preflight')?.steps ?? [];
  const routes = new Map(plan.hosts.map((h) => [h.name, h.route]));
  const sessions = new Map<string, HostSession>();
  const facts = await Promise.all(
    preflight.map(async (step): Promise<HostFacts> => {
      const host = r.project.spec.hosts.find((h) => h.name === step.host)!;
      try {
        const session = new HostSession(r.ssh, targetOf(r.project, host, r.secret), host.name);
        sessions.set(host.name, session);
        return await checkHost(session, step, routes.get(host.name) ?? [], signal);
      } catch (e) {
        return {
          host: host.name,
          identity: [],
          usable: false,
          results: [
            {
              host: host.name,
              check: 'ssh',
              status: 'red',
              detail: r.ssh.redactor.redact((e as Error).message),
              fix: 'enter the secret this host’s SSH settings name',
            },
          ],
        };
      }
    }),
  );
  const hosts = preflight.map((s) => s.host);
  const results: HostCheckResult[] = facts.flatMap((f) => f.results);
  results.push(
    ...uniquenessResults(facts.flatMap((f) => f.identity.map((i) => ({ host: f.host, ...i })))),
    ...clockResults(facts.flatMap((f) => (f.clock ? [f.clock] : []))),
  );
  let reach: CheckReport['reach'] = null;
  if (design && r.reach !== false) {
    const usable: ReachHost[] = facts
      .filter((f) => f.usable)
      .map((f) => ({
        name: f.host,
        address: r.project.spec.hosts.find((h) => h.name === f.host)!.address,
        session: sessions.get(f.host)!,
      }));
    const flows = await testReachability(designFlows(design), usable);
    results.push(...reachResults(hosts, flows));
    let vip: VipResult | null = null;
    const address = r.project.spec.apiEndpoint.vip;
    if (address && (design.keepalivedHosts.length || r.project.spec.apiEndpoint.pattern === 'kube-vip')) {
      const carriers = design.keepalivedHosts.length ? design.keepalivedHosts : design.controlPlanes;
      const askers = usable.filter((u) => carriers.some((c) => c.name === u.name));
      const macs = new Map(
        facts.flatMap((f) =>
          f.identity.filter((i) => i.key === 'mac').map((i) => [i.value.toLowerCase(), f.host] as const),
        ),
      );
      vip = askers.length
        ? await checkVip(address, design.endpoint.port, askers, macs, new Set(carriers.map((c) => c.name)))
        : {
            address,
            status: 'amber',
            detail: 'not tested: none of the hosts that will carry the VIP could be reached',
          };
    }
    reach = { flows, vip };
  }
  return assembleReport({
    cluster: r.project.metadata.name,
    startedAt,
    durationMs: Date.now() - startedAt,
    hosts,
    results,
    clock: facts.flatMap((f) => (f.clock ? [f.clock] : [])),
    reach,
  });
}
