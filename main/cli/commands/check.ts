import { parseArgs } from 'node:util';
import { checkHosts } from '../../services/check/service';
import { NotDeployableError } from '../../services/deploy/service';
import { sshSecretNames } from '../../services/deploy/targets';
import { SshEngine } from '../../services/ssh/engine';
import { reportText } from '../check-text';
import type { CliCommand } from '../command';
import { projectOrSay } from '../project-file';
import { ask, secretEnvName } from '../prompt';

const USAGE = `Usage: keelson check FILE [--known-hosts FILE]… [--no-reach] [--json]

Checks every host of a NAME.keelson.yaml project before a deploy, all at once and read-only:
SSH through each host's route, sudo, the plan's own preflight checks (OS and release,
architecture, CPUs and memory, cgroup v2, swap, kernel features, free ports, leftovers of a
container runtime or Kubernetes, disk space, time sync), the clock offset between hosts, unique
hostname / machine-id / product_uuid / MAC, then every flow of the design's traffic between the
hosts (short-lived listeners on the targets, probes from the sources: API endpoint, etcd,
apiserver, kubelet, the CNI's overlay, VRRP) and that nothing answers on the VIP yet.

Prints a hosts × checks table (ok / WARN / FAIL), each problem with its fix, and the blocked
pairs as a matrix. Secrets the hosts' SSH settings name are read from KEELSON_SECRET_<NAME> or
asked for on a terminal; a host whose secret is missing is reported, not skipped silently.

Options:
  --known-hosts FILE   also trust the host keys in this known_hosts file (repeatable)
  --no-reach           skip the reachability test (hosts only)
  --json               print the report as JSON
  -h, --help

Exit status: 0 nothing red (warnings allowed), 1 something red (or the design cannot be
planned), 2 usage.
`;

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check every host before a deploy: preflight, clocks, identities, all-pairs reachability, VIP',
  usage: USAGE,
  async run(args, io) {
    let values: { 'known-hosts'?: string[]; 'no-reach'?: boolean; json?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          'known-hosts': { type: 'string', multiple: true },
          'no-reach': { type: 'boolean' },
          json: { type: 'boolean' },
        },
      }));
    } catch (error) {
      io.err(`keelson check: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (positionals.length !== 1) {
      io.err(`keelson check: expected one project FILE\n\n${USAGE}`);
      return 2;
    }
    const file = positionals[0]!;
    const project = await projectOrSay(file, io, 'keelson check');
    if (!project) return 1;
    const entered: Record<string, string> = {};
    for (const name of sshSecretNames(project)) {
      const fromEnv = process.env[secretEnvName(name)];
      if (fromEnv) entered[name] = fromEnv;
      else if (process.stdin.isTTY) {
        const v = await ask(`secret "${name}" (not echoed; empty: leave it out): `, true);
        if (v) entered[name] = v;
      }
    }
    const ssh = new SshEngine({
      knownHostsFile: process.env.KEELSON_KNOWN_HOSTS || undefined,
      readOnlyKnownHosts: ['~/.ssh/known_hosts', ...(values['known-hosts'] ?? [])],
    });
    for (const v of Object.values(entered)) ssh.redactor.register(v);
    try {
      const report = await checkHosts({
        project,
        ssh,
        keelsonVersion: io.version,
        secret: (n) => entered[n],
        reach: !values['no-reach'],
      });
      io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
      return report.verdict === 'red' ? 1 : 0;
    } catch (e) {
      if (!(e instanceof NotDeployableError)) throw e;
      io.err(`keelson check: ${file}: ${e.message}\n`);
      for (const f of e.errors) io.err(`  error ${f.code}: ${f.message}\n`);
      return 1;
    } finally {
      ssh.closeAll();
    }
  },
};
