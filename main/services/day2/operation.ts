import { join } from 'node:path';
import type { RunStatus } from '../../../shared/deploy/events';
import type { ClusterProject } from '../../../shared/model/cluster';
import { serializeProject } from '../../../shared/model/parse';
import {
  nodeOperationPlan,
  OperationRefused,
  type NodeOperation,
  type OperationPlan,
} from '../../../shared/plan/day2/operations';
import { recordApplied } from '../deploy/applied';
import { readDeployed, writeDeployed } from '../deploy/deployed';
import { DeployRun } from '../deploy/engine';
import { FileSecretStore, LayeredSecrets } from '../deploy/secrets';
import { clusterSecretsFile, type RunRequest } from '../deploy/service';
import { acquireLock, stateDirFor } from '../deploy/state-dir';
import { writeFileAtomic } from '../workspace/atomic-write';

export interface NodeOperationRequest extends RunRequest {
  op: NodeOperation;
  /** Resume the latest run of this operation's plan instead of starting a new one. */
  resume?: boolean;
}

export interface OpenedOperation extends OperationPlan {
  run: DeployRun;
  /** The run's end, after the project file, deployed.json and applied.json followed a success. */
  settled: Promise<RunStatus>;
}

/** Where day-2 runs keep their journals: beside the deploy's, never mixed with its runs (resume). */
export const day2StateDir = (stateDir: string): string => join(stateDir, 'day2');

/** The plan of an operation on a deployed cluster, refused (OperationRefused) before anything runs. */
export async function planOperation(
  projectFile: string,
  project: ClusterProject,
  op: NodeOperation,
  keelsonVersion: string,
): Promise<OperationPlan> {
  const deployed = await readDeployed(stateDirFor(projectFile));
  if (!deployed)
    throw new OperationRefused(
      `"${project.metadata.name}" has not been deployed by Keelson from this project file yet: deploy it first`,
      'design',
    );
  if (!project.spec.hosts.some((h) => h.name === op.node))
    throw new OperationRefused(`there is no host "${op.node}" in the design`, 'no-host');
  if (!deployed.hosts.some((h) => h.name === op.node))
    throw new OperationRefused(
      `${op.node} is in the design but not deployed yet: deploy to add it (only what is new runs)`,
      'no-host',
    );
  return nodeOperationPlan(project, op, { keelsonVersion });
}

/**
 * Runs a node operation through the deploy engine, holding the cluster's deploy lock for its whole
 * length (no deploy and no other operation of this cluster meanwhile). A successful delete takes
 * the node out of the project file, deployed.json and the applied record.
 */
export async function openNodeOperation(r: NodeOperationRequest): Promise<OpenedOperation> {
  const planned = await planOperation(r.projectFile, r.project, r.op, r.keelsonVersion);
  const stateDir = stateDirFor(r.projectFile);
  const release = await acquireLock(stateDir);
  try {
    const kept = new FileSecretStore(clusterSecretsFile(r.projectFile, r.env), r.codec, (v) =>
      r.ssh.redactor.register(v),
    );
    const entered = r.entered ?? {};
    for (const v of Object.values(entered)) r.ssh.redactor.register(v);
    const opsDir = day2StateDir(stateDir);
    const run = await DeployRun.open(
      {
        plan: planned.plan,
        project: r.project,
        ssh: r.ssh,
        secrets: new LayeredSecrets({ get: (n) => entered[n] }, kept),
        stateDir: opsDir,
        keelsonVersion: r.keelsonVersion,
        ...(r.services ? { services: r.services } : {}),
      },
      { resume: r.resume ?? false },
      r.listener,
    );
    const settled = run.done
      .then(async (status) => {
        if (status === 'succeeded') await followSuccess(r, planned, stateDir, opsDir, run.runId);
        return status;
      })
      .finally(release);
    return { ...planned, run, settled };
  } catch (e) {
    await release();
    throw e;
  }
}

async function followSuccess(
  r: NodeOperationRequest,
  planned: OperationPlan,
  stateDir: string,
  opsDir: string,
  runId: string,
): Promise<void> {
  const removed = r.op.action === 'delete' ? [r.op.node] : [];
  await recordApplied(
    stateDir,
    { runId, stateDir: opsDir },
    { forgetHosts: removed, supersede: planned.supersedes },
  );
  if (!removed.length) return;
  await writeFileAtomic(r.projectFile, serializeProject(planned.after));
  const deployed = await readDeployed(stateDir);
  if (deployed)
    await writeDeployed(stateDir, { ...deployed, hosts: deployed.hosts.filter((h) => h.name !== r.op.node) });
}
