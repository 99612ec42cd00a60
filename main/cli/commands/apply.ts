import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ADMIN_KUBECONFIG_SECRET } from '../../../shared/plan/post-install';
import { MissingSecretsError, ResumeError } from '../../services/deploy/engine';
import {
  contextNameFor,
  defaultKubeconfigPath,
  mergeKubeconfig,
  renamedAdminConfig,
  saveKubeconfig,
} from '../../services/deploy/kubeconfig';
import { RunLockedError, stateDirFor } from '../../services/deploy/state-dir';
import {
  NotDeployableError,
  openDeploy,
  planToRun,
  type OpenedDeploy,
  type PhaseFilter,
} from '../../services/deploy/service';
import { SshEngine } from '../../services/ssh/engine';
import { dryRun } from '../../services/check/dry-run';
import { sshSecretNames } from '../../services/deploy/targets';
import type { ClusterProject } from '../../../shared/model/cluster';
import { terminalSafe } from '../terminal-text';
import { expandHome } from '../../services/ssh/ssh-config';
import type { CliCommand, CliIo } from '../command';
import { projectOrSay } from '../project-file';
import { duration, Progress } from '../progress';
import { ask, secretEnvName } from '../prompt';

const USAGE = `Usage: keelson apply FILE [--resume] [--yes] [--dry-run] [--kubeconfig-out PATH] [--merge-kubeconfig]

Deploys a NAME.keelson.yaml project over SSH: the plan \`keelson plan\` shows, step by step, with
a check before each step (work already in place is not redone). Progress bars per host on a
terminal, one line per step otherwise. Every run is journaled beside the project (NAME.deploy/):
after a failure, Ctrl-C or a crash, --resume carries on where it stopped and never re-runs a
finished step.

Secrets the design names (SSH passwords, key passphrases, sudo passwords, a VRRP password) are
asked for on the terminal, or read from KEELSON_SECRET_<NAME> (upper case, . and - as _).
Secrets Keelson makes (bootstrap token, certificate keys, the admin kubeconfig) are kept in a
0600 file under ~/.keelson/secrets, never in the journal or a log.

Options:
  --resume               continue the latest run of this project (retries what failed)
  --yes, -y              do not ask for confirmation
  --kubeconfig-out PATH  save the admin kubeconfig (server = the cluster's endpoint) there, 0600
  --merge-kubeconfig     add it to $KUBECONFIG or ~/.kube/config as context keelson-NAME
                         (the file is backed up first; other contexts are left alone)
  --only P1,P2           run only these phases (e.g. preflight,os-prep); see keelson plan
  --skip-phases P1,P2    run every phase but these
  --known-hosts FILE     also trust the host keys in this known_hosts file (repeatable)
  --parallel N           steps at once over all hosts (default 16; one per host)
  --bundle DIR           the offline bundle to serve when the design says packages.source:
                         bundle (default: KEELSON_BUNDLE); hosts reach it over their SSH
                         connection, so they need no route to this machine
  --full                 on a deployed cluster, run every step of the design (each step's check
                         still decides) instead of only what is not yet applied
  --dry-run              change nothing: list per host the steps that would run and those
                         already done (each step's own check runs on its host, read-only)
  --plain                one line per event even on a terminal
  -h, --help

Exit status: 0 deployed, 1 the deploy failed or was cancelled (resumable) or cannot start,
2 usage. Ctrl-C cancels cleanly: running steps are stopped on the hosts and the journal is kept.
`;

interface Flags {
  resume?: boolean;
  yes?: boolean;
  'kubeconfig-out'?: string;
  'merge-kubeconfig'?: boolean;
  'known-hosts'?: string[];
  parallel?: string;
  plain?: boolean;
  only?: string;
  'skip-phases'?: string;
  'dry-run'?: boolean;
  full?: boolean;
  bundle?: string;
}

/** Fills `entered` from KEELSON_SECRET_<NAME> or, on a terminal, by asking; false (said why) when one is missing. */
export async function collectSecrets(
  names: string[],
  io: CliIo,
  entered: Record<string, string>,
  command = 'keelson apply',
): Promise<boolean> {
  const interactive = process.stdin.isTTY === true;
  const missing: string[] = [];
  for (const name of names) {
    const fromEnv = process.env[secretEnvName(name)];
    if (fromEnv) entered[name] = fromEnv;
    else if (interactive) {
      const v = await ask(`secret "${name}" (not echoed): `, true);
      if (!v) missing.push(name);
      else entered[name] = v;
    } else missing.push(name);
  }
  if (missing.length) {
    io.err(
      `${command}: no value for ${missing.map((n) => `"${n}"`).join(', ')}: set ${missing.map(secretEnvName).join(', ')} ` +
        'or run on a terminal to be asked\n',
    );
    return false;
  }
  return true;
}

