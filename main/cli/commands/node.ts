import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OperationRefused, type NodeAction } from '../../../shared/plan/day2/operations';
import { openNodeOperation, planOperation, type OpenedOperation } from '../../services/day2/operation';
import { readDeployed } from '../../services/deploy/deployed';
import { logFileName } from '../../services/deploy/logs';
import { MissingSecretsError, ResumeError } from '../../services/deploy/engine';
import { RunLockedError, stateDirFor } from '../../services/deploy/state-dir';
import { SshEngine } from '../../services/ssh/engine';
import type { CliCommand, CliIo } from '../command';
import { projectOrSay } from '../project-file';
import { duration, Progress } from '../progress';
import { ask } from '../prompt';
import { terminalSafe } from '../terminal-text';
import { applyCommand, collectSecrets } from './apply';

const USAGE = `Usage: keelson node ACTION FILE NODE [options]

Day-2 operations on a cluster Keelson deployed from FILE. Each is a plan of named steps run by
the deploy engine (journaled under NAME.deploy/day2/, resumable with --resume), explained before
it runs.

Actions:
  cordon FILE NODE     mark NODE unschedulable
  uncordon FILE NODE   mark NODE schedulable again
  drain FILE NODE      evict its pods through the eviction API (PodDisruptionBudgets hold,
                       DaemonSet pods stay); prints a report of what moved and what blocked
  delete FILE NODE     drain, kubeadm reset and clean-up on NODE, its etcd member removed, every
                       load balancer and node-local proxy updated, the Node deleted; then NODE
                       leaves FILE. A control plane is refused when etcd would lose quorum.
  add FILE NODE…       deploy the NODEs already added to FILE's design: only what is not yet
                       applied runs (prep, packages, a fresh token, join, load balancers)

Options:
  --bundle DIR             add: the offline bundle to serve (as keelson apply --bundle)
  --dead                   delete: NODE is gone (no SSH); nothing runs on it
  --delete-emptydir-data   drain/delete: also evict pods with emptyDir volumes (their data is lost)
  --timeout SECONDS        drain/delete: give up draining after this long (default 300)
  --resume                 continue the latest run of this operation
  --yes, -y                do not ask for confirmation
  --known-hosts FILE       also trust the host keys in this known_hosts file (repeatable)
  --plain                  one line per event even on a terminal
  -h, --help

Exit status: 0 done, 1 refused or failed (resumable), 2 usage.
`;

const ACTIONS: NodeAction[] = ['cordon', 'uncordon', 'drain', 'delete'];

interface Flags {
  dead?: boolean;
  'delete-emptydir-data'?: boolean;
  timeout?: string;
  resume?: boolean;
  yes?: boolean;
  'known-hosts'?: string[];
  plain?: boolean;
  bundle?: string;
}

async function addNodes(file: string, names: string[], rest: string[], io: CliIo): Promise<number> {
  const project = await projectOrSay(file, io, 'keelson node add');
  if (!project) return 1;
  const deployed = await readDeployed(stateDirFor(file));
  for (const name of names) {
    if (!project.spec.hosts.some((h) => h.name === name)) {
      io.err(
        `keelson node add: there is no host "${terminalSafe(name)}" in ${file}: add it to the design first\n`,
      );
      return 1;
    }
    if (deployed?.hosts.some((h) => h.name === name)) {
      io.err(`keelson node add: ${terminalSafe(name)} is deployed already\n`);
      return 1;
    }
  }
  return applyCommand.run([file, ...rest], io);
}

