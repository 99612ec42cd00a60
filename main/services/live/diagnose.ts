import type { ClusterProject, Host } from '../../../shared/model/cluster';
import { checkProject } from '../../../shared/validation';
import { targetOf } from '../deploy/targets';
import type { SshEngine } from '../ssh/engine';

const TIMEOUT_MS = 10_000;

async function probe(
  ssh: SshEngine,
  project: ClusterProject,
  host: Host,
  secret: (n: string) => string | undefined,
  command: string,
): Promise<{ code: number | null; out: string } | { error: string }> {
  let out = '';
  try {
    const r = await ssh.exec(targetOf(project, host, secret), command, {
      timeoutMs: TIMEOUT_MS,
      onStdout: (c) => (out += c.toString()),
    });
    return { code: r.exitCode, out };
  } catch (e) {
    return { error: ssh.redactor.redact((e as Error).message) };
  }
}

/**
 * Why the API does not answer, from SSH: each control plane's own apiserver (on the host, not
 * through the endpoint), and which host holds the VIP. Read-only; the answer is lines for a person.
 */
export async function diagnoseEndpoint(
  project: ClusterProject,
  ssh: SshEngine,
  secret: (n: string) => string | undefined,
): Promise<string[]> {
  const design = checkProject(project).design;
  if (!design) return ['the design has errors: nothing to check'];
  const lines: string[] = [];
  const apiservers = await Promise.all(
    design.controlPlanes.map(async (h) => {
      const r = await probe(ssh, project, h, secret, 'curl -sk --max-time 3 https://localhost:6443/readyz');
      if ('error' in r) return { host: h.name, up: false, line: `${h.name}: no SSH (${r.error})` };
      const up = r.code === 0 && r.out.trim() === 'ok';
      return {
        host: h.name,
        up,
        line: up ? `apiserver on ${h.name} answers` : `apiserver on ${h.name} does not answer on :6443`,
      };
    }),
  );
  lines.push(...apiservers.map((a) => a.line));
  if (!apiservers.some((a) => a.up)) lines.unshift('every apiserver is down (or unreachable over SSH)');
  const vip = project.spec.apiEndpoint.vip;
  if (vip && design.keepalivedHosts.length) {
    const holders: string[] = [];
    await Promise.all(
      design.keepalivedHosts.map(async (h) => {
        const r = await probe(ssh, project, h, secret, 'ip -o addr show');
        if (!('error' in r) && r.out.includes(` ${vip}/`)) holders.push(h.name);
      }),
    );
    lines.unshift(
      holders.length
        ? `VIP ${vip} is on ${holders.sort().join(', ')}${holders.length > 1 ? ' (more than one: a VRRP split)' : ''}`
        : `VIP ${vip} is down: no keepalived host holds it`,
    );
  }
  return lines;
}