async function handOverKubeconfig(
  opened: OpenedDeploy,
  flags: Flags,
  cluster: string,
  io: CliIo,
): Promise<void> {
  if (!flags['kubeconfig-out'] && !flags['merge-kubeconfig']) return;
  const admin = await opened.secrets.get(ADMIN_KUBECONFIG_SECRET);
  if (!admin) {
    io.err('keelson apply: this run produced no admin kubeconfig (the post-install phase did not run)\n');
    return;
  }
  const ours = renamedAdminConfig(admin, contextNameFor(cluster));
  if (flags['kubeconfig-out']) {
    const path = resolve(expandHome(flags['kubeconfig-out']));
    await saveKubeconfig(path, ours);
    io.out(`kubeconfig saved to ${path} (mode 0600)\n`);
  }
  if (flags['merge-kubeconfig']) {
    const path = defaultKubeconfigPath();
    const r = await mergeKubeconfig(path, ours);
    io.out(
      `kubeconfig merged into ${path} as context ${r.context}${r.backup ? ` (backup: ${r.backup})` : ''}\n`,
    );
  }
}

/** `--dry-run`: every step's check on its host; prints what would run and what is done, per host. */
async function dryRunCommand(
  file: string,
  project: ClusterProject,
  phases: PhaseFilter,
  flags: Flags,
  io: CliIo,
): Promise<number> {
  const entered: Record<string, string> = {};
  const names = sshSecretNames(project).filter((n) => process.env[secretEnvName(n)] || process.stdin.isTTY);
  if (!(await collectSecrets(names, io, entered))) return 1;
  const ssh = new SshEngine({
    knownHostsFile: process.env.KEELSON_KNOWN_HOSTS || undefined,
    readOnlyKnownHosts: ['~/.ssh/known_hosts', ...(flags['known-hosts'] ?? [])],
  });
  for (const v of Object.values(entered)) ssh.redactor.register(v);
  try {
    const { steps } = await dryRun({
      projectFile: file,
      project,
      ssh,
      keelsonVersion: io.version,
      secret: (n) => entered[n],
      phases,
    });
    io.out(`Dry run of "${terminalSafe(project.metadata.name)}": nothing was changed.\n`);
    const label = { done: 'done', run: 'RUN ', unknown: '??  ' } as const;
    for (const host of [...new Set(steps.map((s) => s.host))]) {
      io.out(`${terminalSafe(host)}:\n`);
      for (const s of steps.filter((x) => x.host === host))
        io.out(`  ${label[s.state]}  ${terminalSafe(s.id)}  ${terminalSafe(s.detail)}\n`);
    }
    const count = (st: string) => steps.filter((s) => s.state === st).length;
    io.out(
      `${steps.length} steps: ${count('done')} done, ${count('run')} would run, ${count('unknown')} unknown\n`,
    );
    return 0;
  } finally {
    ssh.closeAll();
  }
}

