import type { ClusterProject, Host } from '../../../shared/model/cluster';
import type { SshAuthMethod, SshTarget } from '../ssh/types';

/** Secret names a host's SSH settings refer to (password, key passphrase, sudo password), via hops included. */
export function sshSecretNames(project: ClusterProject, hostNames?: readonly string[]): string[] {
  const names = new Set<string>();
  const visit = (h: Host, seen: Set<string>) => {
    if (seen.has(h.name)) return;
    seen.add(h.name);
    if (h.ssh.auth.type === 'password') names.add(h.ssh.auth.passwordRef);
    if (h.ssh.auth.type === 'key' && h.ssh.auth.passphraseRef) names.add(h.ssh.auth.passphraseRef);
    if (h.ssh.sudoPasswordRef) names.add(h.ssh.sudoPasswordRef);
    const via = h.ssh.via && project.spec.hosts.find((x) => x.name === h.ssh.via);
    if (via) visit(via, seen);
  };
  for (const h of project.spec.hosts) {
    if (!hostNames || hostNames.includes(h.name)) visit(h, new Set());
  }
  return [...names].sort();
}

/**
 * The SSH engine's target for a project host: its settings with secret names replaced by values
 * (resolved in main only), and its bastion chain, outermost first. A bastion cycle is refused by
 * validation; it is cut here too so nothing loops.
 */
export function targetOf(
  project: ClusterProject,
  host: Host,
  secret: (name: string) => string | undefined,
  seen: Set<string> = new Set(),
): SshTarget {
  const value = (name: string) => {
    const v = secret(name);
    if (v === undefined) throw new Error(`secret "${name}" (SSH settings of ${host.name}) is not set`);
    return v;
  };
  let auth: SshAuthMethod;
  switch (host.ssh.auth.type) {
    case 'key':
      auth = {
        type: 'key',
        keyFile: host.ssh.auth.keyFile,
        ...(host.ssh.auth.passphraseRef ? { passphrase: value(host.ssh.auth.passphraseRef) } : {}),
      };
      break;
    case 'agent':
      auth = { type: 'agent' };
      break;
    case 'password':
      auth = { type: 'password', password: value(host.ssh.auth.passwordRef) };
      break;
  }
  seen.add(host.name);
  const bastion = host.ssh.via ? project.spec.hosts.find((h) => h.name === host.ssh.via) : undefined;
  // No bastion in the design: ~/.ssh/config's ProxyJump still applies (via left unset).
  let via: SshTarget[] | undefined;
  if (bastion && !seen.has(bastion.name)) {
    const { via: outer, ...b } = targetOf(project, bastion, secret, seen);
    via = [...(outer ?? []), b];
  }
  return {
    host: host.address,
    port: host.ssh.port,
    user: host.ssh.user,
    auth,
    ...(via ? { via } : {}),
    ...(host.ssh.sudoPasswordRef ? { sudoPassword: value(host.ssh.sudoPasswordRef) } : {}),
  };
}
