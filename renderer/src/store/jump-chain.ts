import type { Host } from '../../../shared/model/cluster';

/** The bastions a host is reached through, outermost first (a cycle stops the walk). */
export function jumpChain(host: Host, hosts: readonly Host[]): Host[] {
  const chain: Host[] = [];
  const seen = new Set([host.name]);
  let next = host.ssh.via;
  while (next && !seen.has(next)) {
    const bastion = hosts.find((h) => h.name === next);
    if (!bastion) break;
    seen.add(next);
    chain.unshift(bastion);
    next = bastion.ssh.via;
  }
  return chain;
}