export const applyCommand: CliCommand = {
  name: 'apply',
  summary: 'deploy a project over SSH, with live progress, a journal and --resume',
  usage: USAGE,
  async run(args, io) {
    let values: Flags;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          resume: { type: 'boolean' },
          yes: { type: 'boolean', short: 'y' },
          'kubeconfig-out': { type: 'string' },
          'merge-kubeconfig': { type: 'boolean' },
          'known-hosts': { type: 'string', multiple: true },
          parallel: { type: 'string' },
          plain: { type: 'boolean' },
          only: { type: 'string' },
          'skip-phases': { type: 'string' },
          'dry-run': { type: 'boolean' },
          full: { type: 'boolean' },
          bundle: { type: 'string' },
        },
      }));
    } catch (error) {
      io.err(`keelson apply: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (positionals.length !== 1) {
      io.err(`keelson apply: expected one project FILE\n\n${USAGE}`);
      return 2;
    }
    const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
    if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1 || parallel > 256)) {
      io.err(`keelson apply: --parallel wants a whole number 1–256, not "${values.parallel}"\n`);
      return 2;
    }
    const file = positionals[0]!;
    const project = await projectOrSay(file, io, 'keelson apply');
    if (!project) return 1;
    const list = (v: string | undefined) =>
      v
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    const phases = { only: list(values.only), skip: list(values['skip-phases']) };
    let plan;
    let appliedSteps: string[];
    try {
      ({ plan, appliedSteps } = await planToRun(stateDirFor(file), project, io.version, {
        phases,
        full: values.full ?? false,
      }));
    } catch (e) {
      if (!(e instanceof NotDeployableError)) throw e;
      io.err(`keelson apply: ${file}: ${e.message}\n`);
      for (const f of e.errors) io.err(`  error ${f.code}: ${f.message}\n`);
      return 1;
    }
    const steps = plan.phases.reduce((n, p) => n + p.steps.length, 0);
    if (values['dry-run']) return dryRunCommand(file, project, phases, values, io);
    if (appliedSteps.length)
      io.out(
        `"${terminalSafe(project.metadata.name)}" is deployed: ${appliedSteps.length} steps applied as the design says are left out; ` +
          `${steps} run (--full runs them all)\n`,
      );
    if (steps === 0) {
      io.out('nothing to do: the cluster is as the design says\n');
      return 0;
    }
    if (!values.yes) {
      if (!process.stdin.isTTY) {
        io.err('keelson apply: no terminal to confirm on: pass --yes to deploy without asking\n');
        return 2;
      }
      const answer = await ask(
        `${values.resume ? 'Resume the deploy of' : 'Deploy'} "${project.metadata.name}": ${steps} steps on ` +
          `${new Set(plan.phases.flatMap((p) => p.steps.map((s) => s.host))).size} hosts (${plan.phases.map((p) => p.id).join(', ')}). Continue? [y/N] `,
      );
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.err('keelson apply: not confirmed; nothing was touched\n');
        return 1;
      }
    }

    const ssh = new SshEngine({
      knownHostsFile: process.env.KEELSON_KNOWN_HOSTS || undefined,
      readOnlyKnownHosts: ['~/.ssh/known_hosts', ...(values['known-hosts'] ?? [])],
    });
    const progress = new Progress((t) => io.out(t), process.stdout.isTTY === true && !values.plain);
    const entered: Record<string, string> = {};
    let opened: OpenedDeploy | undefined;
    for (let tries = 0; !opened && tries < 2; tries++) {
      try {
        opened = await openDeploy({
          projectFile: file,
          project,
          ssh,
          keelsonVersion: io.version,
          entered,
          resume: values.resume ?? false,
          listener: progress.onEvent,
          phases,
          full: values.full ?? false,
          ...(values.bundle ? { bundleDir: resolve(expandHome(values.bundle)) } : {}),
          ...(parallel ? { maxParallel: parallel } : {}),
        });
      } catch (e) {
        if (e instanceof MissingSecretsError && tries === 0) {
          if (!(await collectSecrets(e.names, io, entered))) return 1;
          continue;
        }
        if (
          e instanceof MissingSecretsError ||
          e instanceof ResumeError ||
          e instanceof RunLockedError ||
          e instanceof NotDeployableError
        ) {
          io.err(`keelson apply: ${e.message}\n`);
          return 1;
        }
        throw e;
      }
    }
    const o = opened!;
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts === 1) {
        io.err('\nkeelson apply: cancelling (Ctrl-C again to leave at once; the journal stays resumable)\n');
        o.run.cancel();
      } else process.exit(130);
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    let status;
    try {
      status = await o.settled;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      progress.stop();
      ssh.closeAll();
    }
    const view = o.run.view();
    const elapsed = duration((view.endedAt ?? Date.now()) - view.startedAt);
    const runFolder = o.run.dir;
    if (status === 'succeeded') {
      const partial = Boolean(phases.only?.length || phases.skip?.length);
      const what = partial ? `ran ${o.plan.phases.map((p) => p.id).join(', ')} of` : 'deployed';
      io.out(
        `${what} "${project.metadata.name}" in ${elapsed} (run ${o.run.runId}; journal and logs in ${runFolder})\n`,
      );
      await handOverKubeconfig(o, values, project.metadata.name, io);
      return 0;
    }
    const failed = view.steps.filter((s) => s.status === 'failed' || s.status === 'cancelled');
    io.err(`keelson apply: ${status} after ${elapsed} (run ${o.run.runId})\n`);
    for (const s of failed) {
      io.err(`  ${s.host}: ${s.id} ${s.status}${s.error ? `: ${s.error}` : ''}\n`);
      if (s.hint) io.err(`    hint: ${s.hint}\n`);
    }
    io.err(`  logs: ${runFolder}/logs/\n  resume with: keelson apply ${file} --resume\n`);
    return 1;
  },
};