export const nodeCommand: CliCommand = {
  name: 'node',
  summary: 'day 2: cordon, uncordon, drain, delete or add a node of a deployed cluster',
  usage: USAGE,
  async run(args, io) {
    let values: Flags;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          dead: { type: 'boolean' },
          'delete-emptydir-data': { type: 'boolean' },
          timeout: { type: 'string' },
          resume: { type: 'boolean' },
          yes: { type: 'boolean', short: 'y' },
          'known-hosts': { type: 'string', multiple: true },
          plain: { type: 'boolean' },
          bundle: { type: 'string' },
        },
      }));
    } catch (error) {
      io.err(`keelson node: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const [action, file, ...nodes] = positionals;
    if (action === 'add' && file && nodes.length) {
      const rest = [
        ...(values.yes ? ['--yes'] : []),
        ...(values.resume ? ['--resume'] : []),
        ...(values.plain ? ['--plain'] : []),
        ...(values.bundle ? ['--bundle', values.bundle] : []),
        ...(values['known-hosts'] ?? []).flatMap((k) => ['--known-hosts', k]),
      ];
      return addNodes(file, nodes, rest, io);
    }
    if (!ACTIONS.includes(action as NodeAction) || !file || nodes.length !== 1) {
      io.err(
        `keelson node: expected ACTION FILE NODE (ACTION: ${[...ACTIONS, 'add'].join(', ')})\n\n${USAGE}`,
      );
      return 2;
    }
    const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 10 || timeout > 86_400)) {
      io.err(`keelson node: --timeout wants whole seconds 10–86400, not "${values.timeout}"\n`);
      return 2;
    }
    const node = nodes[0]!;
    const project = await projectOrSay(file, io, 'keelson node');
    if (!project) return 1;
    const op = {
      action: action as NodeAction,
      node,
      ...(values.dead ? { dead: true } : {}),
      ...(values['delete-emptydir-data'] ? { deleteEmptyDirData: true } : {}),
      ...(timeout ? { timeoutSeconds: timeout } : {}),
    };
    try {
      const planned = await planOperation(file, project, op, io.version);
      io.out(`${action} ${terminalSafe(node)} of "${terminalSafe(project.metadata.name)}":\n`);
      for (const line of planned.explanation) io.out(`  - ${terminalSafe(line)}\n`);
      for (const w of planned.warnings) io.out(`  warning: ${terminalSafe(w)}\n`);
    } catch (e) {
      if (e instanceof OperationRefused) {
        io.err(`keelson node ${action}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    if (!values.yes) {
      if (!process.stdin.isTTY) {
        io.err(`keelson node ${action}: no terminal to confirm on: pass --yes\n`);
        return 2;
      }
      if (!/^y(es)?$/i.test((await ask('Continue? [y/N] ')).trim())) {
        io.err(`keelson node ${action}: not confirmed; nothing was touched\n`);
        return 1;
      }
    }
    const ssh = new SshEngine({
      knownHostsFile: process.env.KEELSON_KNOWN_HOSTS || undefined,
      readOnlyKnownHosts: ['~/.ssh/known_hosts', ...(values['known-hosts'] ?? [])],
    });
    const progress = new Progress((t) => io.out(t), process.stdout.isTTY === true && !values.plain);
    const entered: Record<string, string> = {};
    let opened: OpenedOperation | undefined;
    try {
      for (let tries = 0; !opened && tries < 2; tries++) {
        try {
          opened = await openNodeOperation({
            projectFile: file,
            project,
            op,
            ssh,
            keelsonVersion: io.version,
            entered,
            resume: values.resume ?? false,
            listener: progress.onEvent,
          });
        } catch (e) {
          if (e instanceof MissingSecretsError && tries === 0) {
            if (!(await collectSecrets(e.names, io, entered, `keelson node ${action}`))) return 1;
            continue;
          }
          if (e instanceof MissingSecretsError || e instanceof ResumeError || e instanceof RunLockedError) {
            io.err(`keelson node ${action}: ${e.message}\n`);
            return 1;
          }
          throw e;
        }
      }
      const o = opened!;
      const onSigint = () => o.run.cancel();
      process.on('SIGINT', onSigint);
      let status;
      try {
        status = await o.settled;
      } finally {
        process.off('SIGINT', onSigint);
        progress.stop();
      }
      const view = o.run.view();
      const elapsed = duration((view.endedAt ?? Date.now()) - view.startedAt);
      // The drain's own account (pods to move, the report, what blocked), from its step log.
      if (op.action === 'drain' || op.action === 'delete') {
        const log = await readFile(join(o.run.dir, logFileName(`drain/${node}`)), 'utf8').catch(() => '');
        for (const line of log.split('\n').filter((l) => l.startsWith('keelson: ')))
          io.out(`  ${terminalSafe(line.slice('keelson: '.length))}\n`);
      }
      if (status === 'succeeded') {
        io.out(
          `${action} ${terminalSafe(node)}: done in ${elapsed} (run ${o.run.runId}; journal in ${o.run.dir})` +
            (action === 'delete' ? `; ${terminalSafe(node)} is no longer in ${file}` : '') +
            '\n',
        );
        return 0;
      }
      io.err(`keelson node ${action}: ${status} after ${elapsed} (run ${o.run.runId})\n`);
      for (const s of view.steps.filter((x) => x.status === 'failed' || x.status === 'cancelled')) {
        io.err(`  ${s.host}: ${s.id} ${s.status}${s.error ? `: ${s.error}` : ''}\n`);
        if (s.hint) io.err(`    hint: ${s.hint}\n`);
        if (
          action === 'delete' &&
          s.host === node &&
          view.hosts.find((h) => h.name === node)?.state === 'unreachable'
        )
          io.err(
            `    ${terminalSafe(node)} does not answer over SSH: if it is gone for good, run again with --dead\n`,
          );
      }
      io.err(`  logs: ${o.run.dir}/logs/\n  resume with: keelson node ${action} ${file} ${node} --resume\n`);
      return 1;
    } finally {
      ssh.closeAll();
    }
  },
};
